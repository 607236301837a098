"""The structured data of an HTML page as JSON-LD-shaped documents: JSON-LD blocks as they are,
microdata and RDFa Lite items as {"@type", "@id", property: value} dicts.

Providers mark course pages up in any of the three for search engines; reading all three lets the
schema.org harvester map them with one mapper. Nothing is fetched: itemref and remote vocabularies
are not followed, and relative addresses are left for the mapper to resolve against the page.
"""
from __future__ import annotations

import json
import re

import lxml.html
from lxml import etree

from .json_doc import nested_too_deeply

SCHEMA = re.compile(r"^https?://schema\.org/")
# element -> the attribute that holds its value (HTML microdata and RDFa Lite rules)
URL_ATTRIBUTES = {"a": "href", "area": "href", "link": "href", "img": "src", "audio": "src",
                  "video": "src", "source": "src", "track": "src", "embed": "src",
                  "iframe": "src", "object": "data"}


def page_documents(page: bytes) -> tuple[list, list[str]]:
    """(documents, problems) of a page: each JSON-LD block, then each top-level microdata and
    RDFa item; a block that is not JSON is a problem, not a document."""
    try:
        doc = lxml.html.document_fromstring(page)
    except (etree.ParserError, ValueError):
        return [], []
    documents, problems = [], []
    for n, block in enumerate(json_ld_blocks(doc), start=1):
        try:
            document = json.loads(block)
            deep = nested_too_deeply(document)  # the mapper walks what is kept
        except ValueError as exc:
            problems.append(f"JSON-LD block {n} of the page is not valid JSON: {exc}")
            continue
        except RecursionError:
            deep = True
        if deep:
            problems.append(f"JSON-LD block {n} of the page is nested too deeply")
        else:
            documents.append(document)
    documents += microdata_items(doc) + rdfa_items(doc)
    return documents, problems


def json_ld_blocks(doc) -> list[str]:
    """The text of every <script type="application/ld+json">."""
    blocks = [re.sub(r"^\s*(<!\[CDATA\[|<!--)|(\]\]>|-->)\s*$", "", s.text or "")
              for s in doc.iter("script")
              if (s.get("type") or "").split(";")[0].strip().lower() == "application/ld+json"]
    return [b for b in blocks if b.strip()]


def _text(element) -> str:
    return " ".join(element.text_content().split())


def _add(item: dict, name: str, value) -> None:
    """One value stays a value; a repeated property becomes a list, in document order."""
    if value in (None, ""):
        return
    if name not in item:
        item[name] = value
    elif isinstance(item[name], list):
        item[name].append(value)
    else:
        item[name] = [item[name], value]


def _term(name: str) -> str:
    """'https://schema.org/name' and 'schema:name' are 'name'; other IRIs stay whole."""
    return SCHEMA.sub("", name[7:] if name.startswith("schema:") else name)


def _value(element, rdfa: bool):
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag == "meta" or (rdfa and element.get("content") is not None):
        return element.get("content")
    if rdfa and element.get("resource"):
        return element.get("resource")
    if tag in URL_ATTRIBUTES:
        return element.get(URL_ATTRIBUTES[tag])
    if tag in ("data", "meter"):
        return element.get("value")
    if tag == "time":
        return element.get("datetime") or _text(element)
    return _text(element)


# --- microdata (WHATWG HTML) ---------------------------------------------------------------------

def microdata_items(doc) -> list[dict]:
    return [_microdata(e) for e in doc.iter()
            if isinstance(e.tag, str) and e.get("itemscope") is not None
            and e.get("itemprop") is None]


def _microdata(scope, depth: int = 0) -> dict:
    item: dict = {}
    if scope.get("itemtype"):
        item["@type"] = scope.get("itemtype").split()
    if scope.get("itemid"):
        item["@id"] = scope.get("itemid").strip()
    pending = list(scope)
    while pending:
        element = pending.pop(0)
        if not isinstance(element.tag, str):
            continue
        nested = element.get("itemscope") is not None
        for name in (element.get("itemprop") or "").split():
            _add(item, _term(name), _microdata(element, depth + 1) if nested and depth < 20
                 else _value(element, rdfa=False))
        if not nested:  # a nested item's properties are its own
            pending[:0] = list(element)
    return item


# --- RDFa Lite 1.1 (vocab, typeof, property, resource, prefix) -----------------------------------

def rdfa_items(doc) -> list[dict]:
    items: list[dict] = []
    _rdfa(doc, None, "", items, 0)
    return items


def _rdfa(element, subject: dict | None, vocab: str, items: list[dict], depth: int) -> None:
    for child in element:
        if not isinstance(child.tag, str):
            continue
        here = child.get("vocab", vocab)
        item = subject
        if child.get("typeof") is not None and depth < 40:
            item = {"@type": [_rdfa_term(t, here) for t in child.get("typeof").split()]}
            if child.get("resource"):
                item["@id"] = child.get("resource")
            names = (child.get("property") or "").split()
            if names and subject is not None:
                for name in names:
                    _add(subject, _rdfa_term(name, here), item)
            else:
                items.append(item)
        elif subject is not None:
            for name in (child.get("property") or "").split():
                _add(subject, _rdfa_term(name, here), _value(child, rdfa=True))
        _rdfa(child, item, here, items, depth + 1)


def _rdfa_term(name: str, vocab: str) -> str:
    return _term(name if ":" in name else (vocab + name if SCHEMA.match(vocab) else name))
