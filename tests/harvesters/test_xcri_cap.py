"""XCRI-CAP 1.2 through the real runner, on the real feeds and validator fixtures in shared data.

Expected numbers are counted here with lxml from the same files, never typed in by hand.
"""
from copy import deepcopy

import pytest
from lxml import etree
from sqlalchemy import select

from catalogue.credits import scheme_code
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
        assert [(c["scheme"], c["value"]) for c in first.credits] == [
            (scheme_code(s), v) for s, v in credits]
        # SCQF and UK credits are half as many ECTS; the OU's own points are not converted
        assert first.ects == next((v / 2 for s, v in credits
                                   if scheme_code(s) in ("SCQF", "UK")), None)


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
    assert {"studyMode", "attendanceMode"} <= set(fields)  # the modes no vocabulary names
    ends = {f"{c.findtext(f'{DC}identifier')}/{p.findtext(f'{DC}identifier')}": iso_day(end)
            for c in load(shared_data, NEWER).iter(f"{XCRI}course")
            for p in c.iterfind(f"{XCRI}presentation") if (end := p.find(f"{XCRI}end")) is not None}
    assert ends and {rid: rows[rid].sessions[0]["end"] for rid in ends} == ends


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
    assert spring.credits == [{"value": 5, "scheme": "ECTS", "level": None},
                              {"value": 12, "scheme": "SCQF", "level": "SCQF 6"}]
    assert spring.nqf_level == "SCQF 6" and "derived" not in spring.extras  # all stated
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


# --- presentations, subject codes, qualification titles, any-time starts, repeated text,
# --- venues without a town, plain-text paragraphs (issue 9: what XCRI-CAP says, shown) ---------

def xcri(courses: str) -> str:
    """A catalog of one provider around the given <course> elements (XSI prefix: xsi)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<catalog xmlns="http://xcri.org/profiles/1.2/catalog" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:mlo="http://purl.org/net/mlo" xmlns:geo="http://www.w3.org/2003/01/geo/wgs84_pos"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:courseDataProgramme="http://xcri.co.uk" generated="2026-01-05T09:00:00Z">
 <provider><dc:title>Fife Test College</dc:title>{courses}</provider>
</catalog>"""


def harvest(session, make_source, tmp_path, courses: str):
    path = tmp_path / "fidelity.xml"
    path.write_text(xcri(courses), encoding="utf-8")
    result = run(session, make_source(path, country="GB", fmt="xcri-cap"))
    assert result.rejected == 0, [e.message for e in result.errors]
    return result, {o.remote_id: o for o in session.scalars(select(Opportunity))}


