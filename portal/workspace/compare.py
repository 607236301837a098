"""/<lang>/compare?id=1&id=2: two to four offers side by side. Anything else (no offer, one,
five, an id that is not a number) is a 400 page that says what to do; an unknown offer a 404."""
from __future__ import annotations

import re

from flask import abort, g, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from catalogue.models import Opportunity, Status

from ..services import session as db
from . import bp
from .comparison import MAX_OFFERS, MIN_OFFERS, annex_rows, practical_rows

NUMBER = re.compile(r"[0-9]{1,18}")


def chosen_ids() -> tuple[list[int], list[dict]]:
    """The ids asked for, each once and in their order, and the problems with them."""
    ids: list[int] = []
    problems: list[dict] = []
    for raw in request.args.getlist("id"):
        value = raw.strip()
        if not NUMBER.fullmatch(value):
            problems.append({"param": "id", "message": gettext(
                "%(value)s is not the number of an offer", value=repr(value[:40]))})
        elif int(value) not in ids:
            ids.append(int(value))
    if not problems and not MIN_OFFERS <= len(ids) <= MAX_OFFERS:
        problems.append({"param": "id", "message": gettext(
            "Number of offers chosen: %(n)d.", n=len(ids))})
    return ids, problems


@bp.get("/compare")
def compare():
    ids, problems = chosen_ids()
    if problems:
        g.error = True
        return render_template(
            "error.html", title=gettext("Choose two to four offers to compare"),
            detail=gettext("Tick two, three or four offers in your shortlist or in the search "
                           "results, then compare them."), problems=problems), 400
    rows = db().scalars(select(Opportunity).options(selectinload(Opportunity.provider))
                        .where(Opportunity.id.in_(ids))).all()
    found = {o.id: o for o in rows}
    if len(found) < len(ids):
        abort(404)
    offers = [found[i] for i in ids]
    only = request.args.get("differing") == "1"
    sections = []
    for key, title, section in (("annex", gettext("Standard elements of a micro-credential"),
                                 annex_rows(offers)),
                                ("practical", gettext("Practical information"),
                                 practical_rows(offers))):
        sections.append((key, title, [r for r in section if r.differs or not only]))
    return render_template("workspace/compare.html", offers=offers, sections=sections, only=only,
                           differing=sum(r.differs for _, _, rs in sections for r in rs),
                           retired=Status.RETIRED, ids=ids)


@bp.context_processor
def language_links() -> dict:
    """The language list keeps a comparison's offers; a form's answer links to the search."""
    def language_url(code: str, external: bool = False) -> str:
        if request.method != "GET" or not request.endpoint:
            return url_for("pages.search", lang=code, _external=external)
        values = {**(request.view_args or {}), "lang": code}
        if request.endpoint == "workspace.compare" and not g.get("error"):
            values["id"] = request.args.getlist("id")
            if request.args.get("differing") == "1":
                values["differing"] = "1"
        return url_for(request.endpoint, _external=external, **values)
    return {"language_url": language_url}
