"""XCRI-CAP 1.2 through the real runner, on the real feeds and validator fixtures in shared data.

Expected numbers are counted here with lxml from the same files, never typed in by hand.
"""
from copy import deepcopy

import pytest
from lxml import etree
from sqlalchemy import select

from catalogue.models import Opportunity, RunStatus, Severity, Stage, Status
from harvesters.runner import run
from tests.conftest import SHARED_DATA

XCRI = "{http://xcri.org/profiles/1.2/catalog}"
DC = "{http://purl.org/dc/elements/1.1/}"
MLO = "{http://purl.org/net/mlo}"
CM = "{http://purl.org/net/cm}"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
FOLDER = SHARED_DATA / "xcri-cap"
OLDER = "feeds/adam-smith-college-xcri-cap-1.2-2012.xml"        # generated 2012-09-07
NEWER = "feeds/adam-smith-college-xcri-cap-1.2-2012-10-04.xml"
DUPLICATES = "validator-tests/ContentValidation/UniqueValidator/Invalid/NotUniqueIdentifiers.xml"


def found(*patterns: str) -> list[str]:
    """Paths under xcri-cap/ for parametrize; a placeholder when the data is absent, so that the
    shared_data fixture skips (or fails under REQUIRE_SHARED_DATA) rather than nothing running."""
    paths = {str(path.relative_to(FOLDER)) for pattern in patterns for path in FOLDER.glob(pattern)}
    return sorted(paths) or ["(shared data missing)"]


CATALOGS = found("feeds/*.xml", "samples/*.xml",
                 "validator-tests/ContentValidation/UniqueValidator/Valid/*.xml",
                 "validator-tests/IValidationService/Valid/**/*.xml")
BROKEN = found("validator-tests/IValidationService/Invalid/**/*.xml",
               "validator-tests/ContentValidation/UrlValidator/**/*.xml")
# what the run's message must say, by the folder the broken file sits in
REASONS = {"Formatting": "'generated' attribute", "Namespaces": "namespace",
           "Structure": "not well-formed", "UrlValidator": "not an XCRI-CAP <catalog>"}


def load(shared_data, name: str) -> etree._Element:
    return etree.parse(str(shared_data / "xcri-cap" / name)).getroot()


def expected_records(root) -> dict[str, bytes]:
    """remote id -> canonical XML of what that record is read from (its course with only that
    presentation), following the harvester's rule: course id + "/" + presentation id."""
    records = {}
    for course in root.iter(f"{XCRI}course"):
        course_id = course.findtext(f"{DC}identifier").strip()
        presentations = course.findall(f"{XCRI}presentation")
        for n, presentation in enumerate(presentations or [None]):
            view = deepcopy(course)
            for i, other in enumerate(view.findall(f"{XCRI}presentation")):
                if i != n:
                    view.remove(other)
            pid = presentation.findtext(f"{DC}identifier") if presentation is not None else None
            remote_id = f"{course_id}/{pid.strip()}" if pid else course_id
            assert remote_id not in records
            records[remote_id] = etree.tostring(view, method="c14n")
    return records


def active(session, source) -> dict[str, Opportunity]:
    return {o.remote_id: o for o in session.scalars(select(Opportunity).where(
        Opportunity.source_id == source.id, Opportunity.status == Status.ACTIVE))}


def iso_day(element) -> str:
    return (element.get("dtf") or element.text).strip()[:10]


@pytest.mark.parametrize("name", CATALOGS)
def test_every_presentation_of_a_valid_catalog_loads(session, make_source, shared_data, name):
    root = load(shared_data, name)
    expected = expected_records(root)
    source = make_source(shared_data / "xcri-cap" / name, country="GB", fmt="xcri-cap")
    result = run(session, source)
    assert result.status is RunStatus.SUCCEEDED, [e.message for e in result.errors]
    assert (result.added, result.rejected) == (len(expected), 0)
    rows = active(session, source)
    assert set(rows) == set(expected)

    course = root.find(f"{XCRI}provider/{XCRI}course")
    if course is None:
        return
    first = rows[next(iter(expected))]
    assert first.title["en"] == course.findtext(f"{DC}title").strip()
    start = course.find(f"{XCRI}presentation/{MLO}start")
    if start is not None:
        assert first.start_dates == [iso_day(start)]
    credits = [(c.findtext(f"{CM}scheme"), float(c.findtext(f"{CM}value")))
               for c in course.iterfind(f"{MLO}credit") if c.findtext(f"{CM}value")]
    if credits:  # none of the real feeds uses ECTS: their schemes are kept with the value
        assert [(c["scheme"], c["value"]) for c in first.extras["credit"]] == credits
        assert first.ects is None


