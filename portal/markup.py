"""schema.org JSON-LD for an offer page: a Course with one CourseInstance per presentation or
start date, as search engines read it for course listings and as learncat's own schema.org
harvester (harvesters/schemaorg.py) reads it back.

The markup is built from the catalogue row as plain dicts, in the reader's language (each page is
one language), and serialised by ``script_json`` so that no provider text can end the
``<script type="application/ld+json">`` element it is embedded in. It is data, not script: the
page's Content-Security-Policy does not apply to it and needs no exception.
"""
from __future__ import annotations

import html
import json
import re

from flask import current_app, url_for
from markupsafe import Markup

from catalogue import vocabularies as vocab
from catalogue.models import Opportunity, Provider

from . import labels
from .i18n import pick

EQF_SCHEME = "http://data.europa.eu/snb/eqf/25831c2"  # EU Vocabularies: the EQF concept scheme
ESCO_SKILLS = "http://data.europa.eu/esco/concept-scheme/skills"
ESCO_OCCUPATIONS = "http://data.europa.eu/esco/concept-scheme/occupations"
MODES = {"online": "Online", "onsite": "Onsite", "blended": "Blended"}  # schema.org courseMode
TAG = re.compile(r"<[^<>]*>")  # sanitised HTML: a "<" in text is "&lt;"
ISO_UNITS = {"year": "Y", "month": "M", "week": "W", "day": "D"}


def script_json(data) -> Markup:
    """JSON for a <script> element: ``<``, ``>`` and ``&`` as \\u escapes (the same JSON
    strings), so that "</script>" or "<!--" in a provider's text stays text."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))


def course(o: Opportunity) -> dict:
    """The offer as a schema.org Course; properties whose value is not known are left out."""
    page = url_for("pages.opportunity", opportunity_id=o.id, _external=True)
    # one identity in every language: the page in the portal's default language
    home = url_for("pages.opportunity", opportunity_id=o.id, _external=True,
                   lang=current_app.config["BABEL_DEFAULT_LOCALE"])
    title = _text(o.title)
    credential = _credential(o, home, title)
    data = {
        "@context": "https://schema.org",
        "@type": "Course",
        "@id": f"{home}#course",
        "url": page,
        "sameAs": o.url,
        "name": title,
        "description": _plain(o.description),
        "provider": organisation(o.provider),
        "inLanguage": o.languages[0] if len(o.languages) == 1 else o.languages,
        "educationalLevel": _eqf(o.eqf_level),
        "educationalCredentialAwarded": credential,
        "occupationalCredentialAwarded": {"@id": credential["@id"]}
        if credential and o.esco_occupations else None,
        "numberOfCredits": _credits(o),
        "timeRequired": _duration(o.workload_hours, "hour"),
        "coursePrerequisites": _text(o.prerequisites),
        "teaches": _outcomes(o),
        "offers": _offers(o, page),
        "isAccessibleForFree": True if o.price == 0 else None,
        "hasCourseInstance": _instances(o),
    }
    return _pruned(data)


def organisation(p: Provider) -> dict:
    """The provider as an EducationalOrganization, its learncat page as its address."""
    home = url_for("pages.provider", slug=p.slug, _external=True,
                   lang=current_app.config["BABEL_DEFAULT_LOCALE"])
    return _pruned({
        "@type": "EducationalOrganization",
        "@id": f"{home}#organization",
        "url": url_for("pages.provider", slug=p.slug, _external=True),
        "name": _text(p.name) or p.legal_name,
        "legalName": p.legal_name,
        "identifier": p.identifier,
        "sameAs": p.website,
        "address": _pruned({"@type": "PostalAddress", "addressCountry": p.country,
                            "addressLocality": p.city}) if p.country or p.city else None,
    })


def _credential(o: Opportunity, home: str, title: str) -> dict | None:
    """What passing earns, when the provider named a qualification or an awarding body."""
    bodies = o.awarding_bodies or ([o.awarding_body] if o.awarding_body else [])
    if not (o.qualification_title or bodies):
        return None
    return _pruned({
        "@type": "EducationalOccupationalCredential",
        "@id": f"{home}#credential",
        "name": _text(o.qualification_title) or title,
        "educationalLevel": _eqf(o.eqf_level),
        "recognizedBy": [{"@type": "Organization", "name": b} for b in bodies],
        "about": [_term(uri, o, ESCO_OCCUPATIONS) for uri in o.esco_occupations],
    })


def _eqf(level: int | None) -> dict | None:
    term = vocab.get("eqf").terms.get(str(level)) if level is not None else None
    if term is None:
        return None
    return {"@type": "DefinedTerm", "@id": term.uri, "termCode": term.code,
            "name": labels.eqf(term.code), "inDefinedTermSet": EQF_SCHEME}


def _credits(o: Opportunity) -> dict | None:
    """ECTS when known, else the first value the provider stated in another scheme."""
    if o.ects is not None:
        return {"@type": "StructuredValue", "value": _number(o.ects), "unitText": "ECTS"}
    stated = next((c for c in o.credits or [] if c.get("value") is not None), None)
    if stated is None:
        return None
    return _pruned({"@type": "StructuredValue", "value": _number(stated["value"]),
                    "unitText": stated.get("scheme")})


def _outcomes(o: Opportunity) -> list:
    """The learning outcomes in the reader's language (else the first given), then the ESCO
    skills as terms of their concept scheme."""
    outcomes = o.learning_outcomes or {}
    shown = pick(outcomes)
    items: list = list(outcomes.get(shown.lang, []))
    return items + [_term(uri, o, ESCO_SKILLS) for uri in o.esco_skills]


def _term(uri: str, o: Opportunity, scheme: str) -> dict:
    names = labels.concept(uri, o.concept_labels)
    return _pruned({"@type": "DefinedTerm", "@id": uri,
                    "name": str(pick(names)) if names else None, "inDefinedTermSet": scheme})


def _offers(o: Opportunity, page: str) -> list[dict]:
    """One Offer per price, the catalogue's price first (the harvester reads the first)."""
    prices = list(o.prices or [])
    if not prices and o.price is not None:
        prices = [{"amount": o.price, "currency": o.currency, "condition": None}]
    prices.sort(key=lambda p: (p.get("amount"), p.get("currency")) != (o.price, o.currency))
    return [_pruned({
        "@type": "Offer", "price": _number(p["amount"]), "priceCurrency": p.get("currency"),
        "category": "Free" if p["amount"] == 0 else "Paid", "description": p.get("condition"),
        "url": o.application_url or page,
    }) for p in prices if p.get("amount") is not None]


