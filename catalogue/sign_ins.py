"""Sign-ins kept on the server, so that signing out ends a session everywhere.

The session cookie holds a random token; the database keeps only its SHA-256, with who signed in
and when. A cookie whose token is no longer here (signed out, expired, or every sign-in of the
user ended) signs nobody in, even replayed. Free of Flask: portal/security.py calls these.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import DateTime, String, delete
from sqlalchemy.orm import Mapped, Session, mapped_column

from .models import Base, utcnow


class SignIn(Base):
    __tablename__ = "sign_in"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user: Mapped[str] = mapped_column(String(200), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def start(session: Session, user: str) -> str:
    """A new sign-in of ``user``; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(SignIn(token_hash=digest(token), user=user))
    session.commit()
    return token


def user_of(session: Session, token: object, lifetime: timedelta) -> str | None:
    """Who the token signs in, if its sign-in exists and is younger than ``lifetime``."""
    if not isinstance(token, str) or not token:
        return None
    row = session.get(SignIn, digest(token))
    if row is None:
        return None
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(
        tzinfo=timezone.utc)  # SQLite gives naive datetimes: they are UTC
    if datetime.now(timezone.utc) - created > lifetime:
        end(session, token)
        return None
    return row.user


def end(session: Session, token: object) -> None:
    if isinstance(token, str) and token:
        session.execute(delete(SignIn).where(SignIn.token_hash == digest(token)))
        session.commit()

