"""Provider text is untrusted: descriptions keep a few harmless tags, everything else is plain text."""
from __future__ import annotations

import html

import nh3

from .record import MULTILINGUAL_FIELDS, OpportunityRecord

RICH_FIELDS = ("description",)
ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "a"}


def rich(text: str) -> str:
    """Sanitised HTML safe to render as markup (links get rel=noopener noreferrer)."""
    return nh3.clean(text, tags=ALLOWED_TAGS, attributes={"a": {"href"}},
                     url_schemes={"http", "https", "mailto"}).strip()


def plain(text: str) -> str:
    """Text with every tag removed and entities decoded; the template escapes it on output."""
    return html.unescape(nh3.clean(text, tags=set())).strip()


def clean_record(record: OpportunityRecord) -> OpportunityRecord:
    for name in MULTILINGUAL_FIELDS:
        clean = rich if name in RICH_FIELDS else plain
        setattr(record, name, {lang: clean(v) for lang, v in getattr(record, name).items()
                               if v and v.strip()})
    record.learning_outcomes = {
        lang: [plain(o) for o in outcomes if o and o.strip()]
        for lang, outcomes in record.learning_outcomes.items() if outcomes}
    return record
