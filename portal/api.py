"""The JSON API, version 1: the same search parameters as the search page."""
from __future__ import annotations

import math

from flask import Blueprint, jsonify, request, url_for

from flask_babel import gettext
from sqlalchemy import func, select

from catalogue.models import Opportunity, Provider, Status

from . import search_service
from .search_service import ParamError
from .services import services, session
from .i18n import locale_code
from .views import (elm_items, opportunity_json, opportunity_or_404, provider_json,
                    provider_or_404)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# what each endpoint reads: anything else is a 400 naming it, so that an integrator never
# believes a filter works when it is ignored (``funder=ila``, ``radius=50``)
PARAMETERS = {
    "api.search": {*search_service.PARAMETERS, "lang"},
    "api.search_csv": {*search_service.PARAMETERS, "lang"},
    "api.search_elm": {*search_service.PARAMETERS, "lang"},
    "api.autocomplete": {"q", "size", "lang"},
    "api.opportunity": {"lang"},
    "api.opportunity_elm": {"lang"},
    "api.providers": {"page", "per_page", "lang"},
    "api.provider": {"lang"},
    "api.openapi": {"lang"},
}
SUGGESTIONS, MAX_SUGGESTIONS = 8, 20  # autocomplete's size: default and most
PREFIX = (2, 100)  # autocomplete's q: fewest and most characters


@bp.before_request
def known_parameters_only():
    unknown = sorted(set(request.args) - PARAMETERS.get(request.endpoint, set(request.args)))
    if unknown:
        raise ParamError([{"param": name[:100], "message": gettext("is not a parameter of this "
                                                                   "endpoint")}
                          for name in unknown[:20]])


# what a page on another site may read of an answer beyond the safelisted headers (paging,
# validators, limits), and what its preflight may ask to send (conditional requests)
EXPOSED = ("ETag", "Last-Modified", "Retry-After", "X-Total-Count", "X-RateLimit-Limit",
           "X-RateLimit-Remaining", "X-RateLimit-Reset", "Content-Disposition")
ALLOWED_HEADERS = ("If-None-Match", "If-Modified-Since", "Accept", "Accept-Language")


