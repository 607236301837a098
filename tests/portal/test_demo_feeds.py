"""The demo's feeds: each provider published from its CSV in a feed format, served on loopback and
harvested through the real runner and the real Fetcher, loads what the CSV says, field by field,
on every field the format carries. What a format cannot carry is listed here, with the reason."""
import datetime as dt
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from catalogue import vocabularies as vocab
from catalogue.models import HarvestRun, Opportunity, RunStatus, Source, Status
from catalogue.record import RECORD_FIELDS
from harvesters.base import SourceError
from harvesters.fetch import Fetcher
from harvesters.runner import run
from harvesters.xml import parse_xml, text
from portal import demo, demo_dates, demo_feeds
from tests.conftest import scratch_app
from portal.services import services

FETCH = Fetcher(allow_networks=("127.0.0.0/8",), retries=0)
PROVIDERS = {e["slug"]: e for e in demo.providers()}
FORMATS = {"elm-jsonld": "emajoe-ulikool", "xcri-cap": "tolka-fet-college",
           "schemaorg": "navigli-learning-lab", "oai-pmh": "hogeschool-maasdelta"}
O = "{http://www.openarchives.org/OAI/2.0/}"
# the day the feeds here are dated for: fixed, and in the past, so that an OAI-PMH datestamp
# (the day the dates last moved) is never later than a harvest
DAY = dt.date(2026, 11, 10)


def same(field):
    return lambda r: getattr(r, field)


def with_uri(field, vocabulary):
    """Only the codes with an ELM URI: the others have no concept the harvester can read."""
    return lambda r: [c for c in getattr(r, field) if vocab.get(vocabulary).terms[c].uri]


def places(*unknown):
    return lambda r: [{**p, **dict.fromkeys(unknown)} for p in r.places]


def primary(field):
    """The schema.org harvester files these under the first language of instruction."""
    def expected(r):
        lang = r.languages[0] if r.languages else "en"
        return {lang: getattr(r, field)[lang]} if lang in getattr(r, field) else {}
    return expected


def currency_if_priced(r):
    return r.currency if r.price is not None else None


NEVER = {  # no format here, as its harvester reads it, carries these
    "region": "no harvester reads a region: the offer's NUTS region is not in these formats",
    "qf_ehea_cycle": "no QF-EHEA cycle property in these formats",
    "supervision": "no supervision / identity-check property in these formats",
    "funding": "no funding-eligibility property in these formats",
    "accessibility": "no accessibility property the harvesters read",
    "start_anytime": "no 'start any time' property in these formats",
}
XCRI = {
    "carried": {
        **{f: same(f) for f in ("title", "description", "learning_outcomes", "assessment",
                                "prerequisites", "awarding_body", "ects", "workload_hours",
                                "eqf_level", "nqf_level", "participation_form", "url",
                                "application_url", "application_deadline", "duration_value",
                                "duration_unit", "languages", "price")},
        # XCRI-CAP 1.2: one mlo:start per presentation, and every presentation is an offer
        "start_dates": lambda r: r.start_dates[:1],
        "currency": lambda r: r.currency if r.price else None,  # "Free" has no currency
        "places": places("nuts", "country"),  # mlo:location has a town and geo:lat/long only
    },
    "not carried": {
        **NEVER,
        "country": "XCRI-CAP states none: the runner takes the provider's",
        "assessment_types": "no assessment-type vocabulary (mlo:assessment is text)",
        "qa_types": "no quality-assurance vocabulary",
        "grading": "no grading element",
        "stackability": "mlo:isPartOf is kept in extras, not read as stacking",
        "stacks_towards": "mlo:isPartOf is kept in extras",
        "further_info_url": "one mlo:url per course: it is the offer's url",
        "target_groups": "no target-group vocabulary",
        "isced_f": "dc:subject is kept in extras, not read as ISCED-F",
        "esco_skills": "no ESCO property", "esco_occupations": "no ESCO property",
    },
}
FEEDS = {
    "elm-jsonld": {
        "carried": {
            **{f: same(f) for f in ("title", "description", "learning_outcomes", "assessment",
                                    "prerequisites", "grading", "awarding_body", "country",
                                    "ects", "workload_hours", "eqf_level", "nqf_level",
                                    "participation_form", "assessment_types", "further_info_url",
                                    "start_dates", "duration_value", "duration_unit", "languages",
                                    "places", "price", "isced_f", "esco_skills",
                                    "application_deadline")},
            "currency": currency_if_priced,
            "qa_types": with_uri("qa_types", "qa_types"),
            "target_groups": with_uri("target_groups", "target_groups"),
            # isPartOf makes an offer stackable; "standalone" has no ELM statement
            "stackability": lambda r: r.stackability if r.stackability == "stackable" else None,
            "stacks_towards": lambda r: r.stacks_towards if r.stackability == "stackable" else {},
        },
        "not carried": {
            **NEVER,
            "url": "the harvester reads homepage as further_info_url and no other address",
            "application_url": "no application address in ELM the harvester reads",
            "esco_occupations": "the harvester reads ESCO URIs from relatedESCOSkill only",
        },
    },
    "xcri-cap": XCRI,
    "oai-pmh": XCRI,  # XCRI-CAP payloads, one course per OAI-PMH record
    "schemaorg": {
        "carried": {
            **{f: same(f) for f in ("title", "description", "awarding_body", "country", "ects",
                                    "workload_hours", "eqf_level", "nqf_level",
                                    "participation_form", "url", "start_dates", "duration_value",
                                    "duration_unit", "languages", "price", "esco_skills",
                                    "esco_occupations", "application_deadline")},
            "currency": currency_if_priced,
            "learning_outcomes": primary("learning_outcomes"),
            "prerequisites": primary("prerequisites"),
            "places": places("nuts"),  # a Place has an address and geo, no NUTS code
        },
        "not carried": {
            **NEVER,
            "assessment_types": "no assessment property", "assessment": "no assessment property",
            "grading": "no grading property", "qa_types": "no quality-assurance property",
            "stackability": "no stacking property", "stacks_towards": "no stacking property",
            "further_info_url": "one url per Course: it is the offer's url",
            "target_groups": "audience is kept in extras, not read as target groups",
            "isced_f": "no ISCED-F property",
            "application_url": "the harvester does not read an Offer's url",
        },
    },
}


