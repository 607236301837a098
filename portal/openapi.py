"""The API's OpenAPI 3.1 document, generated from what the service validates with.

Parameters come from ``api.PARAMETERS`` (what each endpoint reads), their bounds from the search
service's limits, facet values from the vocabularies its validators check against, sorts from
``indexer.protocol``, and paths from the URL map: a new facet, sort or limit is documented the
moment it is accepted. Descriptions are translated, so the same document, built in the reader's
language, also makes the documentation page (``/<lang>/api``).
"""
from __future__ import annotations

import json
import re
from urllib.parse import unquote

from babel import Locale
from flask import current_app, request, url_for
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import func, select

from catalogue import vocabularies as vocab
from catalogue.models import Opportunity, Provider, Status
from catalogue.validation import MANDATORY
from indexer.protocol import FACETS, SORTS

from . import api, labels, search_service as ss
from .services import session

OPENAPI = "3.1.0"
PROBLEM = "application/problem+json"
MAX_ID = 2**63 - 1  # portal.IdConverter: what both databases hold
REPEAT = _l("Repeat the parameter to allow several values: an offer matches any of them.")
LABELLED = 12  # facet values listed with their labels in the description up to this many
LISTED = 30  # values listed on the documentation page up to this many


def facet_codes(name: str) -> list[str] | None:
    """The values a facet accepts, from the list its validator checks against (None: the
    provider, whose identifiers follow a pattern)."""
    if name == "eqf":
        return list(ss.EQF_LEVELS)
    if name == "ects":
        return [code for code, _, _ in ss.ECTS_RANGES]
    if name == "price":
        return list(ss.PRICE_CLASSES)
    if name == "country":
        return sorted(c for c in _cldr().territories if vocab.is_country(c))
    if name == "language":
        return sorted(c for c in _cldr().languages if vocab.is_language(c))
    if name == "provider":
        return None
    return [term.code for term in vocab.get(labels.FACET_VOCABULARY[name])]


def _cldr() -> Locale:
    return Locale.parse("en")


def facet_parameter(name: str) -> tuple[dict, str]:
    codes = facet_codes(name)
    item = {"type": "string", "enum": codes} if codes else {"type": "string",
                                                               "pattern": ss.SLUG.pattern}
    parts = [f"{labels.FACET_TITLES[name]}.", str(REPEAT)]
    if codes and len(codes) <= LABELLED:
        named = {code: labels.facet_value(name, code) for code in codes}
        if any(code not in label for code, label in named.items()):  # not "5: EQF 5"
            parts.append("; ".join(f"{code}: {label}" for code, label in named.items()))
    return {"type": "array", "items": item}, " ".join(parts)


