"""What changed since a moment (updated_since) and the newest changes first (sort=-updated),
on both backends alike: what the change feeds and the API's `updated_since` read."""
import dataclasses
import datetime as dt
import os

import pytest

from indexer.protocol import SearchQuery
from indexer.sqlite import SqliteBackend

BASE = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.timezone.utc)  # a fixed clock


@pytest.fixture(scope="module")
def changed(demo_app, opensearch_client, tmp_path_factory):
    """The demo's documents, each changed an hour after the one before (one never)."""
    from indexer.opensearch import OpenSearchBackend
    from portal.services import services
    from catalogue.store import CatalogueStore
    from indexer.documents import to_document
    with demo_app.app_context(), services().sessions() as s:
        docs = [to_document(o) for o in CatalogueStore(s).iter_indexable()]
    docs = [{**d, "updated": (BASE + dt.timedelta(hours=i)).isoformat(timespec="seconds")}
            for i, d in enumerate(docs)]
    docs[-1]["updated"] = None  # unknown: never "changed since", last when newest come first
    embedded = SqliteBackend(tmp_path_factory.mktemp("changes") / "search.sqlite")
    embedded.ensure_ready()
    embedded.rebuild(docs)
    prefix = f"test-{os.getpid()}-changes-"
    engine = OpenSearchBackend(opensearch_client, prefix)
    engine.ensure_ready()
    engine.rebuild(docs)
    yield docs, {"sqlite": embedded, "opensearch": engine}
    opensearch_client.indices.delete(index=f"{prefix}*", ignore_unavailable=True)


def ids(result):
    return [h.id for h in result.hits]


@pytest.mark.parametrize("backend", ["sqlite", "opensearch"])
@pytest.mark.parametrize("hours", [0, 5, 90, 100_000])
def test_updated_since_keeps_the_offers_changed_at_or_after_it(changed, backend, hours):
    docs, backends = changed
    since = BASE + dt.timedelta(hours=hours)
    expected = {d["id"] for d in docs if d["updated"] and
                dt.datetime.fromisoformat(d["updated"]) >= since}
    result = backends[backend].search(SearchQuery(updated_since=since, per_page=500))
    assert set(ids(result)) == expected
    assert result.total == len(expected)
    assert sum(dict(result.facets["form"]).values()) == len(expected)  # facets agree


@pytest.mark.parametrize("backend", ["sqlite", "opensearch"])
def test_newest_changes_come_first_and_the_undated_last(changed, backend):
    docs, backends = changed
    result = backends[backend].search(SearchQuery(sort="-updated", per_page=500))
    dated = sorted((d for d in docs if d["updated"]), key=lambda d: d["updated"], reverse=True)
    assert ids(result)[:len(dated)] == [d["id"] for d in dated]
    assert ids(result)[-1] == docs[-1]["id"]


def test_both_backends_agree_on_changes_within_words_and_filters(changed, demo_app):
    from werkzeug.datastructures import MultiDict

    from portal import search_service
    docs, backends = changed
    with demo_app.test_request_context():
        query = search_service.parse(MultiDict({"q": "data analysis", "form": "online"}), "en")[0]
    query = dataclasses.replace(query, updated_since=BASE + dt.timedelta(hours=60), per_page=50)
    results = {name: backend.search(query) for name, backend in backends.items()}
    assert results["sqlite"].total == results["opensearch"].total > 0
    assert set(ids(results["sqlite"])) == set(ids(results["opensearch"]))
    since = (BASE + dt.timedelta(hours=60)).isoformat()
    by_id = {d["id"]: d for d in docs}
    assert all(by_id[i]["updated"] >= since for i in ids(results["sqlite"]))
