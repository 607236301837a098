"""The embedded backend on a catalogue loaded through the real harvester and indexer."""
import datetime as dt
import itertools
import random

import pytest
from sqlalchemy import select

from catalogue.models import Opportunity
from catalogue.store import CatalogueStore
from harvesters.runner import run
from indexer.documents import to_document
from indexer.highlight import mark
from indexer.protocol import FACETS, SearchQuery
from indexer.sqlite import SqliteBackend
from indexer.sync import rebuild, sync_pending
from tests.conftest import offer, write_csv

def days(n: int) -> str:
    """A date n days from the day the test runs: the start sort counts from today."""
    return (dt.date.today() + dt.timedelta(days=n)).isoformat()


ROWS = [
    offer("EN1", title_en="Managing construction projects", eqf_level="5", ects="4",
          learning_outcomes_en="Plan a building site schedule|Control costs of a project",
          start_dates=days(62), price="300", currency="EUR", languages="en",
          place_city="Dublin", place_nuts="IE061", participation_form="onsite"),
    offer("EN2", title_en="Spreadsheet skills for office work", eqf_level="3", ects="1",
          learning_outcomes_en="Build a budget in a spreadsheet",
          description_en="Includes a short unit on managing small projects.",
          start_anytime="yes", price="0", participation_form="online"),
    offer("DE1", title_en="", title_de="Schweißen von Baustahl", eqf_level="3", ects="",
          workload_hours="80", learning_outcomes_de="Kehlnähte sicher schweißen", languages="de",
          participation_form="onsite", place_city="München", place_nuts="DE212", country="DE",
          start_dates=days(-30) + "|" + days(41), price="900", qa_type="sector-label"),
    offer("FR1", title_en="", title_fr="Soins infirmiers gériatriques", eqf_level="6", ects="6",
          learning_outcomes_fr="Évaluer l'autonomie d'une personne âgée", languages="fr",
          participation_form="blended", place_city="Lyon", place_nuts="FRK26", country="FR",
          start_dates=days(104), price="1200", qa_type="esg-external", isced_f="0913"),
    offer("ES1", title_en="", title_es="Instalación de paneles solares", eqf_level="4",
          ects="10", learning_outcomes_es="Montar una instalación fotovoltaica", languages="es",
          participation_form="onsite", place_city="Madrid", place_nuts="ES300", country="ES",
          start_dates=days(20), price="0", isced_f="0713", stackability="stackable"),
    offer("ES2", title_en="Solar energy policy", eqf_level="7", ects="20", languages="en|es",
          learning_outcomes_en="Compare support schemes for photovoltaic panels",
          participation_form="online", price="2500", stackability="standalone", qa_type="esg-external"),
]


@pytest.fixture
def backend(session, make_source, tmp_path):
    source = make_source(write_csv(tmp_path / "feed.csv", ROWS), country="IE")
    assert run(session, source).added == len(ROWS)
    engine = SqliteBackend(tmp_path / "search.sqlite")
    engine.ensure_ready()
    rebuild(session, engine)
    return engine


def ids(result, session):
    by_id = dict(session.execute(select(Opportunity.id, Opportunity.remote_id)).all())
    return [by_id[h.id] for h in result.hits]


@pytest.mark.parametrize("text, expected", [
    ("managing project", "EN1"),           # English stems: managing/projects
    ("Schweissen", "DE1"),                 # German: ß written as ss
    ("schweißen baustahl", "DE1"),
    ("soin infirmier geriatrique", "FR1"),  # French without accents, singular
    ("instalacion panel solar", "ES1"),    # Spanish without accents, singular
])
def test_text_search_finds_stemmed_and_accent_free_variants(backend, session, text, expected):
    result = backend.search(SearchQuery(text=text))
    assert ids(result, session)[:1] == [expected]


def test_title_outranks_description(backend, session):
    result = backend.search(SearchQuery(text="managing projects"))
    assert ids(result, session) == ["EN1", "EN2"]


def test_highlights_mark_matched_words_in_their_language(backend):
    hit = backend.search(SearchQuery(text="soin infirmier")).hits[0]
    assert hit.highlights["title"] == "<mark>Soins</mark> <mark>infirmiers</mark> gériatriques"
    assert mark("Fish & <b>chips</b>: schweißen", "de", {"schweiss"}) == \
        "Fish &amp; &lt;b&gt;chips&lt;/b&gt;: <mark>schweißen</mark>"
    assert mark("nothing here", "en", {"schweiss"}) is None


def test_a_long_text_is_cut_to_the_window_around_its_first_match():
    words = [f"w{i}" for i in range(100)]
    words[50] = "<welding>"
    snippet = mark(" ".join(words), "en", {"weld"}, window=12)
    assert snippet == "… w47 w48 w49 &lt;<mark>welding</mark>&gt; " + \
        " ".join(f"w{i}" for i in range(51, 59)) + " …"
    assert mark("welding at the start", "en", {"weld"}, window=12) == \
        "<mark>welding</mark> at the start"
    assert mark(" ".join(words[:60]), "en", {"weld"}, window=12).startswith("… w47")


def test_every_word_must_match(backend):
    assert backend.search(SearchQuery(text="solar welding")).total == 0


