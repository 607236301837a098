"""/sitemap.xml: a sitemap index naming one sitemap per interface language (split in parts),
each listing the search page, every provider page and every active offer page in that language,
with the same page in every other language (hreflang, and x-default) and the offer's last change.

Retired offers are not listed: their pages answer 410. The answers are streamed (a part from
``yield_per`` queries), never built in memory, and carry a validator from a few aggregate
queries, so a crawler that has the current sitemaps gets a 304 without any being written.

A part holds at most SITEMAP_URLS addresses. The protocol allows 50,000 addresses and 50 MB per
file; with 25 alternates each address takes about 2.5 KB, so 50,000 would be some 125 MB: the
default of 10,000 stays near 25 MB, with room for a long host name.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterable, Iterator
from urllib.parse import quote
from xml.sax.saxutils import escape

from flask import Flask, Response, abort, current_app, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalogue import dumps
from catalogue.models import Opportunity, Provider, Status

from .services import services, session

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"
URLS = 10_000
BATCH = 1000  # rows per database round trip
CHUNK = 64 * 1024  # characters sent at once
ID_MARK, SLUG_MARK = 987654321987654321, "sitemap-slug-mark"
QUOTE = {'"': "&quot;"}


def init_app(app: Flask) -> None:
    app.config.setdefault("SITEMAP_URLS", URLS)
    app.add_url_rule("/sitemap.xml", "sitemap", index)
    app.add_url_rule("/sitemaps/<lang>-<int:part>.xml", "sitemap_part", part)


def index() -> Response:
    """The index: one sitemap per language and part."""
    parts = math.ceil(_count() / current_app.config["SITEMAP_URLS"])
    locs = [url_for("sitemap_part", lang=code, part=n, _external=True)
            for code in current_app.config["LANGUAGES"] for n in range(1, parts + 1)]

    def lines() -> Iterator[str]:
        yield f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP}">\n'
        yield from (f"<sitemap><loc>{escape(loc)}</loc></sitemap>\n" for loc in locs)
        yield "</sitemapindex>\n"
    return _streamed(lines())


def part(lang: str, part: int) -> Response:
    """Part ``part`` (from 1) of language ``lang``: the search page, then the providers, then
    the active offers, each in order of id."""
    size = current_app.config["SITEMAP_URLS"]
    if lang not in current_app.config["LANGUAGES"] or not 1 <= part <= math.ceil(_count() / size):
        abort(404)
    start, stop = (part - 1) * size, part * size
    urls, sessions = Urls(), services().sessions

    def lines() -> Iterator[str]:
        yield (f'<?xml version="1.0" encoding="UTF-8"?>\n'
               f'<urlset xmlns="{SITEMAP}" xmlns:xhtml="{XHTML}">\n')
        with sessions() as s:  # its own session: the request's ends before the stream does
            yield from _chunked(entry(lang, links, lastmod) for links, lastmod in
                                _pages(s, urls, start, stop))
        yield "</urlset>\n"
    return _streamed(lines())


def entry(lang: str, links: list[tuple[str, str]], lastmod: dt.datetime | None) -> str:
    """One <url>: its address in ``lang``, every language's (x-default last), its last change."""
    loc = dict(links)[lang]
    alternates = "".join(f'<xhtml:link rel="alternate" hreflang="{code}" '
                         f'href="{escape(href, QUOTE)}"/>' for code, href in links)
    modified = f"<lastmod>{_w3c(lastmod)}</lastmod>" if lastmod else ""
    return f"<url><loc>{escape(loc)}</loc>{modified}{alternates}</url>\n"


