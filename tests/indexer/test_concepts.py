"""Concept bridging across languages, on both backends, through the real pipeline."""
import pytest
from sqlalchemy import select

from catalogue.models import Opportunity
from harvesters.runner import run
from indexer.concepts import label_index, suggest_skills
from indexer.protocol import SearchQuery
from indexer.sqlite import SqliteBackend
from indexer.sync import rebuild
from tests.conftest import ROOT, offer, write_csv

WELDING_TECHNIQUES = "http://data.europa.eu/esco/skill/530cb489-d900-46ab-9350-4d50ccd49eea"
ROWS = [
    offer("WELD-EN", title_en="Joining steel plates for shipyards", languages="en",
          learning_outcomes_en="Join steel plates to class standards|Inspect joints visually",
          esco_skills=WELDING_TECHNIQUES),
    offer("PFLEGE-DE", title_en="", title_de="Pflege älterer Menschen im Krankenhaus",
          learning_outcomes_en="", learning_outcomes_de="Pflegeplanung erstellen|Wunden versorgen",
          languages="de", isced_f="0913"),
    offer("OFFICE-EN", title_en="Office software basics", languages="en"),
    offer("ROBOT-EN", title_en="Robotics cell programming", languages="en",
          learning_outcomes_en="Program a robotized cell"),
    offer("ROBOT-IT", title_en="", title_it="Robotics cell programming", languages="it",
          learning_outcomes_en="", learning_outcomes_it="Programmare una cella robotizzata"),
]


def bridged(text):
    return label_index(str(ROOT / "translations")).query(text, {"en", "fr", "es", "de"})


@pytest.fixture(params=["sqlite", "opensearch"])
def backend(request, session, make_source, tmp_path):
    source = make_source(write_csv(tmp_path / "feed.csv", ROWS))
    run(session, source)
    if request.param == "sqlite":
        engine = SqliteBackend(tmp_path / "search.sqlite")
        engine.ensure_ready()
    else:
        engine = request.getfixturevalue("opensearch_backend")
    rebuild(session, engine)
    return engine


def remote_ids(backend, session, text, locale="en"):
    by_id = dict(session.execute(select(Opportunity.id, Opportunity.remote_id)).all())
    query = SearchQuery(text=text, concepts=bridged(text), locale=locale)
    return [by_id[h.id] for h in backend.search(query).hits]


def test_spanish_words_find_an_english_offer_by_its_esco_skill(backend, session):
    assert WELDING_TECHNIQUES in bridged("soldadura").skills
    assert remote_ids(backend, session, "soldadura") == ["WELD-EN"]


def test_french_words_find_a_german_offer_by_its_isced_field(backend, session):
    assert "0913" in bridged("soins infirmiers").isced  # via the French ISCED-F labels
    assert remote_ids(backend, session, "soins infirmiers") == ["PFLEGE-DE"]


def test_words_still_rank_offers_that_contain_them_first(backend, session):
    assert remote_ids(backend, session, "office") == ["OFFICE-EN"]
    assert remote_ids(backend, session, "joining steel") == ["WELD-EN"]


def test_skills_are_suggested_from_outcomes_only_when_none_are_stated():
    assert WELDING_TECHNIQUES in suggest_skills({"en": ["Apply welding techniques to steel"]})
    assert suggest_skills({"de": ["Schweißtechniken anwenden"]}) == []  # no German ESCO labels here


def test_the_readers_language_is_boosted(backend, session):
    assert remote_ids(backend, session, "robotics cell programming", "it") == ["ROBOT-IT", "ROBOT-EN"]
    assert remote_ids(backend, session, "robotics cell programming", "en") == ["ROBOT-EN", "ROBOT-IT"]
