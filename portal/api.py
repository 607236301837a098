"""The JSON API, version 1: the same search parameters as the search page."""
from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for

from flask_babel import gettext

from . import search_service
from .search_service import ParamError
from .services import services
from .i18n import locale_code
from .views import opportunity_json, opportunity_or_404

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# what each endpoint reads: anything else is a 400 naming it, so that an integrator never
# believes a filter works when it is ignored (``funding=ila``, ``radius=50``)
PARAMETERS = {
    "api.search": {*search_service.PARAMETERS, "lang"},
    "api.autocomplete": {"q", "size", "lang"},
    "api.opportunity": {"lang"},
}


@bp.before_request
def known_parameters_only():
    unknown = sorted(set(request.args) - PARAMETERS.get(request.endpoint, set(request.args)))
    if unknown:
        raise ParamError([{"param": name[:100], "message": gettext("is not a parameter of this "
                                                                   "endpoint")}
                          for name in unknown[:20]])


@bp.after_request
def open_to_other_sites(response):
    """The API is read-only and public: any site may read it from a browser (no credentials)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.vary.add("Origin")
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
                  "start_from": q.start_from and q.start_from.isoformat(),
                  "start_to": q.start_to and q.start_to.isoformat(), "sort": q.sort,
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
                                       "currency", "duration", "completeness")},
            "url": url_for("pages.opportunity", opportunity_id=hit.id, _external=True),
            "api_url": url_for("api.opportunity", opportunity_id=hit.id, _external=True),
            "highlights": {k: str(v) for k, v in hit.highlights.items()},
        } for hit in page.result.hits],
        "facets": {name: [{"value": v.value, "label": v.label, "count": v.count,
                           "selected": v.selected} for v in values]
                   for name, values in page.facets.items()},
    })


@bp.get("/autocomplete")
def autocomplete():
    """Titles and skills that complete what the user is typing (q: 2 to 100 characters)."""
    prefix = (request.args.get("q") or "").strip()
    if not 2 <= len(prefix) <= 100:
        raise ParamError([{"param": "q", "message": gettext("must be 2 to 100 characters")}])
    size = search_service.parse_int(request.args, "size", 1, 20, 8)
    return jsonify({"query": prefix,
                    "suggestions": services().search.autocomplete(prefix, locale_code(), size)})


@bp.get("/opportunities/<id:opportunity_id>")
def opportunity(opportunity_id: int):
    return jsonify(opportunity_json(opportunity_or_404(opportunity_id)))