class Urls:
    """The addresses of a page in every language, from one url_for per language and kind of
    page (an offer in 24 languages would otherwise cost 25 url_for calls)."""

    def __init__(self):
        config = current_app.config
        self.languages = list(config["LANGUAGES"])
        self.default = config["BABEL_DEFAULT_LOCALE"]
        self.offer = self._patterns("pages.opportunity", opportunity_id=ID_MARK)
        self.provider = self._patterns("pages.provider", slug=SLUG_MARK)
        self.search = [(code, url_for("pages.search", lang=code, _external=True))
                       for code in self.languages]
        self.search.append(("x-default", url_for("home", _external=True)))

    def _patterns(self, endpoint: str, **mark) -> list[tuple[str, str]]:
        codes = [*self.languages, "x-default"]
        return [(code, url_for(endpoint, lang=self.default if code == "x-default" else code,
                               _external=True, **mark)) for code in codes]

    @staticmethod
    def fill(patterns: list[tuple[str, str]], mark, value) -> list[tuple[str, str]]:
        value = quote(str(value), safe="!$&'()*+,/:;=@")  # as url_for's converters quote it
        return [(code, href.replace(str(mark), value)) for code, href in patterns]


def _pages(s: Session, urls: Urls, start: int, stop: int
           ) -> Iterator[tuple[list, dt.datetime | None]]:
    """(links, lastmod) of the site's pages numbered [start, stop): 0 is the search page."""
    active = Opportunity.status == Status.ACTIVE
    if start == 0:
        yield urls.search, s.scalar(select(func.max(Opportunity.updated_at)).where(active))
    providers = s.scalar(select(func.count(Provider.id)))
    first, last = max(start - 1, 0), min(stop - 1, providers)
    if first < last:
        latest = (select(Opportunity.provider_id, func.max(Opportunity.updated_at).label("at"))
                  .where(active).group_by(Opportunity.provider_id).subquery())
        rows = s.execute(select(Provider.slug, Provider.created_at, latest.c.at)
                         .outerjoin(latest, latest.c.provider_id == Provider.id)
                         .order_by(Provider.id).offset(first).limit(last - first)
                         .execution_options(yield_per=BATCH))
        for slug, created, changed in rows:
            yield urls.fill(urls.provider, SLUG_MARK, slug), changed or created
    first, last = max(start - 1 - providers, 0), stop - 1 - providers
    if first < last:
        rows = s.execute(select(Opportunity.id, Opportunity.updated_at).where(active)
                         .order_by(Opportunity.id).offset(first).limit(last - first)
                         .execution_options(yield_per=BATCH))
        for offer_id, changed in rows:
            yield urls.fill(urls.offer, ID_MARK, offer_id), changed


def _count() -> int:
    """Addresses per language: the search page, the providers, the active offers."""
    s = session()
    return 1 + s.scalar(select(func.count(Provider.id))) + s.scalar(
        select(func.count(Opportunity.id)).where(Opportunity.status == Status.ACTIVE))


def _state() -> tuple[str, dt.datetime | None]:
    """(ETag, Last-Modified) of every sitemap: what changes whenever a listed page comes, goes
    or changes (the part size, languages and host included)."""
    count, updated, retired = dumps.listing(session())
    providers = session().execute(select(func.count(Provider.id),
                                         func.max(Provider.created_at))).one()
    config = current_app.config
    key = repr(((count, updated), tuple(providers), retired, config["SITEMAP_URLS"],
                config["LANGUAGES"], request.host_url, request.path))
    changed = [t for t in (updated, retired, providers[1]) if t]
    return hashlib.sha256(key.encode()).hexdigest()[:32], max(map(_utc, changed), default=None)


def _streamed(lines: Iterable[str]) -> Response:
    etag, modified = _state()
    # no request context while streaming: what needs one (addresses, configuration) is done
    response = Response(lines, mimetype="application/xml")
    response.implicit_sequence_conversion = False  # nothing may read it all (a Content-Length)
    response.set_etag(etag)
    if modified:
        response.last_modified = modified
    response.cache_control.no_cache = True
    return response.make_conditional(request)


def _chunked(pieces: Iterable[str]) -> Iterator[str]:
    buffer, size = [], 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)


def _utc(value: dt.datetime) -> dt.datetime:
    """SQLite gives naive datetimes: they are UTC (catalogue.models.utcnow)."""
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value


def _w3c(value: dt.datetime) -> str:
    return _utc(value).astimezone(dt.timezone.utc).isoformat(timespec="seconds")
