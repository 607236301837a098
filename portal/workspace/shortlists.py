"""Shortlist pages and forms. The session remembers the shortlist last created or opened, so
that "Add to shortlist" on any result card or offer page goes to it; the first add makes one
and shows it, with its private link. Opening a link on another device makes it that device's
shortlist."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import (abort, flash, g, get_flashed_messages, redirect, render_template, request,
                   session, url_for)
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from catalogue import workspace
from catalogue.models import Opportunity, Status

from ..pages import kept_args
from ..services import session as db
from . import bp
from .comparison import MAX_OFFERS

SESSION_KEY = "shortlist"
NUMBER = re.compile(r"[0-9]{1,18}")


def current_token() -> str | None:
    token = session.get(SESSION_KEY)
    return token if isinstance(token, str) else None


def remember(token: str) -> None:
    if session.get(SESSION_KEY) != token:
        session[SESSION_KEY] = token


def shortlist_or_404(token: str) -> workspace.Shortlist:
    return workspace.find(db(), token) or abort(404)


def current_or_new() -> tuple[workspace.Shortlist, str, bool]:
    """The session's shortlist, or a new one (remembered): (shortlist, token, created)."""
    token = current_token()
    shortlist = workspace.find(db(), token)
    if shortlist is not None:
        return shortlist, token, False
    shortlist, token = workspace.create(db())
    remember(token)
    return shortlist, token, True


def posted_id(name: str) -> int:
    raw = request.form.get(name, "").strip()
    if not NUMBER.fullmatch(raw):
        abort(400)
    return int(raw)


def local_target(target: str) -> str | None:
    """A path on this site to return to (never another site: no scheme, host or backslash)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target \
            or len(target) > 2000 or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def back(default: str, fragment: str = ""):
    target = local_target(request.form.get("next", ""))
    return redirect(f"{target}{fragment}" if target else default, 303)


def shown(token: str, anchor: str = ""):
    return redirect(url_for(".shortlist", token=token) + anchor, 303)


def here() -> str:
    """This page's address, for the forms' way back."""
    return request.full_path.rstrip("?")


def shortlisted() -> frozenset[int]:
    """The offers on the session's shortlist (read once per page)."""
    if "shortlisted" not in g:
        g.shortlisted = workspace.item_ids(db(), current_token())
    return g.shortlisted


@bp.app_context_processor
def helpers() -> dict:
    return {"shortlisted": shortlisted, "workspace_here": here,
            "shortlist_token": current_token,
            "search_query": search_query, "max_compare": MAX_OFFERS}


@bp.after_request
def private(response):
    """A shortlist's link is its key: no search engine or shared cache keeps its pages."""
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    if request.endpoint in ("workspace.shortlist", "workspace.mine"):
        response.cache_control.private = True
    return response


@bp.get("/shortlist")
def mine():
    """The session's shortlist, or how to start one."""
    shortlist = workspace.find(db(), current_token())
    if shortlist is not None:
        return redirect(url_for(".shortlist", token=current_token()))
    return render_template("workspace/no_shortlist.html")


@bp.post("/shortlists")
def new():
    _, token = workspace.create(db())
    db().commit()
    remember(token)
    flash(gettext("A new, empty shortlist has been made. Keep its link."))
    return shown(token)


@bp.get("/shortlists/<token>")
def shortlist(token: str):
    found = shortlist_or_404(token)
    remember(token)
    return render_template(
        "workspace/shortlist.html", shortlist=found, token=token,
        link=url_for(".shortlist", token=token, _external=True), messages=get_flashed_messages(),
        full=len(found.items) >= workspace.MAX_ITEMS, max_items=workspace.MAX_ITEMS,
        searches=[(s, search_link(s.query), search_link(s.query, "feeds.search_feed"))
                  for s in found.searches])


@bp.post("/shortlists/<token>/name")
def rename(token: str):
    found = shortlist_or_404(token)
    workspace.rename(found, request.form.get("name"))
    db().commit()
    flash(gettext("The name has been saved."))
    return shown(token)


@bp.post("/shortlist/items")
def add():
    """Put an offer on the session's shortlist (made now if there is none, then shown)."""
    offer = db().get(Opportunity, posted_id("opportunity")) or abort(404)
    found, token, created = current_or_new()
    if offer.status is Status.RETIRED:
        db().commit()
        flash(gettext("This offer is no longer in the provider's catalogue."))
        return shown(token)
    try:
        workspace.add(db(), found, offer)
        db().commit()
    except workspace.ShortlistFull:
        db().commit()
        flash(gettext("This shortlist is full: it holds at most %(max)d offers. Remove one, or "
                      "start a new shortlist.", max=workspace.MAX_ITEMS))
        return shown(token)
    except IntegrityError:  # added at the same moment from another tab: it is there already
        db().rollback()
    if created:
        flash(gettext("Your shortlist has been made. Keep its link to come back to it."))
        return shown(token)
    return back(url_for(".shortlist", token=token), f"#offer-{offer.id}")


@bp.post("/shortlist/items/remove")
def remove():
    """Take an offer off the session's shortlist, from a result card or an offer page."""
    offer_id = posted_id("opportunity")
    found = workspace.find(db(), current_token())
    if found is not None and workspace.remove(found, offer_id):
        db().commit()
    return back(url_for(".mine"), f"#offer-{offer_id}")


@bp.post("/shortlists/<token>/items/remove")
def remove_item(token: str):
    found = shortlist_or_404(token)
    if workspace.remove(found, posted_id("opportunity")):
        db().commit()
        flash(gettext("The offer has been removed from the shortlist."))
    return shown(token)


def search_query(args: MultiDict) -> str:
    """A search's query string: only the parameters a search reads, from page 1."""
    kept = {k: [v for v in values if v.strip()] for k, values in kept_args(args).items()
            if k != "page"}
    return urlencode({k: v for k, v in kept.items() if v}, doseq=True)


def known_query(raw: str) -> str:
    """A posted query string, reduced in the same way (the form is the client's to change)."""
    return search_query(MultiDict(parse_qsl(raw[:workspace.MAX_QUERY], keep_blank_values=True)))


def search_link(query: str, endpoint: str = "pages.search") -> str:
    """A saved search's page, or its change feed (Atom): what is new or changed since."""
    return url_for(endpoint) + (f"?{query}" if query else "")


@bp.post("/shortlist/searches")
def save_search():
    found, token, _ = current_or_new()
    try:
        workspace.save_search(found, request.form.get("name"),
                              known_query(request.form.get("query", "")))
    except workspace.ShortlistFull:
        flash(gettext("This shortlist holds at most %(max)d searches. Remove one to save "
                      "another.", max=workspace.MAX_SEARCHES))
    else:
        flash(gettext("The search has been saved in your shortlist."))
    db().commit()
    return shown(token, "#searches")


@bp.post("/shortlists/<token>/searches/<id:search_id>/remove")
def forget_search(token: str, search_id: int):
    found = shortlist_or_404(token)
    if workspace.forget_search(found, search_id):
        db().commit()
        flash(gettext("The saved search has been removed."))
    return shown(token, "#searches")