def test_each_presentation_keeps_its_dates_mode_places_and_venue(session, make_source, tmp_path):
    _, rows = harvest(session, make_source, tmp_path, """
  <course><dc:identifier>MBA</dc:identifier><dc:title>Business</dc:title>
   <dc:subject xsi:type="courseDataProgramme:JACS3" identifier="n500"/>
   <dc:subject xsi:type="courseDataProgramme:JACS3" identifier="N200">Management</dc:subject>
   <dc:subject xsi:type="courseDataProgramme:HECoS" identifier="100078">business studies</dc:subject>
   <dc:subject xsi:type="courseDataProgramme:ISCED-F" identifier="0413">Management</dc:subject>
   <dc:subject>Leadership</dc:subject>
   <mlo:qualification><dc:title>Master of Business Administration</dc:title>
    <dc:title xml:lang="fr">Maîtrise en administration des affaires</dc:title></mlo:qualification>
   <presentation><dc:identifier>P1</dc:identifier>
    <mlo:start dtf="2026-09-01">September</mlo:start><end dtf="2027-07-01">July</end>
    <applyFrom dtf="2025-11-01">November</applyFrom><applyUntil dtf="2026-08-01">August</applyUntil>
    <studyMode identifier="PT">Part time</studyMode><mlo:places>50</mlo:places>
    <venue><provider><dc:title>Main Campus</dc:title><mlo:location><mlo:street>Victoria Road</mlo:street>
     <mlo:town>Kirkcaldy</mlo:town><mlo:postcode>KY1 2QT</mlo:postcode></mlo:location></provider></venue>
   </presentation>
   <presentation><dc:identifier>P2</dc:identifier>
    <mlo:start dtf="2027-01-10"/><studyMode>Short Full-time</studyMode><mlo:places>a few</mlo:places>
   </presentation>
   <presentation><dc:identifier>P3</dc:identifier>
    <mlo:start dtf="2027-03-01"/><studyMode>Twilight and / or Evening</studyMode>
   </presentation>
  </course>""")
    p1, p2, p3 = rows["MBA/P1"], rows["MBA/P2"], rows["MBA/P3"]
    assert p1.sessions == [{"start": "2026-09-01", "end": "2027-07-01", "apply_from": "2025-11-01",
                            "apply_until": "2026-08-01", "study_mode": "part-time", "places": 50,
                            "venue": "Main Campus, Victoria Road, Kirkcaldy, KY1 2QT"}]
    assert p1.start_dates == ["2026-09-01"] and p1.application_deadline == "2026-08-01"
    assert p2.sessions == [{"start": "2027-01-10", "study_mode": "full-time"}]
    assert p2.extras["places"] == ["a few"]  # not a number: kept, never guessed
    assert p3.sessions == [{"start": "2027-03-01"}]
    assert p3.extras["studyMode"] == ["Twilight and / or Evening"]
    assert p1.subject_codes == [
        {"scheme": "JACS", "code": "N500", "label": "Marketing"},  # the name from data/jacs.csv
        {"scheme": "JACS", "code": "N200", "label": "Management"},
        {"scheme": "HECoS", "code": "100078", "label": "business studies"},
        {"scheme": "ISCED-F", "code": "0413", "label": "Management"}]
    assert p1.isced_f == ["0413"]  # only where the feed names ISCED-F: no mapping is invented
    assert p1.extras["subject"] == ["Leadership"]
    assert p1.qualification_title == {"en": "Master of Business Administration",
                                      "fr": "Maîtrise en administration des affaires"}


def test_any_time_starts_are_kept(session, make_source, tmp_path):
    starts = {"A": "<mlo:start>Any time</mlo:start>", "B": "<mlo:start>Anytime</mlo:start>",
              "C": "<mlo:start>Rolling start</mlo:start>",
              "D": "<mlo:start>Flexible start dates</mlo:start>",
              "E": '<mlo:start dtf="2026-04-01">Any time from April</mlo:start>',
              "F": "<mlo:start>Next spring</mlo:start>"}
    _, rows = harvest(session, make_source, tmp_path, "".join(
        f"<course><dc:identifier>{k}</dc:identifier><dc:title>Course {k}</dc:title>"
        f"<presentation>{start}</presentation></course>" for k, start in starts.items()))
    assert {k: (o.start_anytime, o.start_dates) for k, o in rows.items()} == {
        "A": (True, []), "B": (True, []), "C": (True, []), "D": (True, []),
        "E": (False, ["2026-04-01"]), "F": (False, [])}
    assert rows["F"].extras["start"] == ["Next spring"]
    assert "start" not in rows["A"].extras


def test_a_description_repeated_by_the_presentation_is_joined_once(session, make_source, tmp_path):
    _, rows = harvest(session, make_source, tmp_path, """
  <course><dc:identifier>WELD</dc:identifier><dc:title>Welding</dc:title>
   <dc:description>Learn to weld steel.</dc:description>
   <learningOutcome>Weld a butt joint</learningOutcome>
   <presentation><dc:identifier>1</dc:identifier><mlo:start dtf="2026-05-01"/>
    <dc:description><h:p xmlns:h="http://www.w3.org/1999/xhtml">Learn to  WELD steel. </h:p></dc:description>
    <learningOutcome>Weld a butt  joint</learningOutcome></presentation>
   <presentation><dc:identifier>2</dc:identifier><mlo:start dtf="2026-06-01"/>
    <dc:description>Evening group, bring boots.</dc:description></presentation>
  </course>""")
    assert rows["WELD/1"].description["en"] == "Learn to weld steel."
    assert rows["WELD/1"].learning_outcomes == {"en": ["Weld a butt joint"]}
    assert rows["WELD/2"].description["en"] == (
        "<p>Learn to weld steel.</p><p>Evening group, bring boots.</p>")