def presentation(r) -> list[dict]:
    """The one presentation the demo's XCRI-CAP feeds write per offer."""
    if not r.start_dates:
        return []
    session = {"start": r.start_dates[0], "apply_until": r.application_deadline,
               "venue": "; ".join(p["city"] for p in r.places if p.get("city"))}
    return [{k: v for k, v in session.items() if v}]


for _fmt in FEEDS.values():  # what the single forms say, the list forms say too
    _fmt["carried"].update({f: same(f) for f in ("awarding_bodies", "credits", "prices")})
    _fmt["not carried"].update({
        "subject_codes": "the demo states subjects as ISCED-F codes only",
        "qualification_title": "the demo's offers award no separately titled qualification",
        "concept_labels": "every concept the demo names has a learncat label"})
XCRI["carried"]["sessions"] = presentation
for _fmt in ("elm-jsonld", "schemaorg"):
    FEEDS[_fmt]["not carried"]["sessions"] = "start dates only: no presentation with its own facts"


@pytest.mark.parametrize("fmt", FEEDS)
def test_every_field_is_compared_or_listed_as_not_carried(fmt):
    carried, missing = FEEDS[fmt]["carried"], FEEDS[fmt]["not carried"]
    assert not set(carried) & set(missing)
    assert set(carried) | set(missing) == set(RECORD_FIELDS) - {"remote_id", "extras"}


def active(session, source) -> dict:
    return {o.remote_id: o.to_record() for o in session.scalars(select(Opportunity).where(
        Opportunity.source_id == source.id, Opportunity.status == Status.ACTIVE))}


def harvest(session, make_source, fmt, tmp_path):
    """The provider's CSV (dated for DAY) harvested as CSV, and its feed harvested over HTTP:
    (csv, feed, run, feed source); the server is stopped on return."""
    entry = PROVIDERS[FORMATS[fmt]]
    dated = tmp_path / "dated.csv"
    dated.write_bytes(demo_dates.shift((demo.DEMO / entry["source"]["file"]).read_bytes(), DAY))
    csv_source = make_source(dated, country=entry["country"])
    assert run(session, csv_source).status is RunStatus.SUCCEEDED
    with demo_feeds.published([entry], demo.DEMO, DAY) as feeds:
        source = make_source(feeds[entry["slug"]], country=entry["country"], fmt=fmt)
        result = run(session, source, fetch=FETCH)
    return active(session, csv_source), active(session, source), result, source


@pytest.mark.parametrize("fmt", FEEDS)
def test_feed_round_trip_keeps_what_the_format_carries(session, make_source, fmt, tmp_path):
    from_csv, from_feed, result, _ = harvest(session, make_source, fmt, tmp_path)
    assert result.status is RunStatus.SUCCEEDED and result.rejected == 0, \
        [e.message for e in result.errors]
    expected = {demo_feeds.remote_id(fmt, FORMATS[fmt], r): r for r in from_csv.values()}
    assert set(from_feed) == set(expected) and len(expected) == len(from_csv) > 0
    differences = [(rid, field, getattr(got, field), want(expected[rid]))
                   for rid, got in from_feed.items()
                   for field, want in FEEDS[fmt]["carried"].items()
                   if getattr(got, field) != want(expected[rid])]
    assert not differences


