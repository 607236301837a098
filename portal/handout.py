"""Handouts a counsellor gives a client: one offer, or a whole shortlist, as a PDF made on the
server (WeasyPrint), so that it looks the same whatever browser or printer the counsellor has.

The handout is in the client's language (``client_lang``), whatever language the counsellor
reads the portal in; text the provider gave only in another language is marked as such. The
``.html`` twin is the very page the PDF is made from: a browser can print it, tests can read it.
"""
from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, current_app, g, render_template, request
from flask_babel import force_locale, format_date

from catalogue import workspace
from catalogue.models import Status

from . import pages
from .clock import today
from .services import session as db
from .views import opportunity_or_404

log = logging.getLogger(__name__)

bp = Blueprint("handout", __name__, url_prefix="/<lang>")
bp.url_value_preprocessor(pages.pull_lang)
bp.url_defaults(pages.add_lang)

KIND = "<any(pdf, html):kind>"
# the page carries its own style (the PDF fetches nothing): allowed by a per-request nonce
STYLED = {"content_security_policy_nonce_in": ["style-src"]}


def client_language() -> str:
    """``client_lang``: one of the portal's languages (default the page's); else a 400 page."""
    code = request.args.get("client_lang", g.lang)
    if code not in current_app.config["LANGUAGES"]:
        abort(400)
    return code


@bp.get(f"/opportunities/<id:opportunity_id>/handout.{KIND}")
def offer(opportunity_id: int, kind: str):
    o = opportunity_or_404(opportunity_id)
    if o.status is Status.RETIRED:  # nothing to hand a client any more
        abort(404)
    return made(kind, [o], client_language(), None, f"learncat-offer-{o.id}")


offer.talisman_view_options = STYLED


@bp.get(f"/shortlists/<token>/handout.{KIND}")
def shortlist(token: str, kind: str):
    """A shortlist's current offers (withdrawn ones left out); the token is its key, as on
    the shortlist's page."""
    found = workspace.find(db(), token) or abort(404)
    offers = [item.opportunity for item in found.items if not item.withdrawn]
    return made(kind, offers, client_language(), found, "learncat-shortlist")


shortlist.talisman_view_options = STYLED


def made(kind: str, offers: list, lang: str, shortlist, filename: str) -> Response:
    with force_locale(lang):
        html = render_template("handout.html", offers=offers, shortlist=shortlist,
                               client_lang=lang, made_on=format_date(today(), "long")).lstrip()
    if kind == "html":
        return Response(html, mimetype="text/html")
    return Response(pdf(html), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}.pdf"'})


def pdf(html: str) -> bytes:
    """The page as a PDF. Nothing is fetched (the page carries its style): provider text can
    never make the server request an address. Without Pango the handout is unavailable (503)."""
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as exc:  # OSError: the Pango libraries are missing
        log.error("PDF handouts are unavailable: %s", exc)
        abort(503)

    class NoFetching(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"handouts fetch nothing ({url})")

    return HTML(string=html, url_fetcher=NoFetching()).write_pdf()


@bp.after_request
def private(response):
    """Handouts repeat other pages: no search engine keeps them; a shortlist's is private."""
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    if request.endpoint == "handout.shortlist":
        response.cache_control.private = True
    return response