def test_feed_fields_and_notices(session, make_source, shared_data):
    source = make_source(shared_data / "xcri-cap" / NEWER, country="GB", fmt="xcri-cap")
    result = run(session, source)
    rows = active(session, source)
    priced = [o for o in rows.values() if o.price]
    assert priced and {o.currency for o in priced} == {"GBP"}  # bare amounts, a Scottish college
    assert any(o.places and o.places[0]["city"] for o in rows.values())
    courses = load(shared_data, NEWER).iter(f"{XCRI}course")
    described = {c.findtext(f"{DC}identifier") for c in courses
                 if "".join(c.find(f"{XCRI}abstract").itertext()).strip()
                 or any(not d.get(XSI_TYPE) for d in c.iterfind(f"{DC}description"))}
    assert {rid.split("/")[0] for rid, o in rows.items() if o.description.get("en")} == described
    notices = [e for e in result.errors if e.stage is Stage.GATHER]
    assert all(e.severity is Severity.WARNING for e in notices)
    fields = [e.field for e in notices]
    assert len(fields) == len(set(fields))  # one notice per element, not one per record
    assert {"studyMode", "attendanceMode", "end"} <= set(fields)
    assert all(name in o.extras for o in rows.values() for name in ("studyMode", "end"))


def test_snapshot_a_month_later_gives_the_delta(session, make_source, shared_data):
    older, newer = (expected_records(load(shared_data, n)) for n in (OLDER, NEWER))
    source = make_source(shared_data / "xcri-cap" / OLDER, country="GB", fmt="xcri-cap")
    first = run(session, source)
    assert (first.status, first.added) == (RunStatus.SUCCEEDED, len(older))

    source.location = str(shared_data / "xcri-cap" / NEWER)
    session.commit()
    delta = run(session, source)
    common = older.keys() & newer.keys()
    changed = {rid for rid in common if older[rid] != newer[rid]}
    assert delta.status is RunStatus.SUCCEEDED
    assert (delta.added, delta.updated, delta.unchanged, delta.retired) == (
        len(newer.keys() - older.keys()), len(changed), len(common - changed),
        len(older.keys() - newer.keys()))
    assert set(active(session, source)) == set(newer)


@pytest.mark.parametrize("name", BROKEN)
def test_a_broken_file_fails_the_run_and_changes_nothing(session, make_source, shared_data, name):
    good = shared_data / "xcri-cap" / "feeds/open-university-xcri-cap-1.2-example.xml"
    source = make_source(good, country="GB", fmt="xcri-cap")
    assert run(session, source).status is RunStatus.SUCCEEDED
    before = {rid: o.content_hash for rid, o in active(session, source).items()}

    source.location = str(shared_data / "xcri-cap" / name)
    session.commit()
    result = run(session, source)
    reason = next(text for folder, text in REASONS.items() if f"/{folder}/" in f"/{name}")
    assert result.status is RunStatus.FAILED and reason.lower() in result.message.lower()
    assert [e.stage for e in result.errors] == [Stage.FETCH]
    assert {rid: o.content_hash for rid, o in active(session, source).items()} == before


def test_duplicate_course_identifiers_keep_the_first(session, make_source, shared_data):
    courses = load(shared_data, DUPLICATES).iter(f"{XCRI}course")
    ids = [c.findtext(f"{DC}identifier") for c in courses]
    assert len(ids) == 2 and len(set(ids)) == 1
    result = run(session, make_source(shared_data / "xcri-cap" / DUPLICATES, fmt="xcri-cap"))
    assert (result.status, result.added, result.rejected) == (RunStatus.PARTIAL, 1, 1)
    assert any("duplicate identifier" in e.message for e in result.errors)


@pytest.mark.parametrize("name", [n for n in CATALOGS if n.startswith("validator-tests")]
                         or ["(shared data missing)"])
def test_utf16_and_bom_files_parse(session, make_source, shared_data, name):
    data = (shared_data / "xcri-cap" / name).read_bytes()
    assert data[:2] == b"\xff\xfe" or data[:3] == b"\xef\xbb\xbf"  # UTF-16LE or UTF-8, with BOM
    source = make_source(shared_data / "xcri-cap" / name, fmt="xcri-cap")
    assert run(session, source).status is RunStatus.SUCCEEDED
    titles = [c.findtext(f"{DC}title") for c in load(shared_data, name).iter(f"{XCRI}course")]
    assert sorted(o.title["en"] for o in active(session, source).values()) == sorted(titles)