def query_parameters() -> dict[str, tuple[dict, str]]:
    """Every query parameter an endpoint may read: (JSON schema, description)."""
    number = {"type": "number", "minimum": 0}
    sorts = "; ".join(f"{s}: {ss.SORT_LABELS.get(s, s)}" for s in SORTS)
    return {
        "q": ({"type": "string", "maxLength": ss.MAX_TEXT},
              gettext("Words to search for, in any of the 24 languages. Words that name a level, "
                      "a form of participation or a place are read as filters, unless literal=1.")),
        "literal": ({"type": "string", "enum": ["1"]},
                    gettext("1: search the words as typed, without reading filters or related "
                            "concepts out of them.")),
        **{name: facet_parameter(name) for name in FACETS},
        "ects_min": (number, gettext("Fewest ECTS credits (inclusive).")),
        "ects_max": (number, gettext("Most ECTS credits (inclusive).")),
        "hours_min": (number, gettext("Fewest hours of work (inclusive): as the offer states "
                                      "them, or its ECTS credits at 25 to 30 hours each.")),
        "hours_max": (number, gettext("Most hours of work (inclusive): as the offer states "
                                      "them, or its ECTS credits at 25 to 30 hours each.")),
        "start_from": ({"type": "string", "format": "date"},
                       gettext("Offers with a start on or after this date, or that start any "
                               "time.")),
        "start_to": ({"type": "string", "format": "date"},
                     gettext("Offers with a start on or before this date, or that start any "
                             "time.")),
        "starts_within": ({"type": "integer", "minimum": 1, "maximum": ss.MAX_WEEKS},
                          gettext("Offers that start within this many weeks from today, or that "
                                  "start any time (within start_from and start_to if given).")),
        "near": ({"type": "string", "maxLength": 100},
                 gettext("A city or town: offers within radius_km of it.")),
        "lat": ({"type": "number", "minimum": -90, "maximum": 90},
                gettext("Latitude of a point to search around (with lon).")),
        "lon": ({"type": "number", "minimum": -180, "maximum": 180},
                gettext("Longitude of a point to search around (with lat).")),
        "radius_km": ({"type": "number", "exclusiveMinimum": 0, "maximum": ss.MAX_RADIUS_KM,
                       "default": ss.RADIUS_KM},
                      gettext("Distance from the place or point, in kilometres.")),
        "online": ({"type": "string", "enum": ["include"]},
                   gettext("include: online offers are kept when searching near a place.")),
        "anytime": ({"type": "string", "enum": ["1"]},
                    gettext("1: only offers you can start at any time.")),
        "updated_since": ({"type": "string", "format": "date-time"},
                          gettext("Offers added or changed since this moment (ISO 8601; a date "
                                  "alone is its midnight, a moment without a zone is UTC).")),
        "sort": ({"type": "string", "enum": list(SORTS), "default": SORTS[0]},
                 " ".join((gettext("Order of the results."), sorts))),
        "page": ({"type": "integer", "minimum": 1, "maximum": ss.MAX_PAGE, "default": 1},
                 gettext("Page of results, from 1.")),
        "per_page": ({"type": "integer", "minimum": 1, "maximum": ss.MAX_PER_PAGE,
                      "default": ss.PER_PAGE}, gettext("Results per page.")),
        "size": ({"type": "integer", "minimum": 1, "maximum": api.MAX_SUGGESTIONS,
                  "default": api.SUGGESTIONS}, gettext("Most suggestions to return.")),
        "lang": ({"type": "string", "enum": list(current_app.config["LANGUAGES"])},
                 gettext("Language of labels and messages; without it, the Accept-Language "
                         "header decides.")),
    }


def path_parameters() -> dict[str, tuple[dict, str]]:
    return {
        "opportunity_id": ({"type": "integer", "minimum": 0, "maximum": MAX_ID},
                           gettext("The offer's identifier: it stays the same, also after the "
                                   "offer is withdrawn.")),
        "slug": ({"type": "string", "pattern": ss.SLUG.pattern},
                 gettext("The provider's identifier.")),
    }


EXAMPLE_VALUES = {"q": "Schweißen", "eqf": ["6"], "form": ["online"], "country": ["DE"],
                  "near": "Lyon", "sort": "-ects", "per_page": 10}


def parameter(name: str, where: str, schema: dict, description: str, required: bool) -> dict:
    param = {"name": name, "in": where, "required": required, "description": description,
             "schema": schema}
    if schema.get("type") == "array":
        param.update(style="form", explode=True)  # ?eqf=6&eqf=7
    if name in EXAMPLE_VALUES and where == "query":
        param["example"] = EXAMPLE_VALUES[name]
    return param


