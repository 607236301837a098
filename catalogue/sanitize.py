"""Provider text is untrusted: descriptions keep a few harmless tags, everything else is plain text."""
from __future__ import annotations

import html
import json
import re

import nh3

from .record import MULTILINGUAL_FIELDS, OpportunityRecord

RICH_FIELDS = ("description",)
ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "a"}
TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")  # any HTML tag: the text is markup
BLOCK_TAG = re.compile(r"<(?:br|/?(?:p|div|li|ul|ol|tr|h[1-6]))\b[^<>]*>", re.I)
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
LINE_BREAK = re.compile(r"\n\s*")
SURROGATE = re.compile("[\ud800-\udfff]")  # a lone half of a UTF-16 pair: no text can hold it


def scrub(value):
    """``value`` (text, or lists and dicts of it, keys too) with every lone surrogate replaced
    by U+FFFD, so that no database, hash or sanitiser meets text it cannot encode."""
    if isinstance(value, str):
        return SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    return value


def is_markup(text: str) -> bool:
    return bool(TAG.search(text))


def paragraphs(text: str, always: bool = False, by_line: bool = False) -> str:
    """Plain text -> HTML paragraphs where blank lines separate paragraphs (a single line break
    is a wrapped line, and one paragraph stays bare text unless ``always``; with ``by_line``
    every line is a paragraph, for formats that never wrap lines, LHEO). The one rule for
    every harvester that reads plain text (``rich`` applies it); not escaped here: ``rich``
    sanitises the result."""
    breaks = LINE_BREAK if by_line else PARAGRAPH_BREAK
    blocks = [b.strip() for b in breaks.split(text.replace("\r\n", "\n")) if b.strip()]
    return "".join(f"<p>{b}</p>" for b in blocks) if always or len(blocks) > 1 else text


def rich(text: str) -> str:
    """Sanitised HTML safe to render as markup (links get rel=noopener noreferrer); plain text
    becomes paragraphs first."""
    html_text = text if is_markup(text) else paragraphs(text)
    return nh3.clean(html_text, tags=ALLOWED_TAGS, attributes={"a": {"href"}},
                     url_schemes={"http", "https", "mailto"}).strip()


def plain(text: str) -> str:
    """Text with every tag removed and entities decoded; the template escapes it on output.
    Block tags end a line first, so paragraphs do not run into each other ("a</p><p>b")."""
    return html.unescape(nh3.clean(BLOCK_TAG.sub(lambda m: m[0] + "\n", text), tags=set())).strip()


def clean_record(record: OpportunityRecord) -> OpportunityRecord:
    if SURROGATE.search(json.dumps(vars(record), ensure_ascii=False, default=str)):  # rare
        for name, value in vars(record).items():
            if name != "remote_id":  # the runner refuses such an identifier instead
                setattr(record, name, scrub(value))
    for name in MULTILINGUAL_FIELDS:
        clean = rich if name in RICH_FIELDS else plain
        setattr(record, name, {lang: clean(v) for lang, v in getattr(record, name).items()
                               if v and v.strip()})
    record.learning_outcomes = {
        lang: [plain(o) for o in outcomes if o and o.strip()]
        for lang, outcomes in record.learning_outcomes.items() if outcomes}
    return record
