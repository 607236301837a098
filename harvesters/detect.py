"""Guessing a source's format from its first bytes, when the operator does not say."""
from __future__ import annotations

import json
import re

from .lheo import looks_like_lheo

NAMESPACES = {
    "http://xcri.org/profiles/1.2/catalog": "xcri-cap",
    "http://www.openarchives.org/OAI/2.0/": "oai-pmh",
    "http://data.europa.eu/snb/model/ap/loq": "elm-loq-xml",
}


# Credential Engine's CTDL: its terms' prefix or namespace, or its context on credreg.net
CTDL = re.compile(r'"ceterms:|purl\.org/ctdl/terms|credreg\.net/ctdl')
HTML_START = re.compile(r"(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
                        r"<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)


def is_html(data: bytes) -> bool:
    """An HTML (or XHTML) page rather than XML such as a sitemap: by what it starts with."""
    return bool(HTML_START.match(data[:4096].decode("utf-8", "ignore").lstrip("\ufeff \r\n\t")))


def detect_format(data: bytes, location: str = "") -> str | None:
    """'csv', 'xcri-cap', 'oai-pmh', 'elm-loq-xml', 'lheo', 'ctdl', 'elm-jsonld', 'schemaorg'
    or None."""
    if data[:4] == b"PK\x03\x04" or location.lower().endswith((".csv", ".xlsx")):
        return "csv"
    head = data[:4096].decode("utf-8", "ignore").lstrip("\ufeff \r\n\t")
    if is_html(data):  # a course page: only the schema.org harvester reads HTML
        return "schemaorg" if b"schema.org" in data.lower() else None
    if head.startswith("<"):
        if "<urlset" in head or "<sitemapindex" in head:
            return "schemaorg"
        for namespace, name in NAMESPACES.items():
            if namespace in head:
                return name
        if looks_like_lheo(head):
            return "lheo"
        if re.search(r"xmlns(:\w+)?=\"http://data\.europa\.eu/", head):
            return "elm-loq-xml"
        return None
    if head.startswith(("{", "[")):
        try:
            text = json.dumps(json.loads(data.decode("utf-8-sig")))
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None
        if CTDL.search(text):  # before ELM: CTDL also says "LearningOpportunity"
            return "ctdl"
        if "data.europa.eu/snb" in text or "LearningOpportunity" in text:
            return "elm-jsonld"
        if "schema.org" in text:
            return "schemaorg"
        return None
    if "id," in head.splitlines()[0] if head else False:
        return "csv"
    return None