def operations() -> dict[str, dict]:
    """What each endpoint of the api blueprint does and answers (its parameters are added from
    api.PARAMETERS and the URL map)."""
    searching = {"503": _response("Unavailable")}
    return {
        "api.search": {
            "summary": gettext("Search learning opportunities"),
            "description": gettext("The portal's search, with the search page's parameters: "
                                   "words, filters, ranges, a place and an order. Each page of "
                                   "results comes with the counts of every filter's values."),
            "ok": (gettext("A page of results, with the counts of every filter's values."),
                   "SearchResults"),
            "responses": searching,
            "examples": [
                (gettext("Words in any language"), {"q": "Schweißen"}),
                (gettext("Online offers at EQF level 6 or 7, most credits first"),
                 {"eqf": ["6", "7"], "form": "online", "sort": "-ects"}),
                (gettext("Free offers within 50 km of Lyon, and online ones"),
                 {"near": "Lyon", "radius_km": "50", "online": "include", "price": "free"}),
            ],
        },
        "api.search_csv": {
            "summary": gettext("Search results as CSV"),
            "description": gettext(
                "Every offer the search finds, up to 10,000 rows, as a CSV file in learncat's "
                "own CSV template: the file can be harvested again as a CSV feed. Takes the "
                "parameters of the search; page and per_page are ignored. X-Total-Count says "
                "how many offers the search found."),
            "ok": (gettext("The offers, one row each, with the template's columns."),
                   "SearchCsv"),
            "media": "text/csv",
            "responses": searching,
            "examples": [(gettext("Online offers at EQF level 6"),
                          {"eqf": "6", "form": "online"})],
        },
        "api.search_elm": {
            "summary": gettext("Search results in the European Learning Model"),
            "description": gettext(
                "The offers of search.csv as one ELM v3 JSON-LD document: a graph of "
                "LearningOpportunities, each as the single offer's ELM export writes it. Takes "
                "the parameters of the search; page and per_page are ignored. X-Total-Count says "
                "how many offers the search found."),
            "ok": (gettext("The offers in ELM."), "ElmGraph"),
            "media": "application/ld+json",
            "responses": searching,
            "examples": [(gettext("Online offers at EQF level 6"),
                          {"eqf": "6", "form": "online"})],
        },
        "api.autocomplete": {
            "summary": gettext("Complete what someone is typing"),
            "description": gettext("Titles and skill names that complete the words typed so "
                                   "far."),
            "ok": (gettext("Suggestions, best first."), "Suggestions"),
            "parameters": {"q": ({"type": "string", "minLength": api.PREFIX[0],
                                  "maxLength": api.PREFIX[1]},
                                 gettext("The words typed so far (2 to 100 characters)."))},
            "required": {"q"},
            "responses": searching,
            "examples": [(gettext("Completions of “nur”"), {"q": "nur"})],
        },
        "api.opportunity": {
            "summary": gettext("One learning opportunity"),
            "description": gettext("Everything the provider stated about the offer, with its "
                                   "Annex I completeness. A withdrawn offer keeps its address "
                                   "and answers 410 Gone, with its last known data."),
            "ok": (gettext("The offer."), "Opportunity"),
            "responses": {"404": _response("NotFound"), "410": {
                "description": gettext("The provider withdrew the offer: its last known data."),
                "content": {"application/json": {"schema": _ref("Opportunity")}}}},
            "examples": [(gettext("The first offer"), "opportunity")],
        },
        "api.opportunity_elm": {
            "summary": gettext("One learning opportunity in the European Learning Model"),
            "description": gettext("The offer as ELM v3 JSON-LD: a LearningOpportunity with "
                                   "its LearningAchievementSpecification, as Europass reads "
                                   "it. A withdrawn offer answers 410 Gone."),
            "ok": (gettext("The offer in ELM."), "ElmLearningOpportunity"),
            "media": "application/ld+json",
            "responses": {"404": _response("NotFound"), "410": {
                "description": gettext("The provider withdrew the offer: its last known data."),
                "content": {"application/ld+json": {
                    "schema": _ref("ElmLearningOpportunity")}}}},
            "examples": [(gettext("The first offer"), "opportunity")],
        },
        "api.providers": {
            "summary": gettext("Providers"),
            "description": gettext("Every provider whose offers are listed here, in the order "
                                   "of their identifiers, with their number of offers."),
            "ok": (gettext("A page of providers."), "Providers"),
            "examples": [(gettext("The first 10 providers"), {"per_page": "10"})],
        },
        "api.provider": {
            "summary": gettext("One provider"),
            "description": gettext("A provider's identity, quality assurance and recognition "
                                   "policy, with its number of offers."),
            "ok": (gettext("The provider."), "Provider"),
            "responses": {"404": _response("NotFound")},
            "examples": [(gettext("The first provider"), "provider")],
        },
        "api.openapi": {
            "summary": gettext("This description of the API"),
            "description": gettext("The API in OpenAPI 3.1, with its texts in the language "
                                   "that lang chooses."),
            "ok": (gettext("The OpenAPI document."), "OpenAPI"),
            "examples": [(gettext("In German"), {"lang": "de"})],
        },
    }


