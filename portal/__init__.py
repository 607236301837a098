"""The learncat portal: create_app() wires the catalogue, a search backend and the blueprints."""
from __future__ import annotations

from flask import Flask

from . import config


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__)
    config.load(app, overrides)
    from . import api, errors, i18n, operator, pages, security, services

    services.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    app.register_blueprint(pages.bp)
    app.add_url_rule("/", "home", pages.home)
    app.register_blueprint(api.bp)
    app.register_blueprint(operator.bp)
    return app
