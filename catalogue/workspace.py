"""A guidance counsellor's shortlists, kept without an account.

A shortlist is reached only through a private link: its token is random (192 bits) and the
database keeps only the token's SHA-256, so neither an address nor a copy of the database lists
them. Items point at opportunity ids, which survive re-harvests (the store updates rows in
place and retires, never deletes); the title is kept as well, so that an item still reads as
something should its offer ever vanish. Saved searches keep only a query string of known search
parameters. Free of Flask: the portal's workspace blueprint calls these functions.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from .models import Base, Json, Opportunity, Status, utcnow

TOKEN_BYTES = 24  # secrets.token_urlsafe(24): 32 characters
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
MAX_ITEMS = 100
MAX_SEARCHES = 20
MAX_NAME = 200
MAX_QUERY = 2000


class Shortlist(Base):
    __tablename__ = "shortlist"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(MAX_NAME))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    items: Mapped[list[ShortlistItem]] = relationship(
        back_populates="shortlist", order_by="ShortlistItem.id", cascade="all, delete-orphan")
    searches: Mapped[list[SavedSearch]] = relationship(
        back_populates="shortlist", order_by="SavedSearch.id", cascade="all, delete-orphan")


class ShortlistItem(Base):
    __tablename__ = "shortlist_item"
    __table_args__ = (UniqueConstraint("shortlist_id", "opportunity_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    shortlist_id: Mapped[int] = mapped_column(ForeignKey("shortlist.id", ondelete="CASCADE"),
                                              index=True)
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("opportunity.id", ondelete="SET NULL"), index=True)
    title: Mapped[dict] = mapped_column(Json, default=dict)  # as it was when added
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    shortlist: Mapped[Shortlist] = relationship(back_populates="items")
    opportunity: Mapped[Opportunity | None] = relationship()

    @property
    def withdrawn(self) -> bool:
        """The offer left its provider's catalogue (or the catalogue altogether)."""
        return self.opportunity is None or self.opportunity.status is Status.RETIRED


class SavedSearch(Base):
    __tablename__ = "saved_search"
    id: Mapped[int] = mapped_column(primary_key=True)
    shortlist_id: Mapped[int] = mapped_column(ForeignKey("shortlist.id", ondelete="CASCADE"),
                                              index=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    query: Mapped[str] = mapped_column(String(MAX_QUERY))  # a URL query string, known keys only
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    shortlist: Mapped[Shortlist] = relationship(back_populates="searches")


class ShortlistFull(Exception):
    """The shortlist holds MAX_ITEMS offers (or MAX_SEARCHES searches) already."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(session: Session, name: str | None = None) -> tuple[Shortlist, str]:
    """A new, empty shortlist and its token (the only time the token is known in clear)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    shortlist = Shortlist(token_hash=digest(token), name=clean_name(name))
    session.add(shortlist)
    session.flush()
    return shortlist, token


def find(session: Session, token: str | None) -> Shortlist | None:
    """The shortlist of a token, with its items and their offers; None for any other text."""
    if not token or not TOKEN.fullmatch(token):
        return None
    return session.scalar(
        select(Shortlist).where(Shortlist.token_hash == digest(token)).options(
            selectinload(Shortlist.items).selectinload(ShortlistItem.opportunity)
            .selectinload(Opportunity.provider), selectinload(Shortlist.searches)))


def item_ids(session: Session, token: str | None) -> frozenset[int]:
    """The opportunity ids on a token's shortlist (one small query, for result cards)."""
    if not token or not TOKEN.fullmatch(token):
        return frozenset()
    return frozenset(session.scalars(
        select(ShortlistItem.opportunity_id).join(Shortlist)
        .where(Shortlist.token_hash == digest(token), ShortlistItem.opportunity_id.is_not(None))))


def clean_name(name: str | None) -> str | None:
    name = " ".join((name or "").split())[:MAX_NAME]
    return name or None


def rename(shortlist: Shortlist, name: str | None) -> None:
    shortlist.name, shortlist.updated_at = clean_name(name), utcnow()


def add(session: Session, shortlist: Shortlist, opportunity: Opportunity) -> bool:
    """Put an offer on the shortlist; False when it is there already. Raises ShortlistFull."""
    if any(item.opportunity_id == opportunity.id for item in shortlist.items):
        return False
    count = session.scalar(select(func.count()).select_from(ShortlistItem)
                           .where(ShortlistItem.shortlist_id == shortlist.id))
    if count >= MAX_ITEMS:
        raise ShortlistFull
    shortlist.items.append(ShortlistItem(opportunity=opportunity, title=dict(opportunity.title)))
    shortlist.updated_at = utcnow()
    session.flush()
    return True


def remove(shortlist: Shortlist, opportunity_id: int) -> bool:
    """Take an offer off the shortlist; False when it was not on it."""
    kept = [item for item in shortlist.items if item.opportunity_id != opportunity_id]
    if len(kept) == len(shortlist.items):
        return False
    shortlist.items = kept
    shortlist.updated_at = utcnow()
    return True


def save_search(shortlist: Shortlist, name: str | None, query: str) -> SavedSearch:
    """Keep a search (a query string the caller has reduced to known parameters)."""
    if len(shortlist.searches) >= MAX_SEARCHES:
        raise ShortlistFull
    search = SavedSearch(name=clean_name(name) or "", query=query[:MAX_QUERY])
    shortlist.searches.append(search)
    shortlist.updated_at = utcnow()
    return search


def forget_search(shortlist: Shortlist, search_id: int) -> bool:
    kept = [s for s in shortlist.searches if s.id != search_id]
    if len(kept) == len(shortlist.searches):
        return False
    shortlist.searches = kept
    shortlist.updated_at = utcnow()
    return True