def document() -> dict:
    """The OpenAPI document, in the current request's language."""
    rules = {rule.endpoint: rule for rule in current_app.url_map.iter_rules()}
    samples = _samples()
    paths = {re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rules[endpoint].rule):
             {"get": path_operation(endpoint, op, rules[endpoint].arguments, samples)}
             for endpoint, op in operations().items() if endpoint in rules}
    return {
        "openapi": OPENAPI,
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {"title": gettext("learncat API"), "version": "1",
                 "description": gettext(
                     "The catalogue of short courses and micro-credentials, read by other "
                     "systems: search, offers and providers as JSON. Read-only, open to every "
                     "site's browser (CORS), without a key. Errors are problem details "
                     "(RFC 9457) in application/problem+json.")},
        "servers": [{"url": request.url_root.rstrip("/") or "/"}],
        "paths": paths,
        "components": {"schemas": schemas(), "responses": responses_components(),
                       "headers": {"ETag": {"description": gettext(
                           "Send it back in If-None-Match to get 304 while nothing changed."),
                           "schema": {"type": "string"}},
                           "Retry-After": {"description": gettext(
                               "Seconds to wait before trying again."),
                               "schema": {"type": "integer", "minimum": 0}}}},
    }


def path_operation(endpoint: str, op: dict, arguments, samples: dict) -> dict:
    """One endpoint's Operation Object: its path and query parameters (what api.PARAMETERS
    says it reads), its answers and its examples."""
    queries = {**query_parameters(), **op.get("parameters", {})}
    in_path = path_parameters()
    allowed = api.PARAMETERS.get(endpoint, set())
    params = [parameter(name, "path", *in_path[name], True) for name in sorted(arguments)]
    params += [parameter(name, "query", *queries.get(name, ({"type": "string"}, "")),
                         name in op.get("required", ()))
               for name in [*queries, *sorted(allowed - set(queries))] if name in allowed]
    text, schema = op["ok"]
    responses = {"200": {"description": text, "headers": {"ETag": _header("ETag")},
                         "content": {op.get("media", "application/json"):
                                     {"schema": _ref(schema)}}},
                 "304": {"description": gettext("Not modified: the ETag sent in If-None-Match "
                                                "is still current.")},
                 "400": _response("BadRequest"), **op.get("responses", {}),
                 "429": _response("TooManyRequests"), "500": _response("ServerError")}
    return {"operationId": endpoint.removeprefix("api."), "summary": op["summary"],
            "description": op["description"], "parameters": params,
            "responses": dict(sorted(responses.items())),
            "x-examples": [{"summary": summary, "href": href} for summary, args in op["examples"]
                           if (href := _example_href(endpoint, args, samples))]}


def _samples() -> dict[str, object]:
    """An offer and a provider that exist, for the examples that need one."""
    db = session()
    return {"opportunity": db.scalar(select(func.min(Opportunity.id))
                                     .where(Opportunity.status == Status.ACTIVE)),
            "provider": db.scalar(select(func.min(Provider.slug)))}


def _example_href(endpoint: str, args, samples: dict) -> str | None:
    if args == "opportunity":
        return samples["opportunity"] and url_for(endpoint, opportunity_id=samples["opportunity"])
    if args == "provider":
        return samples["provider"] and url_for(endpoint, slug=samples["provider"])
    return url_for(endpoint, **args)


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _response(name: str) -> dict:
    return {"$ref": f"#/components/responses/{name}"}


def _header(name: str) -> dict:
    return {"$ref": f"#/components/headers/{name}"}


