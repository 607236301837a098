"""The learncat portal: create_app() wires the catalogue, a search backend and the blueprints."""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

from . import config


class IdConverter(IntegerConverter):
    """A row id: a whole number the databases can hold (SQLite and PostgreSQL bigint), so an
    address with a larger one is a 404, not an overflow."""
    def __init__(self, url_map):
        super().__init__(url_map, min=0, max=2**63 - 1)


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.url_map.converters["id"] = IdConverter
    config.load(app, overrides)
    from . import api, errors, i18n, operator, pages, security, services, surface

    services.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    surface.init_app(app)
    errors.init_app(app)
    app.register_blueprint(pages.bp)
    app.add_url_rule("/", "home", pages.home)
    app.register_blueprint(api.bp)
    app.register_blueprint(operator.bp)
    return app