@bp.after_request
def open_to_other_sites(response):
    """The API is read-only and public: any site may read it from a browser (no credentials)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = ", ".join(EXPOSED)
    if request.method == "OPTIONS":  # a preflight: GET only, answered for a day
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD"
        response.headers["Access-Control-Allow-Headers"] = ", ".join(ALLOWED_HEADERS)
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


@bp.get("/search")
def search():
    page = search_service.search(request.args, locale_code())
    q = page.query
    return jsonify({
        "total": page.result.total,
        "page": q.page,
        "per_page": q.per_page,
        "pages": page.pages,
        "query": {"text": q.text, "filters": {k: list(v) for k, v in q.filters.items()},
                  "ects_min": q.ects_min, "ects_max": q.ects_max,
                  "hours_min": q.hours_min, "hours_max": q.hours_max,
                  "start_from": q.start_from and q.start_from.isoformat(),
                  "start_to": q.start_to and q.start_to.isoformat(),
                  "start_anytime": q.start_anytime,
                  "updated_since": q.updated_since and q.updated_since.isoformat(),
                  "sort": q.sort,
                  "near": q.near and {"place": q.near.label, "lat": q.near.lat, "lon": q.near.lon,
                                      "radius_km": q.near.radius_km,
                                      "online_included": q.near.include_online},
                  "corrections": dict(q.corrections)},
        "did_you_mean": page.suggestion,
        "closest": page.closest,
        "results": [{
            **{k: hit.doc[k] for k in ("id", "title", "provider", "provider_name", "eqf", "ects",
                                       "workload_hours", "form", "languages", "countries",
                                       "cities", "start_dates", "start_anytime", "price",
                                       "currency", "duration", "completeness", "funding",
                                       "target_groups")},
            "url": url_for("pages.opportunity", opportunity_id=hit.id, _external=True),
            "api_url": url_for("api.opportunity", opportunity_id=hit.id, _external=True),
            "highlights": {k: str(v) for k, v in hit.highlights.items()},
        } for hit in page.result.hits],
        "facets": {name: [{"value": v.value, "label": v.label, "count": v.count,
                           "selected": v.selected} for v in values]
                   for name, values in page.facets.items()},
    })


@bp.get("/search.csv")
def search_csv():
    """Every result of the search (up to csv_export's cap) in learncat's CSV template, streamed:
    the file harvests back into the same offers. page and per_page are read and ignored."""
    from .search_export import csv_response
    return csv_response(request.args, locale_code())


@bp.get("/search.jsonld")
def search_elm():
    """The same offers as search.csv, in ELM v3 JSON-LD: one document, a LearningOpportunity
    each, as the single offer's export writes it."""
    from .search_export import elm_response
    return elm_response(request.args, locale_code())


@bp.get("/autocomplete")
def autocomplete():
    """Titles and skills that complete what the user is typing (q: 2 to 100 characters)."""
    prefix = (request.args.get("q") or "").strip()
    if not PREFIX[0] <= len(prefix) <= PREFIX[1]:
        raise ParamError([{"param": "q", "message": gettext("must be 2 to 100 characters")}])
    size = search_service.parse_int(request.args, "size", 1, MAX_SUGGESTIONS, SUGGESTIONS)
    return jsonify({"query": prefix,
                    "suggestions": services().search.autocomplete(prefix, locale_code(), size)})


@bp.get("/opportunities/<id:opportunity_id>")
def opportunity(opportunity_id: int):
    """A withdrawn offer answers 410 Gone, as its page does, with its last known data."""
    o = opportunity_or_404(opportunity_id)
    return jsonify(opportunity_json(o)), 410 if o.status is Status.RETIRED else 200


@bp.get("/opportunities/<id:opportunity_id>.jsonld")
def opportunity_elm(opportunity_id: int):
    """The offer in ELM v3 JSON-LD (a LearningOpportunity, as Europass reads it); 410 when
    withdrawn, like the JSON."""
    from catalogue.elm_export import learning_opportunity
    o = opportunity_or_404(opportunity_id)
    (item,) = elm_items([o], locale_code())  # named as in a search's and the dump's documents
    doc = learning_opportunity(*item)
    response = jsonify(doc)
    response.mimetype = "application/ld+json"
    return response, 410 if o.status is Status.RETIRED else 200


@bp.get("/providers")
def providers():
    """Every provider, by slug, a page at a time, with its number of listed offers."""
    page = search_service.parse_int(request.args, "page", 1, search_service.MAX_PAGE, 1)
    per_page = search_service.parse_int(request.args, "per_page", 1,
                                        search_service.MAX_PER_PAGE, search_service.PER_PAGE)
    total = session().scalar(select(func.count()).select_from(Provider))
    rows = session().scalars(select(Provider).order_by(Provider.slug)
                             .offset((page - 1) * per_page).limit(per_page)).all()
    counts = offer_counts([p.id for p in rows])
    return jsonify({"total": total, "page": page, "per_page": per_page,
                    "pages": max(1, math.ceil(total / per_page)),
                    "results": [{"slug": p.slug, "name": p.name, "country": p.country,
                                 "url": url_for("pages.provider", slug=p.slug, _external=True),
                                 "api_url": url_for("api.provider", slug=p.slug, _external=True),
                                 "offers": counts.get((p.id, Status.ACTIVE), 0)} for p in rows]})


@bp.get("/providers/<slug>")
def provider(slug: str):
    p = provider_or_404(slug)
    counts = offer_counts([p.id])
    return jsonify({**provider_json(p),
                    "api_url": url_for("api.provider", slug=p.slug, _external=True),
                    "offers": counts.get((p.id, Status.ACTIVE), 0),
                    "withdrawn_offers": counts.get((p.id, Status.RETIRED), 0),
                    "offers_api_url": url_for("api.search", provider=p.slug, _external=True)})


def offer_counts(provider_ids: list[int]) -> dict[tuple[int, Status], int]:
    """{(provider id, status): number of offers} for the given providers."""
    rows = session().execute(select(Opportunity.provider_id, Opportunity.status, func.count())
                             .where(Opportunity.provider_id.in_(provider_ids))
                             .group_by(Opportunity.provider_id, Opportunity.status))
    return {(provider_id, status): n for provider_id, status, n in rows}


@bp.get("/openapi.json")
def openapi():
    """This API in OpenAPI 3.1, generated from the declarations the endpoints validate with."""
    from .openapi import document
    return jsonify(document())