def responses_components() -> dict:
    def problem(description: str, schema: str = "Problem", **extra) -> dict:
        return {"description": description, **extra,
                "content": {PROBLEM: {"schema": _ref(schema)}}}
    return {
        "BadRequest": problem(gettext("A parameter is unknown here or has a value that cannot "
                                      "be used: errors names each one."), "ParameterProblem"),
        "NotFound": problem(gettext("Nothing has this identifier.")),
        "TooManyRequests": problem(gettext("Too many requests from this client: wait as many "
                                           "seconds as Retry-After says."),
                                   headers={"Retry-After": _header("Retry-After")}),
        "ServerError": problem(gettext("An error on our side; it has been logged.")),
        "Unavailable": problem(gettext("Search is temporarily unavailable")),
    }


def _nullable(kind: str, **more) -> dict:
    return {"type": [kind, "null"], **more}


TEXT = {"type": "object", "additionalProperties": {"type": "string"}}  # {language: text}
STRINGS = {"type": "array", "items": {"type": "string"}}
PAGE = {name: {"type": "integer", "minimum": low} for name, low in
        (("total", 0), ("page", 1), ("per_page", 1), ("pages", 1))}


def schemas() -> dict:
    """The answers' JSON schemas; the problem shape is portal.errors.problem's."""
    forms = [t.code for t in vocab.get("participation_forms")]
    return {
        "Problem": {"type": "object", "required": ["type", "title", "status"], "properties": {
            "type": {"type": "string"}, "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"}}},
        "ParameterProblem": {"allOf": [_ref("Problem"), {"properties": {"errors": {
            "type": "array", "items": {"type": "object", "required": ["param", "message"],
                                       "properties": {"param": {"type": "string"},
                                                      "message": {"type": "string"}}}}}}]},
        "Text": TEXT,
        "SearchResults": {
            "type": "object",
            "required": [*PAGE, "query", "did_you_mean", "closest", "results", "facets"],
            "properties": {
                **PAGE,
                "query": {"type": "object", "required": ["text", "filters", "sort"],
                          "properties": {
                              "text": {"type": "string"},
                              "filters": {"type": "object", "propertyNames": {"enum": list(FACETS)},
                                          "additionalProperties": STRINGS},
                              "ects_min": _nullable("number"), "ects_max": _nullable("number"),
                              "hours_min": _nullable("number"),
                              "hours_max": _nullable("number"),
                              "start_from": _nullable("string", format="date"),
                              "start_to": _nullable("string", format="date"),
                              "start_anytime": {"type": "boolean"},
                              "updated_since": _nullable("string", format="date-time"),
                              "sort": {"enum": list(SORTS)},
                              "near": _nullable("object", properties={
                                  "place": {"type": "string"}, "lat": {"type": "number"},
                                  "lon": {"type": "number"}, "radius_km": {"type": "number"},
                                  "online_included": {"type": "boolean"}}),
                              "corrections": {"type": "object",
                                              "additionalProperties": {"type": "string"}}}},
                "did_you_mean": _nullable("string"),
                "closest": {"type": "boolean"},  # nothing matched well: the closest offers
                "results": {"type": "array", "items": _ref("Hit")},
                "facets": {"type": "object", "required": list(FACETS), "properties": {
                    name: {"type": "array", "items": _ref("FacetValue")} for name in FACETS}},
            }},
        "Hit": {"type": "object", "required": ["id", "title", "provider", "url", "api_url"],
                "properties": {
                    "id": {"type": "integer"}, "title": _ref("Text"),
                    "provider": {"type": "string"}, "provider_name": _ref("Text"),
                    "eqf": _nullable("integer", minimum=1, maximum=8),
                    "ects": _nullable("number"), "workload_hours": _nullable("number"),
                    "form": {"enum": [*forms, None]}, "languages": STRINGS,
                    "countries": STRINGS, "cities": STRINGS, "start_dates": STRINGS,
                    "start_anytime": {"type": "boolean"}, "price": _nullable("number"),
                    "currency": _nullable("string"),
                    "duration": _nullable("array", prefixItems=[{"type": "number"},
                                                                {"type": ["string", "null"]}]),
                    "completeness": {"type": "integer", "minimum": 0,
                                     "maximum": len(MANDATORY)},
                    "funding": STRINGS,  # codes of the funding vocabulary (facet "funding")
                    "target_groups": STRINGS,  # codes of the audience facet's vocabulary
                    "url": {"type": "string", "format": "uri"},
                    "api_url": {"type": "string", "format": "uri"},
                    "highlights": {"type": "object",  # HTML with <mark>
                                   "additionalProperties": {"type": "string"}}}},
        "FacetValue": {"type": "object", "required": ["value", "label", "count", "selected"],
                       "properties": {"value": {"type": "string"}, "label": {"type": "string"},
                                      "count": {"type": "integer", "minimum": 0},
                                      "selected": {"type": "boolean"}}},
        "Suggestions": {"type": "object", "required": ["query", "suggestions"],
                        "properties": {"query": {"type": "string"}, "suggestions": STRINGS}},
        "Opportunity": {
            "type": "object",
            "required": ["id", "url", "status", "title", "provider", "annex_i", "updated_at"],
            "properties": {
                "id": {"type": "integer"}, "status": {"enum": [s.value for s in Status]},
                "url": {"type": "string", "format": "uri"},
                "provider_url": _nullable("string"),
                "remote_id": {"type": "string"}, "title": _ref("Text"),
                "description": _ref("Text"),
                "learning_outcomes": {"type": "object", "additionalProperties": STRINGS},
                "awarding_body": _nullable("string"), "country": _nullable("string"),
                "eqf_level": _nullable("integer", minimum=1, maximum=8),
                "ects": _nullable("number"), "workload_hours": _nullable("number"),
                "participation_form": {"enum": [*forms, None]},
                "assessment_types": STRINGS, "qa_types": STRINGS, "languages": STRINGS,
                "start_dates": STRINGS, "start_anytime": {"type": "boolean"},
                "places": {"type": "array", "items": {"type": "object"}},
                "price": _nullable("number"), "currency": _nullable("string"),
                "isced_f": STRINGS, "esco_skills": STRINGS, "esco_occupations": STRINGS,
                "suggested_esco_skills": STRINGS,
                "provider": _ref("Provider"),
                "annex_i": {"type": "object", "required": ["mandatory", "optional",
                                                           "completeness"], "properties": {
                    "mandatory": {"type": "object", "propertyNames": {"enum": list(MANDATORY)},
                                  "additionalProperties": {"type": "boolean"}},
                    "optional": {"type": "object", "additionalProperties": {"type": "boolean"}},
                    "completeness": {"type": "object", "required": ["stated", "of"],
                                     "properties": {"stated": {"type": "integer", "minimum": 0},
                                                    "of": {"const": len(MANDATORY)}}}}},
                "updated_at": {"type": "string", "format": "date-time"}}},
        "ProviderSummary": {
            "type": "object", "required": ["slug", "name", "country", "url", "api_url", "offers"],
            "properties": {"slug": {"type": "string"}, "name": _ref("Text"),
                           "country": _nullable("string"),
                           "url": {"type": "string", "format": "uri"},
                           "api_url": {"type": "string", "format": "uri"},
                           "offers": {"type": "integer", "minimum": 0}}},  # withdrawn not counted
        "Providers": {"type": "object", "required": [*PAGE, "results"], "properties": {
            **PAGE, "results": {"type": "array", "items": _ref("ProviderSummary")}}},
        "Provider": {
            "type": "object", "required": ["slug", "name", "url"],
            "properties": {
                "slug": {"type": "string"}, "name": _ref("Text"),
                "legal_name": _nullable("string"), "identifier": _nullable("string"),
                "country": _nullable("string"), "region": _nullable("string"),
                "website": _nullable("string"), "deqar_id": _nullable("string"),
                "qa_statement": _ref("Text"), "recognition_policy": _ref("Text"),
                "recognition_policy_url": _nullable("string"),
                "url": {"type": "string", "format": "uri"},
                "api_url": {"type": "string", "format": "uri"},
                "offers": {"type": "integer", "minimum": 0},
                "withdrawn_offers": {"type": "integer", "minimum": 0},
                "offers_api_url": {"type": "string", "format": "uri"}}},
        "SearchCsv": {"type": "string", "description": "RFC 4180 text, header row first"},
        "OpenAPI": {"type": "object", "required": ["openapi", "info", "paths"],
                    "properties": {"openapi": {"const": OPENAPI}}},
        "ElmGraph": {
            "type": "object", "required": ["@context", "@graph"],
            "properties": {"@graph": {"type": "array", "items": {
                "type": "object", "required": ["id", "type", "title"],
                "properties": {"type": {"const": "LearningOpportunity"}}}}}},
        "ElmLearningOpportunity": {
            "type": "object", "required": ["@context", "id", "type", "title",
                                           "learningAchievementSpecification"],
            "properties": {"id": {"type": "string", "format": "uri"},
                           "type": {"const": "LearningOpportunity"}}},
    }