def test_a_venue_without_a_town_gets_one_from_its_address_or_coordinates(
        session, make_source, tmp_path):
    def course(key: str, location: str) -> str:
        return (f"<course><dc:identifier>{key}</dc:identifier><dc:title>Course {key}</dc:title>"
                f"<presentation><mlo:start dtf='2026-05-01'/><venue><provider><dc:title>Site {key}"
                f"</dc:title><mlo:location>{location}</mlo:location></provider></venue>"
                f"</presentation></course>")
    _, rows = harvest(session, make_source, tmp_path, "".join((
        course("LINES", "<mlo:address>Unit 4, Riverside Park</mlo:address>"
                        "<mlo:address>Station Road</mlo:address><mlo:address>Kirkcaldy</mlo:address>"
                        "<mlo:address>Fife, KY1 2QT</mlo:address><mlo:address>Scotland</mlo:address>"
                        "<geo:lat>56.2</geo:lat><geo:long>-3.1</geo:long>"),
        course("ONE", "<mlo:address>PO Box 197, Milton Keynes MK7 6BJ</mlo:address>"),
        course("EU", "<mlo:address>Marienplatz 8</mlo:address><mlo:address>80331 München"
                     "</mlo:address>"),
        course("GEO", "<geo:lat>56.117</geo:lat><geo:long>-3.16</geo:long>"),
        course("SEA", "<geo:lat>45.0</geo:lat><geo:long>-30.0</geo:long>"))))
    place = lambda key: {k: rows[key].places[0][k] for k in ("city", "country", "lat", "lon")}
    # a city of the gazetteer beats the county line after it; the coordinates stay as given
    assert place("LINES") == {"city": "Kirkcaldy", "country": None, "lat": 56.2, "lon": -3.1}
    assert place("ONE")["city"] == "Milton Keynes"  # the locality before the postcode
    assert place("EU")["city"] == "München"
    assert place("GEO") == {"city": "Kirkcaldy", "country": "GB", "lat": 56.117, "lon": -3.16}
    assert place("SEA") == {"city": None, "country": None, "lat": 45.0, "lon": -30.0}
    assert rows["ONE"].sessions[0]["venue"] == "Site ONE, PO Box 197, Milton Keynes MK7 6BJ"


def test_plain_text_paragraphs_stay_paragraphs(session, make_source, tmp_path):
    _, rows = harvest(session, make_source, tmp_path, """
  <course><dc:identifier>P</dc:identifier><dc:title>Pottery</dc:title>
   <dc:description>Throw pots on the wheel.
   Glaze them.

   Fire them in the kiln &amp; take them home.</dc:description></course>""")
    assert rows["P"].description["en"] == (
        "<p>Throw pots on the wheel.\nGlaze them.</p><p>Fire them in the kiln &amp; take them home.</p>")


# --- costs written as text, credits in other schemes, national levels (issue 9) ---------------

