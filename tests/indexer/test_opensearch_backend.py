"""The OpenSearch backend on a real node: index life cycle, paging, suggestions, failures."""
import threading

import pytest
from opensearchpy import OpenSearch

from indexer.opensearch import OpenSearchBackend
from indexer.protocol import SearchQuery, SearchUnavailable


def doc(i: int, text: str, **extra) -> dict:
    base = {"id": i, "provider": "p", "provider_name": {"en": "Provider"}, "title": {"en": text},
            "description": {}, "outcomes": {"en": "Apply what you learned"},
            "awarding_body": None, "eqf": 4, "ects": float(i % 7), "ects_range": None,
            "workload_hours": None, "form": "online", "countries": ["EE"], "regions": [],
            "cities": [], "locations": [], "languages": ["en"], "isced": [], "qa": [],
            "price": None, "currency": None, "price_class": None, "stackability": None,
            "start_dates": [], "start_anytime": False, "duration": None, "skills": [],
            "skill_labels": [], "completeness": 9}
    base.update(extra)
    return base


def indices(client, backend):
    return sorted(client.indices.get_alias(name=backend.alias))


def test_rebuild_swaps_the_alias_and_drops_the_old_index(opensearch_backend, opensearch_client):
    first = indices(opensearch_client, opensearch_backend)
    assert opensearch_backend.rebuild(doc(i, f"Welding course {i}") for i in range(1, 31)) == 30
    second = indices(opensearch_client, opensearch_backend)
    assert second != first and len(second) == 1
    assert not opensearch_client.indices.exists(index=first[0])
    settings = opensearch_client.indices.get_settings(index=second[0])[second[0]]["settings"]
    assert settings["index"]["refresh_interval"] == "1s"  # restored after the bulk load
    assert opensearch_backend.search(SearchQuery(text="welding")).total == 30


def test_searches_keep_answering_during_a_rebuild(opensearch_backend):
    opensearch_backend.rebuild(doc(i, f"Carpentry basics {i}") for i in range(1, 21))
    seen, loading, release = [], threading.Event(), threading.Event()

    def slow_docs():
        for i in range(100, 140):
            if i == 120:
                loading.set()
                release.wait(10)
            yield doc(i, f"Carpentry advanced {i}")

    worker = threading.Thread(target=opensearch_backend.rebuild, args=(slow_docs(),))
    worker.start()
    loading.wait(10)
    seen.append(opensearch_backend.search(SearchQuery(text="carpentry")).total)
    release.set()
    worker.join(30)
    seen.append(opensearch_backend.search(SearchQuery(text="carpentry")).total)
    assert seen == [20, 40]


def test_a_failed_rebuild_drops_the_new_index_and_keeps_the_old(opensearch_backend,
                                                                opensearch_client):
    opensearch_backend.rebuild(doc(i, f"Masonry {i}") for i in range(1, 6))
    before = indices(opensearch_client, opensearch_backend)

    def broken():
        yield doc(1, "Masonry again")
        raise RuntimeError("the catalogue went away")

    with pytest.raises(RuntimeError):
        opensearch_backend.rebuild(broken())
    assert indices(opensearch_client, opensearch_backend) == before
    leftovers = opensearch_client.indices.get(index=f"{opensearch_backend.alias}-*")
    assert sorted(leftovers) == before
    assert opensearch_backend.search(SearchQuery(text="masonry")).total == 5


def test_upsert_delete_and_deep_pages(opensearch_backend, monkeypatch):
    opensearch_backend.rebuild(doc(i, f"Course {i:03d} in plumbing") for i in range(1, 101))
    opensearch_backend.upsert([doc(7, "Course 007 in roofing")])
    opensearch_backend.delete([8])
    opensearch_backend.refresh()
    assert opensearch_backend.search(SearchQuery(text="roofing")).total == 1
    assert opensearch_backend.count() == 99
    by_window = [h.id for p in (4, 5) for h in opensearch_backend.search(
        SearchQuery(sort="title", page=p, per_page=10)).hits]
    from indexer.opensearch import backend as module
    monkeypatch.setattr(module, "RESULT_WINDOW", 25)  # force search_after for these pages
    monkeypatch.setattr(module, "DEEP_STEP", 7)
    by_search_after = [h.id for p in (4, 5) for h in opensearch_backend.search(
        SearchQuery(sort="title", page=p, per_page=10)).hits]
    assert by_search_after == by_window and len(by_window) == 20


def test_highlights_and_autocomplete(opensearch_backend):
    opensearch_backend.rebuild([
        doc(1, "Schweißtechnik Grundlagen", title={"de": "Schweißtechnik Grundlagen"}),
        doc(2, "Soins infirmiers <b>gériatriques</b>", title={"fr": "Soins infirmiers <b>gériatriques</b>"},
            skill_labels=["fournir des soins infirmiers professionnels"])])
    hit = opensearch_backend.search(SearchQuery(text="soins", locale="fr")).hits[0]
    assert "<mark>Soins</mark>" in hit.highlights["title"]
    assert hit.highlights["title"].lang == "fr"  # the page marks it lang="fr" where it is foreign
    assert "&lt;b&gt;" in hit.highlights["title"]  # provider text is escaped, only <mark> is markup
    assert opensearch_backend.autocomplete("schwei", "en") == ["Schweißtechnik Grundlagen"]
    assert "fournir des soins infirmiers professionnels" in \
        opensearch_backend.autocomplete("soins inf", "fr")


def test_an_unreachable_engine_is_search_unavailable():
    client = OpenSearch("http://127.0.0.1:9", timeout=1, max_retries=0)
    backend = OpenSearchBackend(client, "nowhere-")
    with pytest.raises(SearchUnavailable):
        backend.search(SearchQuery(text="x"))
    with pytest.raises(SearchUnavailable):
        backend.upsert([doc(1, "x")])


def test_a_long_query_is_answered(opensearch_backend):
    opensearch_backend.rebuild([doc(1, "Interdisciplinary programmes in engineering",
                                    title={"en": "Interdisciplinary programmes in engineering",
                                           "pl": "Programy interdyscyplinarne", "hr": "Programi"})])
    words = "interdisciplinary programmes in engineering "  # repeated: each word counts once
    result = opensearch_backend.search(SearchQuery(text=words * 12))  # not a 500: the offer
    assert result.total == 1 and [h.id for h in result.hits] == [1]
