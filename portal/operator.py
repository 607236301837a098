"""The operator's pages: sources, their last runs and every error, behind a login."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from catalogue.models import HarvestRun, Source

from .security import (operator_configured, operator_required, sign_in_operator, sign_out,
                       valid_operator)
from .services import session as db_session

bp = Blueprint("operator", __name__, url_prefix="/operator")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if not operator_configured():
        abort(404)
    error = None
    if request.method == "POST":
        if valid_operator(request.form.get("user", ""), request.form.get("password", "")):
            sign_in_operator()
            target = request.args.get("next", "")
            return redirect(target if target.startswith("/operator") else url_for(".sources"))
        error = gettext("Wrong user name or password.")
    return render_template("operator/login.html", error=error), 401 if error else 200


@bp.post("/logout")
def logout():
    sign_out()
    return redirect(url_for("pages.search"))


@bp.get("/")
@operator_required
def sources():
    rows = db_session().scalars(select(Source).options(selectinload(Source.provider))
                                .order_by(Source.id)).all()
    return render_template("operator/sources.html", sources=rows)


@bp.get("/runs/<id:run_id>")
@operator_required
def run(run_id: int):
    harvest = db_session().get(HarvestRun, run_id) or abort(404)
    return render_template("operator/run.html", run=harvest)
