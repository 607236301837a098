"""to_document: the one mapping from a catalogue row to a search document, for every backend.

A document carries what search filters on and what a result card shows, so that a page of
results needs no database lookups.
"""
from __future__ import annotations

import datetime as dt

from catalogue import vocabularies as vocab
from catalogue.models import Opportunity
from catalogue.sanitize import plain
from catalogue.validation import validate

from . import analysis
from .concepts import suggest_skills
from .protocol import ects_range


def to_document(o: Opportunity) -> dict:
    record = o.to_record()
    check = validate(record)
    places = [{**p, "country": p.get("country") or o.country} for p in o.places]
    countries = sorted({p["country"] for p in places if p["country"]}) or (
        [o.country] if o.country else [])
    return {
        "id": o.id,
        "provider": o.provider.slug,
        "provider_name": o.provider.name,
        **text_fields(o),
        "awarding_body": "; ".join(o.awarding_bodies) or o.awarding_body,  # all, joint awards too
        "eqf": o.eqf_level,
        "ects": o.ects,
        "ects_range": ects_range(o.ects),
        "workload_hours": o.workload_hours,
        "form": o.participation_form,
        "countries": countries,
        "regions": sorted({code for p in places if p.get("nuts")
                           for code in vocab.nuts_ancestors(p["nuts"])}),
        "cities": [p["city"] for p in places if p.get("city")],
        "locations": [{"lat": p["lat"], "lon": p["lon"]} for p in places
                      if p.get("lat") is not None and p.get("lon") is not None],
        "languages": o.languages,
        "isced": sorted({code for c in o.isced_f for code in vocab.isced_ancestors(c)}),
        "qa": o.qa_types,
        "price": o.price,
        "currency": o.currency,
        "price_class": None if o.price is None else "free" if o.price == 0 else "paid",
        "stackability": o.stackability,
        "funding": o.funding,
        "target_groups": o.target_groups,
        "start_dates": sorted(o.start_dates),
        "start_anytime": o.start_anytime,
        "duration": [o.duration_value, o.duration_unit] if o.duration_value else None,
        "skills": o.esco_skills,
        "suggested_skills": [] if o.esco_skills else suggest_skills(o.learning_outcomes),
        "occupations": o.esco_occupations,
        "skill_labels": sorted({label for uri in o.esco_skills for label in
                                vocab.concept_labels(uri, o.concept_labels).values()}),
        "completeness": len(check.present),
        "first_seen": utc_iso(o.first_seen_at),
        "updated": utc_iso(o.updated_at),  # when its content last changed: change feeds
    }


def utc_iso(moment: dt.datetime | None) -> str | None:
    """A moment as ISO 8601 in UTC to the second (SQLite gives back naive UTC datetimes)."""
    if moment is None:
        return None
    moment = moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def text_fields(o: Opportunity) -> dict:
    """Title, description (plain text) and outcomes (joined) by language: what is searched
    and embedded."""
    return {"title": o.title,
            "description": {lang: plain(text) for lang, text in o.description.items()},
            "outcomes": {lang: " · ".join(items) for lang, items in o.learning_outcomes.items()}}


def text_languages(doc: dict) -> list[str]:
    """The languages a document has text in, title languages first."""
    seen = dict.fromkeys([*doc["title"], *doc["outcomes"], *doc["description"]])
    return list(seen)


def completions(docs, prefix: str, locale: str, size: int) -> list[str]:
    """Titles (the reader's language first) and skill labels of ``docs`` that have a word
    starting with the last word of ``prefix``: what both backends suggest while typing."""
    words = analysis.words(prefix)
    if not words:
        return []
    last = analysis.fold(words[-1])
    found: dict[str, None] = {}
    for doc in docs:
        titles = doc.get("title", {})
        for text in ([titles[locale]] if locale in titles else []) + list(titles.values()) + \
                doc.get("skill_labels", []):
            if any(analysis.fold(w).startswith(last) for w in analysis.WORD.findall(text)):
                found.setdefault(text, None)
    return list(found)[:size]


def analysed_text(doc: dict) -> dict[str, str]:
    """The index terms of each text field, each language stemmed with its own stemmer, folded:
    what both backends match query words against (title, outcomes, description, other)."""
    def analysed(texts: dict) -> str:
        return " ".join(analysis.analyze(text, lang) for lang, text in texts.items())

    other = " ".join(filter(None, [
        *(analysis.analyze(name, lang) for lang, name in doc["provider_name"].items()),
        analysis.analyze(doc.get("awarding_body") or "", "en"),
        *(analysis.analyze(city, "en") for city in doc["cities"]),
    ]))
    return {"title": analysed(doc["title"]), "outcomes": analysed(doc["outcomes"]),
            "description": analysed(doc["description"]), "other": other}
