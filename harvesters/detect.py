"""Guessing a source's format from its first bytes, when the operator does not say."""
from __future__ import annotations

import json
import re

NAMESPACES = {
    "http://xcri.org/profiles/1.2/catalog": "xcri-cap",
    "http://www.openarchives.org/OAI/2.0/": "oai-pmh",
    "http://data.europa.eu/snb/model/ap/loq": "elm-loq-xml",
}


def detect_format(data: bytes, location: str = "") -> str | None:
    """'csv', 'xcri-cap', 'oai-pmh', 'elm-loq-xml', 'elm-jsonld', 'schemaorg' or None."""
    if data[:4] == b"PK\x03\x04" or location.lower().endswith((".csv", ".xlsx")):
        return "csv"
    head = data[:4096].decode("utf-8", "ignore").lstrip("\ufeff \r\n\t")
    if head.startswith("<"):
        if "<urlset" in head or "<sitemapindex" in head:
            return "schemaorg"
        for namespace, name in NAMESPACES.items():
            if namespace in head:
                return name
        if re.search(r"xmlns(:\w+)?=\"http://data\.europa\.eu/", head):
            return "elm-loq-xml"
        return None
    if head.startswith(("{", "[")):
        try:
            text = json.dumps(json.loads(data.decode("utf-8-sig")))
        except (ValueError, UnicodeDecodeError):
            return None
        if "data.europa.eu/snb" in text or "LearningOpportunity" in text:
            return "elm-jsonld"
        if "schema.org" in text:
            return "schemaorg"
        return None
    if "id," in head.splitlines()[0] if head else False:
        return "csv"
    return None
