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
    from . import (api, errors, head, i18n, limits, operator, pages, security, services, sitemaps,
                   surface)

    services.init_app(app)
    i18n.init_app(app)
    limits.init_app(app)  # before the CSRF check: a flood of forms is counted too
    security.init_app(app)
    surface.init_app(app)
    head.init_app(app)
    sitemaps.init_app(app)
    errors.init_app(app)
    app.register_blueprint(pages.bp)
    app.add_url_rule("/", "home", pages.home)
    app.add_url_rule("/api/", "api_home", pages.api_home)
    app.register_blueprint(api.bp)
    from .feeds import bp as feeds
    app.register_blueprint(feeds)
    from .embed import bp as embed
    app.register_blueprint(embed)
    app.register_blueprint(operator.bp)
    from .workspace import bp as workspace
    app.register_blueprint(workspace)
    from .handout import bp as handout  # PDF handouts of an offer or a shortlist
    app.register_blueprint(handout)
    from .guided import bp as guided  # the guided search: a few questions make a search
    app.register_blueprint(guided)
    from . import opendata  # the whole catalogue as files
    opendata.init_app(app)
    return app
