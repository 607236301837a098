"""HTML pages: search, opportunity, provider. Views parse, call the service, render."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from catalogue.models import Status
from catalogue.validation import MANDATORY, OPTIONAL, element_present, validate
from harvesters.runner import last_good_run
from indexer.concepts import suggest_skills

from . import labels, openapi, search_service
from .i18n import locale_code
from .views import opportunity_or_404, provider_or_404

bp = Blueprint("pages", __name__, url_prefix="/<lang>")


@bp.url_value_preprocessor
def pull_lang(_endpoint, values) -> None:
    """The reader's language comes first from the URL: /de/..., /pl/..."""
    g.lang = values.pop("lang")
    if g.lang not in current_app.config["LANGUAGES"]:
        abort(404)


@bp.url_defaults
def add_lang(_endpoint, values) -> None:
    values.setdefault("lang", g.get("lang") or locale_code())
KEPT = tuple(p for p in search_service.PARAMETERS if p != "page")  # a new search: page 1


def search_url(args: MultiDict, endpoint: str = "pages.search", path: dict | None = None,
               remove: tuple = (), add: tuple = (), **replace) -> str:
    """The current search's URL with a (name, value) pair removed or added, or values replaced;
    any change but the page number returns to page 1."""
    params = MultiDict([(k, v) for k, v in args.items(multi=True) if k in KEPT and v != ""])
    if remove:
        params.setlist(remove[0], [v for v in params.getlist(remove[0]) if v != remove[1]])
    if add:
        params.add(*add)
    for key, value in replace.items():
        params.setlist(key, [value] if value not in (None, "") else [])
    if "page" in replace and replace["page"] not in (None, "", 1):
        params["page"] = replace["page"]
    return url_for(endpoint, **(path or {}), **{k: params.getlist(k) for k in params})


def kept_args(args: MultiDict) -> dict[str, list[str]]:
    """The search parameters a link carries over: only known ones, so that a query key such as
    ``_external`` or ``endpoint`` can never reach ``url_for``."""
    return {k: v for k, v in args.to_dict(flat=False).items() if k in (*KEPT, "page")}


def language_url(code: str, external: bool = False) -> str:
    """This page, with its search, in another language (an error page: without the search that
    caused it, which may be huge)."""
    values = {**(request.view_args or {}), "lang": code}
    if not g.get("error"):
        values.update(kept_args(request.args))
    return url_for(request.endpoint or "pages.search", _external=external, **values)


@bp.app_context_processor
def helpers():
    return {"search_url": search_url, "labels": labels, "annex_total": len(MANDATORY),
            "results_query": results_query,
            "language_url": language_url, "search_parameters": KEPT}


@bp.app_template_filter("vocab_label")
def vocab_label(code: str, vocabulary: str) -> str:
    return labels.term(vocabulary, code)


def home():
    """/ sends a first-time visitor to their language, negotiated from Accept-Language."""
    response = redirect(url_for("pages.search", lang=locale_code(), **kept_args(request.args)))
    response.vary.add("Accept-Language")
    return response


@bp.get("/")
def search():
    page = search_service.search(request.args, locale_code())
    return render_template("search.html", page=page, args=request.args,
                           sorts=search_service.SORT_LABELS)


@bp.get("/api")
def api_docs():
    """The API's documentation, made from its OpenAPI document in the reader's language."""
    doc = openapi.document()
    return render_template("api_docs.html", doc=doc, endpoints=openapi.endpoints(doc),
                           server=request.url_root.rstrip("/"),
                           problem_example=openapi.problem_example())


def api_home():
    """/api/ sends a reader to the API's documentation in their language."""
    response = redirect(url_for("pages.api_docs", lang=locale_code()))
    response.vary.add("Accept-Language")
    return response


@bp.get("/opportunities/<id:opportunity_id>")
def opportunity(opportunity_id: int):
    o = opportunity_or_404(opportunity_id)
    record = o.to_record()
    check = validate(record)
    return render_template(
        "opportunity.html", o=o, check=check, mandatory=MANDATORY,
        suggested=[] if o.esco_skills else suggest_skills(o.learning_outcomes),
        optional=[e for e in OPTIONAL if element_present(record, e)],
        retired=o.status is Status.RETIRED, back=back_to_results(),
    ), 410 if o.status is Status.RETIRED else 200


def results_query(args: MultiDict) -> str:
    """A search as the ``results`` parameter of its offers' links, so that an offer page can
    lead back to the same page of the same results."""
    return urlencode([(k, v) for k, vs in kept_args(args).items() for v in vs])


def back_to_results() -> str | None:
    """The search an offer was opened from (``results``), rebuilt from the known search
    parameters only: a link on this site, whatever the parameter holds."""
    given = request.args.get("results", "")
    if not given or len(given) > 2000:
        return None
    # blank values kept: "q=&q=welding" is the search of its first, blank q, as the page read it
    return url_for("pages.search",
                   **kept_args(MultiDict(parse_qsl(given, keep_blank_values=True))))


@bp.get("/providers/<slug>")
def provider(slug: str):
    p = provider_or_404(slug)
    args = MultiDict(request.args)
    args.setlist("provider", [p.slug])
    page = search_service.search(args, locale_code())
    runs = [last_good_run(search_service.session(), s.id) for s in p.sources]
    return render_template("provider.html", p=p, page=page, args=request.args,
                           runs=[r for r in runs if r])


@bp.get("/providers/<slug>/harvests")
def provider_harvests(slug: str):
    """A provider's harvest status: every source's last run and its problems, record by record,
    so providers see what to fix (the completeness report of Annex I included), and the runs
    before it."""
    p = provider_or_404(slug)
    runs = [(source, source.runs[0] if source.runs else None) for source in p.sources]
    return render_template("provider_harvests.html", p=p, runs=runs, history=HISTORY)


HISTORY = 20  # harvests of a source listed on its provider's status page, the newest first