def _instances(o: Opportunity) -> list[dict]:
    """One CourseInstance per presentation, one per further start date, else one for the way
    it is taught (search engines expect at least one)."""
    base = {"@type": "CourseInstance", "courseMode": MODES.get(o.participation_form or ""),
            "courseWorkload": _duration(o.workload_hours, "hour"),
            "duration": _duration(o.duration_value, o.duration_unit)}
    places = _locations(o)
    instances, starts = [], set()
    for s in o.sessions or []:
        venue = s.get("venue")  # a named place in the offer's (first) town
        location = ({**(places[0] if places and places[0]["@type"] == "Place" else
                        {"@type": "Place"}), "name": venue} if venue else places)
        instances.append({**base, "startDate": s.get("start"), "endDate": s.get("end"),
                          "location": location, "maximumAttendeeCapacity": s.get("places")})
        starts.add(s.get("start"))
    instances += [{**base, "startDate": d, "location": places}
                  for d in o.start_dates or [] if d not in starts]
    return [_pruned(i) for i in instances] or [_pruned({**base, "location": places})]


def _locations(o: Opportunity) -> list[dict]:
    if o.participation_form == "online":
        return [_pruned({"@type": "VirtualLocation", "url": o.url})]
    found = []
    for p in o.places or []:
        if not p.get("city"):
            continue
        geo = ({"@type": "GeoCoordinates", "latitude": p["lat"], "longitude": p["lon"]}
               if p.get("lat") is not None and p.get("lon") is not None else None)
        address = {"@type": "PostalAddress", "addressLocality": p["city"],
                   "addressCountry": p.get("country") or o.country}
        found.append(_pruned({"@type": "Place", "name": p["city"], "geo": geo,
                              "address": _pruned(address)}))
    return found


def _duration(value, unit: str | None) -> str | None:
    """ISO 8601: (25, 'hour') -> 'PT25H', (6, 'week') -> 'P6W'."""
    if value is None or not value > 0 or (unit != "hour" and unit not in ISO_UNITS):
        return None
    amount = _number(value)
    return f"PT{amount}H" if unit == "hour" else f"P{amount}{ISO_UNITS[unit]}"


def _number(value):
    return int(value) if float(value).is_integer() else float(value)


def _text(texts: dict | None) -> str | None:
    return str(pick(texts)) or None


def _plain(texts: dict | None) -> str | None:
    return plain(pick(texts)) or None


def plain(text: str) -> str:
    """A text that may hold the provider's sanitised HTML (catalogue.sanitize), as plain text:
    tags become spaces, entities characters."""
    return " ".join(html.unescape(TAG.sub(" ", text or "")).split())


def _pruned(data: dict) -> dict:
    """Without the properties whose value is unknown (None, "" or an empty list)."""
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}
