"""The embeddable search: a compact page that partner sites (a public employment service, a
region's portal) put in an iframe, with their own preset filters ("free offers in DE21").

These are the only pages any site may frame: they change nothing (a GET form, no session, no
buttons that act), so being framed cannot trick a visitor into an action. Results open the full
portal in a new tab, with the same search."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from werkzeug.datastructures import MultiDict

from . import pages, search_service, surface
from .i18n import locale_code

bp = Blueprint("embed", __name__, url_prefix="/<lang>")
bp.url_value_preprocessor(pages.pull_lang)
bp.url_defaults(pages.add_lang)
PER_PAGE = 10
FRAMEABLE = {"frame_options": None,
             "content_security_policy": {**surface.POLICY, "frame-ancestors": "*"}}


@bp.get("/embed")
def search():
    kept = pages.kept_args(request.args)
    args = MultiDict(kept)
    args.setdefault("per_page", str(PER_PAGE))
    page = search_service.search(args, locale_code())
    preset = MultiDict([(k, v) for k, v in args.items(multi=True)
                        if k not in ("q", "page", "per_page") and v])
    return render_template("embed.html", page=page, args=args, preset=preset,
                           full={k: v for k, v in kept.items() if k not in ("per_page", "page")})


search.talisman_view_options = FRAMEABLE  # what Flask-Talisman's per-view decorator sets
