"""Annex I validation: which mandatory elements a record states, and which of its values are wrong.

Returns data (not exceptions) so that harvest reports, the portal and the API show the same thing.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlsplit

from babel.numbers import list_currencies

from . import vocabularies as vocab
from .record import MULTILINGUAL_FIELDS, RECORD_FIELDS, OpportunityRecord

# The mandatory Annex I elements a catalogue entry can carry, in the Recommendation's order
# (the learner's identity and the date of issuing belong to an issued credential only).
MANDATORY: tuple[str, ...] = (
    "title", "country", "awarding_body", "learning_outcomes", "workload", "level",
    "assessment", "participation_form", "quality_assurance",
)
OPTIONAL: tuple[str, ...] = ("prerequisites", "supervision", "grading", "stackability", "further_info")
DURATION_UNITS = ("hour", "day", "week", "month", "year")
MAX_ECTS = 120  # a micro-credential or short course; a whole degree is not catalogued here

VOCABULARY_FIELDS = {
    "participation_form": "participation_forms", "qf_ehea_cycle": "qf_ehea_cycles",
    "supervision": "supervision_levels", "stackability": "stackability",
    "assessment_types": "assessment_types", "qa_types": "qa_types", "funding": "funding",
    "target_groups": "target_groups", "isced_f": "isced_f",
}


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


@dataclass
class Validation:
    present: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def completeness(self) -> tuple[int, int]:
        return len(self.present), len(MANDATORY)


def element_present(record: OpportunityRecord, element: str) -> bool:
    """Whether the record states a mandatory or optional Annex I element."""
    r = record
    return bool({
        "title": any(v.strip() for v in r.title.values()),
        "country": r.country,
        "awarding_body": r.awarding_body,
        "learning_outcomes": any(r.learning_outcomes.values()),
        "workload": r.ects is not None or r.workload_hours is not None,
        "level": r.eqf_level is not None,
        "assessment": r.assessment_types or r.assessment,
        "participation_form": r.participation_form,
        "quality_assurance": r.qa_types,
        "prerequisites": r.prerequisites,
        "supervision": r.supervision,
        "grading": r.grading,
        "stackability": r.stackability,
        "further_info": r.further_info_url,
    }[element])


def validate(record: OpportunityRecord) -> Validation:
    result = Validation()
    for element in MANDATORY:
        (result.present if element_present(record, element) else result.missing).append(element)
    result.errors = list(_field_errors(record))
    return result


@cache
def _column_limits() -> dict[str, int]:
    """Lengths of the catalogue's text columns: longer values are errors, not database crashes."""
    from .models import Opportunity
    return {c.name: c.type.length for c in Opportunity.__table__.columns
            if getattr(c.type, "length", None) and c.name in RECORD_FIELDS}


def _field_errors(r: OpportunityRecord):
    if not str(r.remote_id or "").strip():
        yield FieldError("id", "the record has no identifier")
    for name, limit in _column_limits().items():
        value = getattr(r, name)
        if isinstance(value, str) and len(value) > limit:
            yield FieldError(name, f"longer than {limit} characters ({len(value)})")
    if r.eqf_level is not None and (not _is_int(r.eqf_level) or not 1 <= r.eqf_level <= 8):
        yield FieldError("eqf_level", f"EQF level must be a whole number from 1 to 8, not {r.eqf_level!r}")
    # (field, lowest, highest, whether the lowest itself is accepted): an offer may carry
    # 0 credits or cost nothing, but it always takes some time
    for name, low, high, low_ok in (("ects", 0, MAX_ECTS, True),
                                    ("workload_hours", 0, 10_000, False),
                                    ("price", 0, 1_000_000, True),
                                    ("duration_value", 0, 10_000, False)):
        value = getattr(r, name)
        if value is None:
            continue
        if not _is_number(value):
            yield FieldError(name, f"{value!r} is not a number")
        elif value > high or (value < low if low_ok else value <= low):
            accepted = f"from {low} to {high}" if low_ok else \
                f"more than {low}, at most {high}"
            yield FieldError(name, f"{value:g} is outside the accepted range ({accepted})")
    if r.duration_unit is not None and r.duration_unit not in DURATION_UNITS:
        yield FieldError("duration", f"unknown duration unit {r.duration_unit!r}")
    if r.currency is not None and r.currency not in list_currencies():
        yield FieldError("currency", f"unknown ISO 4217 currency code {r.currency!r}")
    if r.country is not None and not vocab.is_country(r.country):
        yield FieldError("country", f"unknown ISO 3166 country code {r.country!r}")
    if r.region is not None and r.region not in vocab.get("nuts"):
        yield FieldError("region", f"unknown NUTS code {r.region!r}")
    for code in r.languages:
        if not vocab.is_language(code):
            yield FieldError("languages", f"unknown language code {code!r}")
    for name in (*MULTILINGUAL_FIELDS, "learning_outcomes"):
        for tag in getattr(r, name):
            if not vocab.is_language(tag.split("-")[0]):
                yield FieldError(name, f"unknown language tag {tag!r}")
    for name, vocabulary in VOCABULARY_FIELDS.items():
        value = getattr(r, name)
        for code in value if isinstance(value, list) else [value] if value is not None else []:
            if code not in vocab.get(vocabulary):
                yield FieldError(name, f"unknown code {code!r} (see {vocabulary}.csv)")
    for name in ("start_dates", "application_deadline"):
        value = getattr(r, name)
        for text in value if isinstance(value, list) else [value] if value else []:
            if not _is_date(text):
                yield FieldError(name, f"{text!r} is not a date (YYYY-MM-DD)")
    for session in r.sessions:
        for key in ("start", "end", "apply_from", "apply_until"):
            if session.get(key) is not None and not _is_date(session[key]):
                yield FieldError("sessions", f"{session[key]!r} is not a date (YYYY-MM-DD)")
    for name in ("url", "application_url", "further_info_url"):
        value = getattr(r, name)
        if value and not is_web_url(value):
            yield FieldError(name, f"{value!r} is not an http(s) address")
    for uri in (*r.esco_skills, *r.esco_occupations):
        if not uri.startswith("http://data.europa.eu/esco/"):
            yield FieldError("esco_skills", f"{uri!r} is not an ESCO concept URI")
    for place in r.places:
        yield from _place_errors(place)


def _place_errors(place: dict):
    if place.get("nuts") and place["nuts"] not in vocab.get("nuts"):
        yield FieldError("place_nuts", f"unknown NUTS code {place['nuts']!r}")
    if place.get("country") and not vocab.is_country(place["country"]):
        yield FieldError("place_country", f"unknown ISO 3166 country code {place['country']!r}")
    lat, lon = place.get("lat"), place.get("lon")
    if (lat is None) != (lon is None) or (lat is not None and not (
            _is_number(lat) and _is_number(lon) and -90 <= lat <= 90 and -180 <= lon <= 180)):
        yield FieldError("place_geo", f"{lat!r} {lon!r} is not a latitude and longitude")


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_date(text) -> bool:
    try:
        dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        return False
    return len(text) == 10


URL_UNSAFE = re.compile(r"[\s\"'<>\\^`{|}\x00-\x1f\x7f]")  # never raw in an address (RFC 3986)


def is_web_url(text: str) -> bool:
    """An absolute http(s) address with a host and no character RFC 3986 leaves out of URLs
    (quotes, spaces, angle brackets...): what the pages may link to."""
    if not isinstance(text, str) or URL_UNSAFE.search(text):
        return False
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)
