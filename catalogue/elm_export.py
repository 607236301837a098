"""One catalogue offer as ELM v3 JSON-LD: a LearningOpportunity and its
LearningAchievementSpecification, shaped to the LOQ SHACL constraints Europass validates with.

Pure functions from a record (an ``Opportunity`` or ``OpportunityRecord``) and its provider to a
dict; the portal serves it. Only what the provider stated is written: nothing is invented to
satisfy a shape, so an offer without learning outcomes, languages or a field of education gives a
document the LOQ shapes flag (``MANDATORY`` names those elements). The property names are the
ones harvesters/elm.py reads, so an exported offer harvests back to the same values.

Vocabulary choices (sources: the ELM ontology and the LOQ shapes in ../shared/data/elm/):
- the EQF level is the LAS's ``educationLevel`` (``elm:EQFLevel`` has the domain Qualification,
  and a Qualification needs an NQF level with a Commission URI, which learncat does not hold);
- ESCO skills are ``relatedSkill`` of the first outcome (the shapes' ``relatedESCOSkill`` pattern
  asks for an ``inScheme`` beginning ``https://ec.europa.eu/esco/skill/``, which no ESCO scheme is);
- quality assurance is a Note (an ``Accreditation`` needs the accrediting agent, not held);
- one start date: a LearningOpportunity has at most one ``temporal`` period with one start.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import cache

from babel.core import get_global

from . import vocabularies as vocab

CONTEXT_URL = "http://data.europa.eu/snb/model/context/edc-ap"
# the ELM context leaves "id" and "type" to the W3C credentials context; an offer is no
# credential, so the two aliases are stated inline
CONTEXT = [CONTEXT_URL, {"id": "@id", "type": "@type"}]
AUTHORITY = "http://publications.europa.eu/resource/authority/"
SNB = "http://data.europa.eu/snb/"
SCHEMES = {  # concept URI prefix -> the concept scheme the LOQ-constraints-mdr shapes require
    f"{SNB}eqf/": f"{SNB}eqf/25831c2",
    f"{SNB}isced-f/": f"{SNB}isced-f/25831c2",
    f"{SNB}education-credit/": f"{SNB}education-credit/25831c2",
    f"{SNB}assessment/": f"{SNB}assessment/25831c2",
    f"{SNB}target-group/": f"{SNB}target-group/25831c2",
    f"{SNB}learning-assessment/": f"{SNB}learning-assessment/25831c2",
    f"{SNB}accreditation/": f"{SNB}accreditation/25831c2",
    f"{AUTHORITY}language/": f"{AUTHORITY}language",
    f"{AUTHORITY}country/": f"{AUTHORITY}country",
    f"{AUTHORITY}currency/": f"{AUTHORITY}currency",
    "http://data.europa.eu/nuts/code/": "http://data.europa.eu/nuts",
}
CREDIT_FRAMEWORKS = {"ECTS": f"{SNB}education-credit/6fcec5c5af",
                     "ECVET": f"{SNB}education-credit/60b314e826"}
# ISO 639-2 bibliographic codes: the EU authority list uses the terminology ones (DEU, not GER)
BIBLIOGRAPHIC = {"alb", "arm", "baq", "bur", "chi", "cze", "dut", "fre", "geo", "ger", "gre",
                 "ice", "mac", "mao", "may", "per", "rum", "slo", "tib", "wel"}
# ISO 3166 alpha-3 codes of former countries CLDR still maps to today's (DDR -> DE)
FORMER_COUNTRIES = {"ANT", "BUR", "DDR", "FXX", "NTZ", "SCG", "SUN", "TMP", "YMD", "YUG", "ZAR"}
DURATION_UNITS = {"year": "P{}Y", "month": "P{}M", "week": "P{}W", "day": "P{}D",
                  "hour": "PT{}H", "minute": "PT{}M"}
# the LOQ shapes' mandatory elements that a catalogue offer may lack: (path, what the provider
# did not state); an export without them is honest, and these are the violations it then has
MANDATORY = {"elm:learningOutcome": "learning outcomes", "dc:language": "language",
             "elm:ISCEDFCode": "field of education (ISCED-F)"}


def concept(uri: str, labels: dict[str, str] | None = None) -> dict:
    node = {"id": uri, "type": "Concept"}
    scheme = next((s for prefix, s in SCHEMES.items() if uri.startswith(prefix)), None)
    if scheme:
        node["inScheme"] = {"id": scheme, "type": "ConceptScheme"}
    if labels:
        node["prefLabel"] = dict(labels)
    return node


@cache
def language_uri(code: str) -> str | None:
    """'de' -> .../authority/language/DEU (ISO 639-2/T, as the EU authority list writes it)."""
    base = code.split("-")[0].lower()
    if len(base) == 3:
        return f"{AUTHORITY}language/{base.upper()}"
    three = sorted(k for k, v in get_global("language_aliases").items()
                   if v == base and len(k) == 3 and k.isalpha() and k not in BIBLIOGRAPHIC)
    return f"{AUTHORITY}language/{three[0].upper()}" if three else None


@cache
def country_uri(code: str | None) -> str | None:
    """'DE' -> .../authority/country/DEU (ISO 3166 alpha-3)."""
    if not code:
        return None
    alpha3 = next((k for k, v in get_global("territory_aliases").items()
                   if len(k) == 3 and k.isalpha() and k not in FORMER_COUNTRIES
                   and v and v[0] == code.upper()), None)
    return f"{AUTHORITY}country/{alpha3}" if alpha3 else None


def vocab_concepts(name: str, codes) -> list[dict]:
    """Concepts for the codes of a learncat vocabulary that carry a Commission URI."""
    terms = vocab.get(name)
    return [concept(terms.terms[c].uri, {"en": terms.terms[c].label})
            for c in codes or () if c in terms and terms.terms[c].uri]


def iso_duration(value: float | None, unit: str | None) -> str | None:
    if value is None or unit not in DURATION_UNITS or value <= 0:
        return None
    return DURATION_UNITS[unit].format(f"{value:g}")


def date_time(day: str | None) -> str | None:
    return f"{day[:10]}T00:00:00Z" if day else None


def note(texts: dict[str, str], subject: dict | None = None) -> dict:
    node = {"type": "Note", "noteLiteral": dict(texts)}
    if subject:
        node["subject"] = subject
    return node


def organisation(uri: str, name: dict[str, str], country: str | None) -> dict:
    """An Organisation: the shapes require a legal name and a location with a country."""
    node = {"id": uri, "type": "Organisation", "legalName": dict(name)}
    country = country_uri(country)
    if country:
        node["location"] = {"id": f"{uri}-location", "type": "Location",
                            "address": {"id": f"{uri}-address", "type": "Address",
                                        "countryCode": concept(country)}}
    return node


def location(uri: str, place: dict, fallback_country: str | None, lang: str) -> dict | None:
    country = country_uri(place.get("country") or fallback_country)
    if not country:
        return None
    node = {"id": uri, "type": "Location",
            "address": {"id": f"{uri}-address", "type": "Address",
                        "countryCode": concept(country)}}
    if place.get("city"):
        node["geographicName"] = {lang: place["city"]}
    if place.get("nuts"):
        node["spatialCode"] = concept(f"http://data.europa.eu/nuts/code/{place['nuts']}")
    if place.get("lat") is not None and place.get("lon") is not None:
        # locn:geometry has no short term in the ELM context; the harvester reads either form
        node["locn:geometry"] = {"id": f"{uri}-geometry", "type": "Geometry",
                                 "latitude": str(place["lat"]), "longitude": str(place["lon"])}
    return node


def outcomes(uri: str, o, course_titles: list[str]) -> list[dict]:
    """One LearningOutcome per statement (statements are listed per language, not aligned)."""
    found = []
    for lang, items in (o.learning_outcomes or {}).items():
        for item in items:
            if item and item.strip() and item not in course_titles:
                found.append({"id": f"{uri}-outcome-{len(found) + 1}", "type": "LearningOutcome",
                              "title": {lang: item}})
    skills = [concept(s, (o.concept_labels or {}).get(s) or vocab.esco_labels(s) or None)
              for s in o.esco_skills or ()]
    if found and skills:
        found[0]["relatedSkill"] = skills
    return found


def credit_points(o) -> list[dict]:
    points, seen = [], set()
    stated = list(o.credits or [])
    if o.ects is not None and not any(c.get("scheme") == "ECTS" for c in stated):
        stated.insert(0, {"value": o.ects, "scheme": "ECTS"})
    for credit in stated:
        uri = CREDIT_FRAMEWORKS.get(credit.get("scheme"))
        if uri and credit.get("value") is not None and (uri, credit["value"]) not in seen:
            seen.add((uri, credit["value"]))
            points.append({"type": "CreditPoint", "framework": concept(uri, {
                "en": credit["scheme"]}), "point": f"{credit['value']:g}"})
    return points


def assessment(uri: str, o) -> dict | None:
    types = vocab_concepts("assessment_types", o.assessment_types)
    title = dict(o.assessment or {}) or {
        "en": "; ".join(vocab.get("assessment_types").label(c) for c in o.assessment_types
                        if c in vocab.get("assessment_types"))}
    if not types and not o.assessment:
        return None
    node = {"id": uri, "type": "LearningAssessmentSpecification", "title": title}
    if types:
        node["dcType"] = types
    if o.grading:
        node["gradingScheme"] = {"id": f"{uri}-grading", "type": "GradingScheme",
                                 "title": dict(o.grading)}
    return node


def specification(uri: str, o) -> dict:
    titles = dict(o.qualification_title or {}) or dict(o.title)
    spec = {"id": uri, "type": "LearningAchievementSpecification", "title": titles}
    if o.description:
        spec["description"] = dict(o.description)
    found = outcomes(uri, o, [*o.title.values(), *titles.values()])
    if found:
        spec["learningOutcome"] = found
    if o.eqf_level:
        spec["educationLevel"] = vocab_concepts("eqf", [str(o.eqf_level)])
    if o.isced_f:
        spec["thematicArea"] = vocab_concepts("isced_f", o.isced_f)
    languages = [u for u in map(language_uri, o.languages or ()) if u]
    if languages:
        spec["language"] = [concept(u) for u in languages]
    points = credit_points(o)
    if points:
        spec["creditPoint"] = points
    if o.workload_hours:
        spec["volumeOfLearning"] = f"PT{o.workload_hours:g}H"
    targets = vocab_concepts("target_groups", o.target_groups)
    if targets:
        spec["targetGroup"] = targets
    if o.prerequisites:
        spec["entryRequirement"] = note(o.prerequisites)
    proof = assessment(f"{uri}-assessment", o)
    if proof:
        spec["provenBy"] = proof
    bodies = list(o.awarding_bodies or ([o.awarding_body] if o.awarding_body else []))
    if bodies:
        spec["awardingOpportunity"] = {
            "id": f"{uri}-awarding", "type": "AwardingOpportunity",
            "learningAchievementSpecification": uri,
            "awardingBody": [organisation(f"{uri}-awarding-body-{n}", {"en": name}, o.country)
                             for n, name in enumerate(bodies, start=1)]}
    return spec


def learning_opportunity(o, provider, uri: str, page_url: str) -> dict:
    """The offer ``o`` of ``provider`` as an ELM JSON-LD document; ``uri`` names its nodes,
    ``page_url`` is learncat's page of it (the homepage when the provider gave none)."""
    lo = {"@context": CONTEXT, "id": uri, "type": "LearningOpportunity", "title": dict(o.title)}
    if o.description:
        lo["description"] = dict(o.description)
    lo["homepage"] = {"id": f"{uri}-homepage", "type": "WebResource",
                      "contentURL": o.further_info_url or o.url or page_url}
    title_lang = next(iter(o.title), None) or next(iter(o.languages or ()), "en")
    # defaultLanguage has no short term in the ELM context: its prefixed name
    lo["elm:defaultLanguage"] = concept(language_uri(title_lang) or f"{AUTHORITY}language/ENG")
    start = sorted(o.start_dates or [])[:1]
    if start:
        lo["temporal"] = {"id": f"{uri}-period", "type": "PeriodOfTime",
                          "startDate": date_time(start[0])}
    period = iso_duration(o.duration_value, o.duration_unit)
    if period:
        lo["duration"] = period
    modes = vocab_concepts("participation_forms", [o.participation_form])
    if modes:
        lo["mode"] = modes
    if o.application_deadline:
        lo["applicationDeadline"] = date_time(o.application_deadline)
    if o.price is not None and o.currency:
        lo["priceDetail"] = {"id": f"{uri}-price", "type": "PriceDetail", "amount": {
            "id": f"{uri}-amount", "type": "Amount",
            "rdf:value": {"@value": f"{o.price:g}", "@type": "xsd:decimal"},
            "unit": concept(f"{AUTHORITY}currency/{o.currency.upper()}")}}
    qa = vocab.get("qa_types")
    notes = [note({"en": f"Quality assurance: {qa.label(c)}"},
                  concept(qa.terms[c].uri) if qa.terms[c].uri else None)
             for c in o.qa_types or () if c in qa]
    if notes:
        lo["additionalNote"] = notes
    lo["providedBy"] = organisation(f"{uri}-provider", provider_name(provider),
                                    provider.country or o.country)
    places = [location(f"{uri}-location-{n}", p, o.country or provider.country,
                       title_lang)
              for n, p in enumerate(o.places or [], start=1)]
    if any(places):
        lo["location"] = [p for p in places if p]
    lo["learningAchievementSpecification"] = specification(f"{uri}-specification", o)
    return lo


def provider_name(provider) -> dict[str, str]:
    if provider.legal_name:
        return {"en": provider.legal_name}
    return dict(provider.name or {}) or {"en": provider.slug}


def graph(items: Iterable[tuple[object, object, str, str]]) -> Iterator[str]:
    """Many offers as one ELM JSON-LD document, a piece at a time: one context and a
    ``@graph`` of the offers' opportunities, from ``(offer, provider, uri, page_url)`` items."""
    yield f'{{"@context": {json.dumps(CONTEXT)}, "@graph": ['
    for n, (o, provider, uri, page_url) in enumerate(items):
        doc = learning_opportunity(o, provider, uri, page_url)
        del doc["@context"]
        yield ("," if n else "") + "\n" + json.dumps(doc, ensure_ascii=False)
    yield "\n]}\n"