def brute_force(docs, query: SearchQuery, matched: set[int] | None = None):
    """Expected totals and multi-select facet counts, computed naively from the documents (of a
    query with words: from the documents ``matched`` by its words alone)."""
    if matched is not None:
        docs = [d for d in docs if d["id"] in matched]
    def values(doc, facet):
        v = doc[FACETS[facet]]
        return set(v) if isinstance(v, list) else {str(v)} if v is not None else set()

    def passes(doc, skip=None):
        for name, selected in query.filters.items():
            if name != skip and not values(doc, name) & set(selected):
                return False
        if query.ects_min is not None and not (doc["ects"] is not None and doc["ects"] >= query.ects_min):
            return False
        if query.ects_max is not None and not (doc["ects"] is not None and doc["ects"] <= query.ects_max):
            return False
        if query.start_from or query.start_to:
            low, high = query.start_from or dt.date.min, query.start_to or dt.date.max
            if not doc["start_anytime"] and not any(
                    low <= dt.date.fromisoformat(d) <= high for d in doc["start_dates"]):
                return False
        return True

    total = sum(passes(d) for d in docs)
    facets = {}
    for name in FACETS:
        counts = {}
        for d in docs:
            if passes(d, skip=name):
                for v in values(d, name):
                    counts[v] = counts.get(v, 0) + 1
        facets[name] = counts
    return total, facets


def random_queries(docs, n, seed=7):
    rng = random.Random(seed)
    observed = {name: sorted({v for d in docs for v in (
        d[FACETS[name]] if isinstance(d[FACETS[name]], list) else [d[FACETS[name]]])
        if v is not None}, key=str) for name in FACETS}
    for _ in range(n):
        filters = {}
        for name in rng.sample(sorted(FACETS), rng.randint(0, 3)):
            if observed[name]:
                filters[name] = tuple(str(v) for v in rng.sample(
                    observed[name], rng.randint(1, min(3, len(observed[name])))))
        window = rng.random() < 0.3
        title = next(iter(rng.choice(docs)["title"].values()), "")
        words = [w for w in title.split() if len(w) > 3]
        yield SearchQuery(
            text=rng.choice(words) if words and rng.random() < 0.4 else "",
            filters=filters,
            ects_min=rng.choice([None, None, 1, 3.5]), ects_max=rng.choice([None, None, 6, 20]),
            start_from=dt.date(2027, 1, 1) if window else None,
            start_to=dt.date(2027, 3, 31) if window else None)


def check_against_brute_force(backend, docs, queries):
    with_words = 0
    for query in queries:
        matched = None
        if query.text:  # what the words alone find; the filters and facets must work within it
            alone = backend.search(SearchQuery(text=query.text, per_page=len(docs)))
            matched = {h.id for h in alone.hits}
            assert matched and alone.total == len(matched), query.text
            with_words += 1
        total, facets = brute_force(docs, query, matched)
        result = backend.search(query)
        assert result.total == total, query
        assert {k: dict(v) for k, v in result.facets.items()} == facets, query
    assert with_words > 0


def test_facet_counts_match_brute_force(backend, session):
    docs = [to_document(o) for o in CatalogueStore(session).iter_indexable()]
    check_against_brute_force(backend, docs, random_queries(docs, 150))


def test_facets_are_multi_select(backend):
    result = backend.search(SearchQuery(filters={"form": ("online",)}))
    assert result.total == 2
    assert dict(result.facets["form"]) == {"online": 2, "onsite": 3, "blended": 1}


def test_region_filter_covers_smaller_regions(backend, session):
    result = backend.search(SearchQuery(filters={"region": ("DE2",)}))
    assert ids(result, session) == ["DE1"]


def test_sorts_and_pages(backend, session):
    ects = ids(backend.search(SearchQuery(sort="ects")), session)
    assert ects == ["EN2", "EN1", "FR1", "ES1", "ES2", "DE1"]  # no ECTS last
    most = ids(backend.search(SearchQuery(sort="-ects")), session)
    assert most[:2] == ["ES2", "ES1"] and most[-1] == "DE1"
    titles = ids(backend.search(SearchQuery(sort="title")), session)
    assert titles[:2] == ["ES1", "EN1"]  # Instalación..., Managing...
    pages = [ids(backend.search(SearchQuery(sort="title", page=p, per_page=4)), session)
             for p in (1, 2, 3)]
    assert list(itertools.chain(*pages)) == titles and pages[2] == []


def test_start_sort_puts_start_any_time_first_and_undated_last(backend, session):
    order = ids(backend.search(SearchQuery(sort="start")), session)
    # start any time counts as today; DE1's past date is passed over; ES2 has no start date
    assert order == ["EN2", "ES1", "DE1", "EN1", "FR1", "ES2"]


def test_incremental_sync_and_rebuild(backend, session, make_source, tmp_path):
    store = CatalogueStore(session)
    row = session.scalar(select(Opportunity).where(Opportunity.remote_id == "EN2"))
    store.retire_missing(row.source_id, {o.remote_id for o in store.iter_indexable()} - {"EN2"})
    session.commit()
    assert sync_pending(session, backend) == (0, 1)
    assert backend.search(SearchQuery(text="spreadsheet")).total == 0
    assert backend.count() == len(ROWS) - 1
    assert rebuild(session, backend) == len(ROWS) - 1
    assert backend.search(SearchQuery(text="schweissen")).total == 1


def test_facet_counts_match_brute_force_on_the_demo_catalogue(demo_app):
    from portal.services import services
    with demo_app.app_context(), services().sessions() as s:
        docs = [to_document(o) for o in CatalogueStore(s).iter_indexable()]
        check_against_brute_force(services().search, docs, random_queries(docs, 200, seed=11))


@pytest.mark.parametrize("prefix, locale, expected", [
    ("schwei", "de", ["Schweißen von Baustahl"]), ("SOINS inf", "fr", ["Soins infirmiers gériatriques"]),
    ("solar", "en", ["Instalación de paneles solares", "Solar energy policy"]),  # any word
    ("zzzz", "en", [])])
def test_autocomplete_completes_titles_on_the_embedded_backend(backend, prefix, locale, expected):
    assert sorted(backend.autocomplete(prefix, locale)) == expected