PRICED_AND_CREDITED = """
  <course><dc:identifier>MAR</dc:identifier><dc:title>Marine engineering</dc:title>
   <mlo:level>SCQF level 9</mlo:level>
   <mlo:credit xmlns:credit="http://purl.org/net/cm"><credit:scheme>SCQF</credit:scheme>
    <credit:level>9</credit:level><credit:value>20</credit:value></mlo:credit>
   <presentation><dc:identifier>ABROAD</dc:identifier>
    <mlo:cost>UK fee: GBP170.00; Ireland fee: GBP360.00; Continental Europe fee: GBP360.00</mlo:cost>
   </presentation>
   <presentation><dc:identifier>BARE</dc:identifier><mlo:cost>84.0000</mlo:cost></presentation>
   <presentation><dc:identifier>JOBS</dc:identifier>
    <mlo:cost>Free for jobseekers, otherwise 300 €</mlo:cost></presentation>
   <presentation><dc:identifier>ASK</dc:identifier><mlo:cost>Ask the office</mlo:cost></presentation>
  </course>
  <course><dc:identifier>CATS</dc:identifier><dc:title>Naval history</dc:title>
   <mlo:credit xmlns:credit="http://purl.org/net/cm"><credit:scheme>CATS</credit:scheme>
    <credit:level>H</credit:level><credit:value>30</credit:value></mlo:credit></course>
  <course><dc:identifier>OU</dc:identifier><dc:title>Sailing theory</dc:title>
   <mlo:credit xmlns:credit="http://purl.org/net/cm"><credit:scheme>The Open University</credit:scheme>
    <credit:level>1</credit:level><credit:value>30</credit:value></mlo:credit>
   <mlo:credit xmlns:credit="http://purl.org/net/cm"><credit:scheme>Semester credit hours</credit:scheme>
    <credit:value>3</credit:value></mlo:credit></course>"""


def test_a_cost_written_as_text_gives_every_amount_with_its_condition(session, make_source,
                                                                      tmp_path):
    result, rows = harvest(session, make_source, tmp_path, PRICED_AND_CREDITED)
    abroad = rows["MAR/ABROAD"]
    assert abroad.prices == [
        {"amount": 170, "currency": "GBP", "condition": "UK fee"},
        {"amount": 360, "currency": "GBP", "condition": "Ireland fee; Continental Europe fee"}]
    assert (abroad.price, abroad.currency) == (170, "GBP")  # the lowest, for the filters
    bare = rows["MAR/BARE"]  # a bare amount is in the provider's country's currency
    assert (bare.price, bare.currency, len(bare.prices)) == (84, "GBP", 1)
    jobs = rows["MAR/JOBS"]
    assert [(p["amount"], p["currency"]) for p in jobs.prices] == [(0, None), (300, "EUR")]
    assert jobs.price == 0
    ask = rows["MAR/ASK"]
    assert (ask.price, ask.prices, ask.extras["cost"]) == (None, [], ["Ask the office"])
    assert "cost" in [e.field for e in result.errors if e.stage is Stage.GATHER]


def test_credits_in_other_schemes_become_ects_hours_and_eqf_marked_as_derived(
        session, make_source, tmp_path):
    _, rows = harvest(session, make_source, tmp_path, PRICED_AND_CREDITED)
    scqf = rows["MAR/ABROAD"]
    assert scqf.credits == [{"value": 20, "scheme": "SCQF", "level": "SCQF 9"}]
    assert (scqf.ects, scqf.workload_hours, scqf.eqf_level, scqf.nqf_level) == (
        10, 200, 6, "SCQF 9")
    assert scqf.extras["derived"]["ects"] == {"value": 20, "scheme": "SCQF"}
    assert scqf.extras["derived"]["eqf_level"] == {"level": "SCQF 9"}
    assert "credit" not in scqf.extras
    cats = rows["CATS"]  # CATS level H is FHEQ level 6
    assert (cats.ects, cats.workload_hours, cats.nqf_level, cats.eqf_level) == (
        15, 300, "FHEQ 6", 6)
    ou = rows["OU"]  # no published ratio: kept as stated, nothing derived
    assert ou.credits == [{"value": 30, "scheme": "The Open University", "level": "1"},
                          {"value": 3, "scheme": "US-SEMESTER", "level": None}]
    assert (ou.ects, ou.workload_hours, ou.eqf_level, ou.nqf_level) == (None, None, None, None)
    assert "derived" not in ou.extras
