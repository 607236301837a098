"""Errors never show a stack trace: pages get a page, the API gets application/problem+json."""
from __future__ import annotations

import logging

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from indexer.protocol import SearchUnavailable

from .search_service import ParamError

log = logging.getLogger(__name__)


def wants_json() -> bool:
    return request.path.startswith("/api/")


def problem(status: int, title: str, detail: str | None = None, **extra):
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(ParamError)
    def bad_parameters(exc: ParamError):
        title = gettext("Invalid search parameters")
        g.error = True
        if wants_json():
            return problem(400, title, str(exc), errors=exc.problems)
        return render_template("error.html", title=title, problems=exc.problems), 400

    @app.errorhandler(SearchUnavailable)
    def search_unavailable(exc: SearchUnavailable):
        log.error("search unavailable: %s", exc)
        return _error(ServiceUnavailable(), gettext("Search is temporarily unavailable"),
                      gettext("Please try again in a few minutes."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return _error(exc, _title(exc), None)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error on %s", request.path)
        return _error(InternalServerError(), gettext("Something went wrong on our side"),
                      gettext("The error has been logged."))


def _title(exc: HTTPException) -> str:
    return {404: gettext("Page not found"), 405: gettext("Method not allowed"),
            400: gettext("Bad request")}.get(exc.code, exc.name)


def _error(exc: HTTPException, title: str, detail: str | None):
    g.error = True
    if wants_json():
        return problem(exc.code, title, detail)
    return render_template("error.html", title=title, detail=detail), exc.code
