"""Rate limits (Flask-Limiter): the JSON API, the HTML searches and the sign-in, per client.

Each search runs the search engine and often the encoder, so one client looping over the API or
the search page could take the portal from everyone; and 200 guessed passwords in 84 s met no
delay. A limited request answers 429 with Retry-After: problem+json on the API, the translated
error page on the HTML pages, the sign-in page with its message on a sign-in.

One limiter per app (its counters live in its storage: memory, or Redis when configured, shared
by every worker), declared here in one table of what is limited, so the views carry no limits.
The client is its address, IPv6 by its /64 (what one line or host is given), read through
X-Forwarded-For only from as many proxies as TRUSTED_PROXIES says: otherwise anyone could pick
an address per request. The sign-in is limited per address and per user name tried, so neither
many addresses on one account nor many accounts from one address get far.
"""
from __future__ import annotations

import hashlib
import ipaddress
import math
import time
import unicodedata

from flask import Flask, current_app, g, render_template, request
from flask_babel import gettext
from flask_limiter import HeaderNames, Limiter, RateLimitExceeded
from limits import parse_many
from werkzeug.middleware.proxy_fix import ProxyFix

from .errors import problem, wants_json

SEARCH_PAGES = frozenset({"pages.search"})
SIGN_IN = frozenset({"operator.login"})


def init_app(app: Flask) -> None:
    trust_proxies(app)
    config = app.config
    for name in ("RATELIMIT_API", "RATELIMIT_SEARCH_PAGES", "RATELIMIT_WORKSPACE",
                 "RATELIMIT_SIGN_IN_ADDRESS", "RATELIMIT_SIGN_IN_USER"):
        try:  # refuse to start rather than fail each request
            parse_many(config[name] or "1/second")
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
    # X-RateLimit-* on every limited answer; Retry-After only on a 429 (too_many_requests): the
    # extension would write it on every answer, where it means nothing
    limiter = Limiter(key_func=client_address, storage_uri=storage_uri(config),
                      headers_enabled=True, in_memory_fallback_enabled=True, swallow_errors=True,
                      header_name_mapping={HeaderNames.RETRY_AFTER: "X-RateLimit-Retry-After"})
    limiter.init_app(app)
    app.extensions["learncat.limiter"] = limiter
    app.register_error_handler(RateLimitExceeded, too_many_requests)
    if not limiter.enabled:
        return
    from . import api, operator, pages

    limiter.shared_limit(config["RATELIMIT_API"], scope="api")(api.bp)
    limiter.shared_limit(config["RATELIMIT_SEARCH_PAGES"], scope="search-pages",
                         exempt_when=lambda: request.endpoint not in SEARCH_PAGES)(pages.bp)
    from . import embed, feeds  # every page that runs a search shares the search pages' budget
    for searching in (feeds.bp, embed.bp):
        limiter.shared_limit(config["RATELIMIT_SEARCH_PAGES"], scope="search-pages")(searching)
    from .workspace import bp as workspace  # a flood of new shortlists would fill the database
    limiter.shared_limit(config["RATELIMIT_WORKSPACE"], scope="workspace",
                         methods=["POST"])(workspace)
    sign_in = {"methods": ["POST"], "exempt_when": lambda: request.endpoint not in SIGN_IN}
    limiter.shared_limit(config["RATELIMIT_SIGN_IN_ADDRESS"], scope="sign-in-address",
                         **sign_in)(operator.bp)
    limiter.shared_limit(config["RATELIMIT_SIGN_IN_USER"], scope="sign-in-user",
                         key_func=user_tried, **sign_in)(operator.bp)


def trust_proxies(app: Flask) -> None:
    """Behind N reverse proxies, the client's address and scheme are the ones the Nth set."""
    count = int(app.config.get("TRUSTED_PROXIES") or 0)
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def storage_uri(config) -> str:
    return config.get("RATELIMIT_STORAGE_URI") or config.get("REDIS_URL") or "memory://"


def client_address() -> str:
    """The address limits count by: IPv4 as it is, IPv6 by its /64 network."""
    address = request.remote_addr or ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:100] or "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def user_tried() -> str:
    """The user name a sign-in tries, in one form per name (case and Unicode variants alike),
    hashed so that the storage never holds what people typed."""
    name = unicodedata.normalize("NFKC", request.form.get("user", "")).strip().casefold()
    return "user:" + hashlib.sha256(name.encode()).hexdigest()[:32]


def retry_after() -> int:
    """Seconds until the breached limit lets the client in again (at least 1)."""
    limiter = current_app.extensions["learncat.limiter"]
    current = limiter.current_limit
    return max(1, math.ceil(current.window[0] - time.time())) if current else 60


def too_many_requests(exc: RateLimitExceeded):
    g.error = True
    seconds = retry_after()
    if request.endpoint in SIGN_IN:
        message = gettext("Too many sign-in attempts. Please try again in %(minutes)s min.",
                          minutes=math.ceil(seconds / 60))
        response = current_app.make_response(
            (render_template("operator/login.html", error=message), 429))
    elif wants_json():
        response = problem(429, gettext("Too many requests"),
                           gettext("Please wait as many seconds as the Retry-After header says, "
                                   "then try again."))
    else:
        response = current_app.make_response((render_template(
            "error.html", title=gettext("Too many requests"),
            detail=gettext("You have searched very often in a short time. Please wait a "
                           "little, then try again.")), 429))
    response.headers["Retry-After"] = str(seconds)
    return response
