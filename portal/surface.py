"""What every response shares: security headers (Flask-Talisman), compression (Flask-Compress),
validators and caching, the size a request may send, and the few files at the site's root.

The pages run no script and no inline style, so the policy allows only the site's own
stylesheet; nothing may frame the portal (the embeddable search of issue 11 will open its own
exception). Dynamic answers carry an ETag and are revalidated (``no-cache``): a harvest may change
any page, and a 304 costs little. Static files are named by their content's hash, so they are
kept for a year.
"""
from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask, Response, current_app, request, url_for
from flask_compress import Compress
from flask_talisman import Talisman

POLICY = {
    "default-src": "'self'", "img-src": "'self' data:", "style-src": "'self'",
    "script-src": "'self'", "object-src": "'none'", "base-uri": "'none'",
    "form-action": "'self'", "frame-ancestors": "'none'",
}
PERMISSIONS = {feature: "()" for feature in (
    "camera", "microphone", "geolocation", "payment", "usb", "interest-cohort")}
YEAR = 365 * 24 * 3600
MAX_REQUEST = 1024 * 1024  # forms are small; a 10 MB sign-in is refused with 413


def init_app(app: Flask) -> None:
    # Flask's defaults hold these keys already (None), so setdefault would change nothing
    for key, value in (("MAX_CONTENT_LENGTH", MAX_REQUEST), ("SEND_FILE_MAX_AGE_DEFAULT", YEAR)):
        if app.config.get(key) is None:
            app.config[key] = value
    app.config.setdefault("COMPRESS_MIMETYPES", [
        "text/html", "text/css", "text/plain", "text/xml", "application/json",
        "application/problem+json", "application/xml", "application/atom+xml", "image/svg+xml"])
    app.config.setdefault("COMPRESS_ALGORITHM", ["gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["gzip"])  # streamed: the sitemaps
    Compress(app)
    Talisman(app, force_https=False, session_cookie_secure=False,
             content_security_policy=POLICY, frame_options="DENY",
             referrer_policy="strict-origin-when-cross-origin", permissions_policy=PERMISSIONS,
             strict_transport_security=True, strict_transport_security_max_age=YEAR)
    app.after_request(validators)  # runs before compression: the ETag is the content's
    app.url_defaults(fingerprint)
    app.add_url_rule("/robots.txt", "robots", robots)
    app.add_url_rule("/favicon.ico", "favicon", favicon)


def validators(response: Response) -> Response:
    """An ETag on every complete answer to a GET, 304 when the client has it; the server's
    name without versions. A streamed answer (the sitemaps) sets its own: hashing it here would
    read it all into memory."""
    response.headers["Server"] = "learncat"
    if request.method not in ("GET", "HEAD") or response.direct_passthrough \
            or response.is_streamed:
        return response
    if request.endpoint == "static":
        response.cache_control.public, response.cache_control.immutable = True, True
        return response
    if response.status_code == 200:
        response.cache_control.no_cache = True
        if request.path.startswith("/operator"):
            response.cache_control.no_store, response.cache_control.private = True, True
        response.add_etag()
        response.make_conditional(request)
    response.vary.add("Accept-Language")
    return response


def fingerprint(endpoint: str, values: dict) -> None:
    """``url_for('static', filename=...)`` carries the file's hash, so a changed file has a
    new address and an unchanged one may be kept for a year."""
    if endpoint == "static" and "filename" in values and "v" not in values:
        values["v"] = _digest(str(Path(current_app.static_folder) / values["filename"]))


@cache
def _digest(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
    except OSError:
        return "0"


def robots() -> Response:
    lines = ["User-agent: *", "Disallow: /operator/", "Disallow: /api/", "Allow: /",
             f"Sitemap: {url_for('sitemap', _external=True)}"] \
        if "sitemap" in current_app.view_functions else ["User-agent: *", "Disallow: /operator/"]
    return Response("\n".join(lines) + "\n", mimetype="text/plain")


def favicon() -> Response:
    path = Path(current_app.static_folder) / "favicon.svg"
    return Response(path.read_bytes(), mimetype="image/svg+xml",
                    headers={"Cache-Control": f"public, max-age={YEAR}"})
