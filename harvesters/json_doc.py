"""JSON documents read with a depth limit, for the formats whose mapping walks the tree.

Python's parser recurses, and so do the mappings: a document nested thousands of levels deep
would end in a RecursionError somewhere else. It is refused here, once, as a source error.
"""
from __future__ import annotations

import json

from .base import SourceError

MAX_DEPTH = 100  # levels of JSON nesting; the Commission's ELM samples use about 15


def load_json(data: bytes | str):
    """The parsed JSON, refused as a source error when it is not JSON or nests deeper than
    MAX_DEPTH."""
    too_deep = SourceError(f"the JSON is nested more than {MAX_DEPTH} levels deep; "
                           "a catalogue needs far fewer")
    try:
        doc = json.loads(data)
    except RecursionError:
        raise too_deep from None
    except ValueError as exc:
        raise SourceError(f"not valid JSON: {exc}") from exc
    if nested_too_deeply(doc):
        raise too_deep
    return doc


def nested_too_deeply(doc) -> bool:
    """Whether parsed JSON nests more than MAX_DEPTH levels (without recursing itself)."""
    stack = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        items = value.values() if isinstance(value, dict) else value if isinstance(value, list) \
            else ()
        stack.extend((v, depth + 1) for v in items if isinstance(v, (dict, list)))
    return False
