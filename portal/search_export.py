"""A search's offers as a download, streamed: CSV (GET /api/v1/search.csv) or ELM v3 JSON-LD
(GET /api/v1/search.jsonld).

The parameters are parsed as /api/v1/search parses them, so a wrong one is the same 400 before
anything is streamed. Only the offers that match are written (not the "closest" offers a search
page shows when nothing matches), at most ``CAP`` of them: the search engines' result window.
"""
from __future__ import annotations

import dataclasses

from flask import Response, stream_with_context
from sqlalchemy import select
from sqlalchemy.orm import load_only, selectinload
from werkzeug.datastructures import MultiDict

from catalogue import csv_export, elm_export
from catalogue.models import Opportunity
from harvesters.csv_feed import TEXT_COLUMNS

from . import search_service
from .services import services, session
from .views import elm_items

CAP = 10_000  # rows at most; X-Total-Count says how many offers the search found
BATCH = 500  # hits per search request and offers per database query
FILENAME = "learncat-search"  # .csv, .jsonld


def matching_ids(args: MultiDict, locale: str) -> tuple[list[int], int]:
    """The ids of the search's offers, in its order, up to CAP; and its total."""
    query, _ = search_service.parse(args, locale)
    ids: list[int] = []
    total, page = 0, 1
    while len(ids) < CAP:
        result = services().search.search(dataclasses.replace(query, page=page, per_page=BATCH))
        total = result.total
        ids += [hit.id for hit in result.hits if hit.id not in ids[-BATCH:]]
        if len(result.hits) < BATCH or page * BATCH >= total:
            break
        page += 1
    return ids[:CAP], total


def _chunks(ids: list[int]):
    for start in range(0, len(ids), BATCH):
        yield ids[start:start + BATCH]


def _texts(ids: list[int]):
    """The offers' multilingual fields only: what the header's columns depend on."""
    for chunk in _chunks(ids):
        yield from session().scalars(select(Opportunity).where(Opportunity.id.in_(chunk)).options(
            load_only(*(getattr(Opportunity, name) for name in TEXT_COLUMNS))))
        session().expunge_all()


def _offers(ids: list[int]):
    """The offers with their providers, in the search's order."""
    for chunk in _chunks(ids):
        found = {o.id: o for o in session().scalars(
            select(Opportunity).where(Opportunity.id.in_(chunk))
            .options(selectinload(Opportunity.provider)))}
        yield from (found[i] for i in chunk if i in found)
        session().expunge_all()


def _download(pieces, ids_total: tuple[list[int], int], media: str, suffix: str) -> Response:
    response = Response(stream_with_context(pieces), content_type=media)
    response.headers["Content-Disposition"] = f'attachment; filename="{FILENAME}.{suffix}"'
    response.headers["X-Total-Count"] = str(ids_total[1])
    return response


def csv_response(args: MultiDict, locale: str) -> Response:
    found = matching_ids(args, locale)
    columns = csv_export.header(csv_export.text_columns(_texts(found[0])))
    rows = (csv_export.row(o, f"{o.provider.slug}:{o.remote_id}") for o in _offers(found[0]))
    return _download(csv_export.write(rows, columns), found, "text/csv; charset=utf-8", "csv")


def elm_response(args: MultiDict, locale: str) -> Response:
    """One JSON-LD document: the offers' LearningOpportunities in a graph, addressed as the
    single offer's export addresses them, so the two agree node for node."""
    found = matching_ids(args, locale)
    items = elm_items(_offers(found[0]), locale)
    return _download(elm_export.graph(items), found, "application/ld+json", "jsonld")