def resolve(doc: dict, obj: dict) -> dict:
    """A component the document refers to (``{"$ref": "#/components/..."}``), or obj itself."""
    ref = obj.get("$ref")
    if not ref:
        return obj
    for key in ref.removeprefix("#/").split("/"):
        doc = doc[key]
    return doc


def schema_facts(param: dict) -> list[str]:
    """A parameter's constraints in words, for the documentation page."""
    schema = param["schema"]
    facts = [gettext("required")] if param["required"] else []
    if param["in"] == "path":
        facts.append(gettext("in the path"))
    if schema.get("type") == "array":
        facts.append(gettext("repeatable"))
        schema = schema["items"]
    if "enum" in schema:
        codes = [str(code) for code in schema["enum"]]
        listed = gettext("a code from the list in the OpenAPI document")
        facts.append(gettext("one of: %(values)s", values=", ".join(codes))
                     if len(codes) <= LISTED else f"{listed} ({len(codes)})")
    if "minimum" in schema and "maximum" in schema:
        facts.append(gettext("from %(low)s to %(high)s", low=schema["minimum"],
                             high=schema["maximum"]))
    elif "minimum" in schema:
        facts.append(gettext("at least %(low)s", low=schema["minimum"]))
    if "exclusiveMinimum" in schema:
        facts.append(gettext("more than %(low)s", low=schema["exclusiveMinimum"]))
        if "maximum" in schema:
            facts.append(gettext("at most %(high)s", high=schema["maximum"]))
    if "minLength" in schema:
        facts.append(gettext("minimum length: %(count)s", count=schema["minLength"]))
    if "maxLength" in schema:
        facts.append(gettext("maximum length: %(count)s", count=schema["maxLength"]))
    if "pattern" in schema:
        facts.append(gettext("pattern: %(pattern)s", pattern=schema["pattern"]))
    if "default" in param["schema"]:
        facts.append(gettext("default: %(value)s", value=param["schema"]["default"]))
    return facts