FEED = """<?xml version="1.0" encoding="UTF-8"?>
<catalog xmlns="http://xcri.org/profiles/1.2/catalog" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:mlo="http://purl.org/net/mlo" xmlns:credit="http://purl.org/net/cm"
  xmlns:geo="http://www.w3.org/2003/01/geo/wgs84_pos" xmlns:h="http://www.w3.org/1999/xhtml"
  generated="2026-01-05T09:00:00Z">
 <provider><dc:title>Harbour Skills Centre</dc:title>
  <course>
   <dc:identifier>BOAT1</dc:identifier>
   <dc:title>Small boat repair</dc:title><dc:title xml:lang="de">Kleinbootreparatur</dc:title>
   <dc:description><h:div><h:p>Fix <h:em>hulls</h:em>.</h:p><h:script>x</h:script></h:div>
   </dc:description>
   <learningOutcome><h:ul><h:li>Patch a hull</h:li><h:li>Seal a deck</h:li></h:ul></learningOutcome>
   <mlo:level>EQF level 4</mlo:level>
   <mlo:qualification><awardedBy>Harbour Guild</awardedBy><abbr>HG</abbr></mlo:qualification>
   <mlo:credit><credit:scheme>ECTS</credit:scheme><credit:value>5</credit:value></mlo:credit>
   <mlo:credit><credit:scheme>notional hours</credit:scheme><credit:value>125</credit:value>
   </mlo:credit>
   <mlo:credit><credit:scheme>SCQF</credit:scheme><credit:level>6</credit:level>
    <credit:value>12</credit:value></mlo:credit>
   <presentation>
    <dc:identifier>SPRING</dc:identifier>
    <mlo:start dtf="2026-03-02">early March</mlo:start>
    <mlo:duration interval="P6W">six weeks</mlo:duration>
    <applyUntil dtf="2026-02-20">late February</applyUntil>
    <applyTo>https://harbour.example/apply</applyTo>
    <attendanceMode identifier="MM">Mixed mode</attendanceMode>
    <mlo:languageOfInstruction>English</mlo:languageOfInstruction>
    <mlo:cost>€250</mlo:cost>
    <venue><provider><dc:title>Dock 3</dc:title><mlo:location><mlo:town>Portree</mlo:town>
     <geo:lat>57.41</geo:lat><geo:long>-6.19</geo:long></mlo:location></provider></venue>
   </presentation>
   <presentation>
    <dc:identifier>AUTUMN</dc:identifier>
    <mlo:start dtf="2026-09-31">autumn</mlo:start>
    <mlo:duration interval="six weeks">six weeks</mlo:duration>
    <attendanceMode>Weekends in the boathouse</attendanceMode>
   </presentation>
   <presentation>
    <dc:identifier>ONLINE</dc:identifier>
    <mlo:start>2026-05-04T00:00:00</mlo:start>
    <mlo:duration>3 months</mlo:duration>
    <attendanceMode identifier="ON">Online (no attendance)</attendanceMode>
    <attendancePattern>Evening</attendancePattern>
    <mlo:cost>Ask the office</mlo:cost>
   </presentation>
  </course>
  <course><dc:identifier>KNOTS</dc:identifier><dc:title>Knots</dc:title>
   <attendancePattern>Weekend</attendancePattern></course>
 </provider>
</catalog>"""


def test_mapping_of_each_element_kind(session, make_source, tmp_path):
    """A feed written for this test: ECTS, hours, EQF, modes, costs, places and bad values."""
    path = tmp_path / "feed.xml"
    path.write_text(FEED, encoding="utf-8")
    result = run(session, make_source(path, country="GB", fmt="xcri-cap"))
    assert (result.status, result.added, result.rejected) == (RunStatus.PARTIAL, 3, 1)
    rows = {o.remote_id: o for o in session.scalars(select(Opportunity))}
    spring = rows["BOAT1/SPRING"]
    assert spring.title == {"en": "Small boat repair", "de": "Kleinbootreparatur"}
    assert spring.description["en"] == "<p>Fix <em>hulls</em>.</p>"
    assert spring.learning_outcomes == {"en": ["Patch a hull", "Seal a deck"]}
    assert (spring.ects, spring.workload_hours, spring.eqf_level) == (5, 125, 4)
    assert spring.awarding_body == "Harbour Guild" and spring.extras["qualification/abbr"] == ["HG"]
    assert spring.extras["credit"] == [{"scheme": "SCQF", "value": 12.0, "level": "6"}]
    assert (spring.start_dates, spring.duration_value, spring.duration_unit) == (
        ["2026-03-02"], 6, "week")
    assert spring.application_deadline == "2026-02-20"
    assert spring.application_url == "https://harbour.example/apply"
    assert (spring.participation_form, spring.languages) == ("blended", ["en"])
    assert (spring.price, spring.currency) == (250, "EUR")
    assert spring.places == [{"city": "Portree", "nuts": None, "country": None,
                              "lat": 57.41, "lon": -6.19}]
    online = rows["BOAT1/ONLINE"]
    assert (online.participation_form, online.start_dates) == ("online", ["2026-05-04"])
    assert (online.duration_value, online.duration_unit) == (3, "month")
    assert online.price is None and online.extras["cost"] == ["Ask the office"]
    assert rows["KNOTS"].extras == {"attendancePattern": ["Weekend"]}

    errors = {(e.remote_id, e.field) for e in result.errors if e.severity is Severity.ERROR}
    assert errors == {("BOAT1/AUTUMN", "start_dates"), ("BOAT1/AUTUMN", "duration")}
    notices = [e.field for e in result.errors if e.stage is Stage.GATHER]
    assert notices.count("attendancePattern") == 1 and "cost" in notices
