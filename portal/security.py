"""CSRF tokens for every form that changes something, and the operator's login."""
from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from functools import cache, wraps

from flask import Flask, abort, current_app, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from werkzeug.security import check_password_hash, generate_password_hash

from catalogue import sign_ins

from .services import session as db_session


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf() -> None:
    """Every POST, PUT, PATCH or DELETE carries the session's token, or is refused."""
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token", "")
        # as bytes: compare_digest refuses text with characters beyond ASCII
        if not sent or not hmac.compare_digest(sent.encode(), session.get("csrf", "").encode()):
            abort(400, "missing or wrong CSRF token")


def operator_configured() -> bool:
    return bool(current_app.config["OPERATOR_USER"] and current_app.config["OPERATOR_PASSWORD_HASH"])


def valid_operator(user: str, password: str) -> bool:
    """A wrong user name costs the same hashing as a right one (the password is checked against
    a decoy hash of the same method and cost), so the answer's time does not tell an outsider
    which user name exists; names are compared in constant time, as UTF-8 (any text)."""
    if not operator_configured():
        return False
    config = current_app.config
    stored = config["OPERATOR_PASSWORD_HASH"]
    decoy = decoy_hash(stored)  # made once, before the paths part: the first try pays, any name
    right_user = hmac.compare_digest(user.encode(), config["OPERATOR_USER"].encode())
    right_password = check_password_hash(stored if right_user else decoy, password)
    return right_user and right_password


@cache
def decoy_hash(stored: str) -> str:
    """A hash of a random password, made with the stored hash's method and parameters."""
    try:
        return generate_password_hash(secrets.token_urlsafe(24), method=stored.split("$", 1)[0])
    except ValueError:  # not a hash werkzeug makes: it never matches anyway
        return generate_password_hash(secrets.token_urlsafe(24))


def signed_in_operator() -> bool:
    """The cookie's sign-in is one the server still holds, of the configured operator."""
    lifetime = timedelta(hours=current_app.config["OPERATOR_SESSION_HOURS"])
    user = sign_ins.user_of(db_session(), session.get("operator"), lifetime)
    return user is not None and user == current_app.config["OPERATOR_USER"]


def sign_in_operator() -> None:
    session.clear()  # nothing of a session before the sign-in carries over (fixation)
    session["operator"] = sign_ins.start(db_session(), current_app.config["OPERATOR_USER"])


def sign_out() -> None:
    """Ends the sign-in on the server too: the old cookie, replayed, signs nobody in."""
    sign_ins.end(db_session(), session.get("operator"))
    session.clear()


def operator_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not operator_configured():
            abort(404)
        if not signed_in_operator():
            session.pop("operator", None)
            return redirect(url_for("operator.login", next=request.path))
        return view(*args, **kwargs)
    return wrapper


class SessionInterface(SecureCookieSessionInterface):
    """The session cookie is ``Secure`` whenever the request came over https (directly, or
    through a trusted proxy's X-Forwarded-Proto), so it is never sent back in the clear."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure or super().get_cookie_secure(app)


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    app.before_request(check_csrf)
    app.jinja_env.globals["csrf_token"] = csrf_token
    # Flask's default config holds these keys already: setdefault would leave SameSite unset
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