def type_name(schema: dict) -> str:
    """``string``, ``integer``, ``string (date)``, ``string[]`` (a list): JSON Schema's words."""
    if schema.get("type") == "array":
        return f"{type_name(schema['items'])}[]"
    kind = schema.get("type", "string")
    return f"{kind} ({schema['format']})" if "format" in schema else kind


def endpoints(doc: dict) -> list[dict]:
    """The document's operations, references resolved, as the documentation page lists them."""
    listed = []
    for path, item in doc["paths"].items():
        op = item["get"]
        listed.append({
            "id": op["operationId"], "path": path, "summary": op["summary"],
            "description": op["description"],
            "examples": [{**x, "text": unquote(x["href"])} for x in op["x-examples"]],
            "parameters": [{**p, "type": type_name(p["schema"]), "facts": schema_facts(p)}
                           for p in op["parameters"]],
            "responses": [(status, resolve(doc, r)) for status, r in op["responses"].items()],
        })
    return listed


def problem_example() -> str:
    """What a 400 looks like (the shape portal.errors.problem gives), for the page."""
    message = gettext("is not a parameter of this endpoint")
    return json.dumps({"type": "about:blank", "title": gettext("Invalid search parameters"),
                       "status": 400, "detail": f"radius: {message}",
                       "errors": [{"param": "radius", "message": message}]},
                      indent=2, ensure_ascii=False)
