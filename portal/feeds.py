"""Change feeds: any search as Atom (RFC 4287), newest changes first, so that a counsellor's
feed reader or a public employment service's system follows it. Same parameters as the search
page; each entry's id is the offer's API address, stable across languages and re-harvests."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from . import pages, search_service
from .i18n import locale_code

bp = Blueprint("feeds", __name__, url_prefix="/<lang>")
bp.url_value_preprocessor(pages.pull_lang)
bp.url_defaults(pages.add_lang)
PER_PAGE = 50
SUMMARY = 500  # characters of the description an entry carries


@bp.get("/feed.atom")
def search_feed():
    kept = {k: v for k, v in pages.kept_args(request.args).items() if k != "sort"}
    args = MultiDict(kept)
    args.setdefault("per_page", str(PER_PAGE))
    args["sort"] = "-updated"
    page = search_service.search(args, locale_code())
    hits = page.result.hits if page.result.total else []  # never the "closest" stand-ins
    newest = max((h.doc["updated"] for h in hits if h.doc.get("updated")), default=None)
    response = render_template(
        "feed.xml", page=page, hits=hits, summary=SUMMARY,
        updated=newest or dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        self_url=url_for("feeds.search_feed", _external=True, **kept),
        search_url=url_for("pages.search", _external=True,
                           **{k: v for k, v in kept.items() if k not in ("per_page", "page")}),
        next_url=url_for("feeds.search_feed", _external=True, **{**kept, "page": page.query.page + 1})
        if page.query.page < page.pages else None)
    return response, 200, {"Content-Type": "application/atom+xml; charset=utf-8"}