def test_oai_pmh_harvest_is_incremental(session, make_source, tmp_path):
    _, loaded, first, source = harvest(session, make_source, "oai-pmh", tmp_path)
    assert first.complete and first.added == len(loaded)
    with demo_feeds.published([PROVIDERS[FORMATS["oai-pmh"]]], demo.DEMO, DAY) as feeds:
        source.location = feeds[FORMATS["oai-pmh"]]  # a new server, a new port
        session.commit()
        again = run(session, source, fetch=FETCH)
    # `from` is the first run's start, later than the CSV's last change: noRecordsMatch
    assert again.status is RunStatus.SUCCEEDED and not again.complete
    assert (again.added, again.updated, again.unchanged, again.retired) == (0, 0, 0, 0)
    assert active(session, source) == loaded


def test_oai_pmh_repository_pages_and_honours_from():
    entry = PROVIDERS[FORMATS["oai-pmh"]]
    count = len(demo_feeds.csv_records(demo.DEMO / entry["source"]["file"]))
    with demo_feeds.published([entry], demo.DEMO, DAY) as feeds:
        base = feeds[entry["slug"]].split("?")[0]

        def ask(**arguments):
            return parse_xml(FETCH(f"{base}?{urlencode(arguments)}"))

        def error(root):
            return root.find(f"{O}error").get("code")

        identify = ask(verb="Identify")
        assert text(identify.find(f"{O}Identify/{O}granularity")) == "YYYY-MM-DDThh:mm:ssZ"
        pages, arguments, token = [], {"verb": "ListRecords", "metadataPrefix": "xcri_cap"}, None
        while arguments:
            answer = ask(**arguments).find(f"{O}ListRecords")
            pages.append(answer.findall(f"{O}record"))
            token = answer.find(f"{O}resumptionToken")
            arguments = text(token) and {"verb": "ListRecords", "resumptionToken": text(token)}
        assert [len(p) for p in pages] == [5] * (count // 5) + [count % 5] * bool(count % 5)
        assert token.get("completeListSize") == str(count)
        stamps = {text(r.find(f"{O}header/{O}datestamp")) for page in pages for r in page}
        (stamp,) = stamps  # the CSV file's last change, or when the dates last moved
        assert stamp == max(demo_feeds.changed(demo.DEMO / entry["source"]["file"]),
                            demo_dates.since(DAY)).strftime("%Y-%m-%dT%H:%M:%SZ")
        after = (dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ") + dt.timedelta(seconds=1))
        listing = {"verb": "ListRecords", "metadataPrefix": "xcri_cap"}
        for since in (after.strftime("%Y-%m-%dT%H:%M:%SZ"),  # both granularities
                      (after + dt.timedelta(days=1)).date().isoformat()):
            assert error(ask(**listing, **{"from": since})) == "noRecordsMatch"
        assert len(ask(**listing, **{"from": stamp}).findall(f"{O}ListRecords/{O}record")) == 5
        assert error(ask(verb="ListRecords", metadataPrefix="oai_dc")) == "cannotDisseminateFormat"
        assert error(ask(verb="ListRecords", resumptionToken="nonsense")) == "badResumptionToken"
        assert error(ask(verb="GetRecords")) == "badVerb"


def test_serve_a_folder_until_stopped(tmp_path):
    (tmp_path / "feed.xml").write_bytes(b"<catalog/>")
    base_url, stop = demo_feeds.serve(tmp_path)
    assert base_url.startswith("http://127.0.0.1:")
    assert FETCH(f"{base_url}/feed.xml") == b"<catalog/>"
    stop()
    with pytest.raises(SourceError):
        FETCH(f"{base_url}/feed.xml")


def test_demo_serves_its_feeds_only_while_loading_and_reloads_in_place(tmp_path):
    app = scratch_app(tmp_path)
    loads = []
    with app.app_context(), services().sessions() as s:
        for _ in range(2):
            served = {}
            demo.load(s, services().search, lambda source, result: served.update({
                source.provider.slug: (source.format, source.location, result.status,
                                       result.rejected)}))
            loads.append(served)
        sources = {src.provider.slug: (src.format, src.location)
                   for src in s.scalars(select(Source)).all()}
        assert s.scalar(select(func.count()).select_from(Source)) == len(PROVIDERS)  # none added
        assert s.scalar(select(func.count()).select_from(HarvestRun)) == 2 * len(PROVIDERS)
    assert set(loads[0]) == set(loads[1]) == set(sources) == set(PROVIDERS)
    for slug, (fmt, location, status, rejected) in loads[1].items():
        assert (status, rejected) == loads[0][slug][2:] == (RunStatus.SUCCEEDED, 0)
        assert sources[slug] == (fmt, location)  # the second load's address, in place
        assert fmt == PROVIDERS[slug]["source"]["format"]
        # every provider's file is served, dated for the load (a CSV one too)
        assert location.startswith("http://127.0.0.1:")
        with pytest.raises(SourceError):  # the server stopped with the load
            FETCH(location)
