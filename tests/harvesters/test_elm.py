"""The ELM harvesters (JSON-LD and LOQ XML) through the real runner, on the Commission's samples.

Expected values are read from the sample files here, never written down from them."""
import json

import pytest
from babel.core import get_global
from lxml import etree
from sqlalchemy import select

from catalogue import vocabularies as vocab
from catalogue.models import Opportunity, RunStatus, Severity, Stage, Status
from harvesters.elm import ECTS
from harvesters.runner import run
from tests.conftest import SHARED_DATA

JSONLD = "elm/credentials/JSON-LD-examples/*"
LOQ = "elm/loq-xml/*.xml"
ANNEX1 = "elm/credentials/JSON-LD-examples/Sample-MC-Annex1-unsigned.jsonld"
ECVET = "http://data.europa.eu/snb/education-credit/60b314e826"
ONSITE = vocab.get("participation_forms").terms["onsite"].uri


def samples(pattern: str) -> list[str]:
    """Sample paths under shared data; the bare pattern when it is absent, so the shared_data
    fixture decides (skip locally, fail under REQUIRE_SHARED_DATA=1)."""
    return sorted(str(p.relative_to(SHARED_DATA)) for p in SHARED_DATA.glob(pattern)) or [pattern]


def active(session, source) -> dict[str, Opportunity]:
    return {o.remote_id: o for o in session.scalars(select(Opportunity).where(
        Opportunity.source_id == source.id, Opportunity.status == Status.ACTIVE))}


def as_list(value):
    return value if isinstance(value, list) else [] if value is None else [value]


def load_json(path):
    doc = json.loads(path.read_bytes())
    return json.loads(doc["payload"]) if isinstance(doc.get("payload"), str) else doc


def nodes(value):
    if isinstance(value, dict):
        yield value
        value = list(value.values())
    for item in value if isinstance(value, list) else []:
        yield from nodes(item)


def specifications(doc) -> dict[str, dict]:
    """What a credential says was achieved; else the activities it certifies."""
    def by_type(*names):
        return {n["id"]: n for n in nodes(doc) if n.get("type") in names}
    return (by_type("Qualification", "LearningAchievementSpecification")
            or by_type("LearningActivitySpecification"))


def loq_items(path) -> dict[str, etree._Element]:
    root = etree.parse(str(path)).getroot()
    return {e.get("id"): e for e in root.iter() if isinstance(e.tag, str) and e.get("id")}


def loq_children(element, name):
    return [c for c in element if isinstance(c.tag, str) and etree.QName(c).localname == name]


def loq_text(element, name) -> dict[str, str]:
    return {c.get("language"): c.text for c in loq_children(element, name)}


@pytest.mark.parametrize("name", samples(JSONLD))
def test_every_jsonld_sample_loads_its_specifications(session, make_source, shared_data, name):
    path = shared_data / name
    specs = specifications(load_json(path))
    source = make_source(path, fmt="elm-jsonld")
    result = run(session, source)
    assert result.status is RunStatus.SUCCEEDED, [e.message for e in result.errors]
    loaded = active(session, source)
    assert {rid: o.title for rid, o in loaded.items()} == {i: s["title"] for i, s in specs.items()}
    for rid, spec in specs.items():
        assert loaded[rid].languages  # every sample states the language of instruction
        homepage = as_list(spec.get("homepage"))
        assert loaded[rid].further_info_url == (homepage[0]["contentURL"] if homepage else None)


@pytest.mark.parametrize("name", samples(LOQ))
def test_every_loq_sample_loads_its_opportunities(session, make_source, shared_data, name):
    path = shared_data / name
    items = loq_items(path)
    opportunities = {i: e for i, e in items.items()
                     if etree.QName(e).localname == "learningOpportunity"}
    source = make_source(path, fmt="elm-loq-xml")
    result = run(session, source)
    assert result.status is RunStatus.SUCCEEDED, [e.message for e in result.errors]
    loaded = active(session, source)
    assert set(loaded) == set(opportunities)
    for rid, element in opportunities.items():
        o = loaded[rid]
        assert o.title == loq_text(element, "title")
        assert o.description == loq_text(element, "description")
        (ref,) = loq_children(element, "learningAchievementSpecification")
        spec = items[ref.get("idref")]
        eqf = [e.get("uri").rsplit("/", 1)[1] for e in loq_children(spec, "EQFLevel")]
        assert o.eqf_level == (int(eqf[0]) if eqf else None)
        isced = [e.get("uri").rsplit("/", 1)[1] for e in loq_children(spec, "ISCEDFCode")]
        assert o.isced_f == isced
        starts = [s.text[:10] for t in loq_children(element, "temporal")
                  for s in loq_children(t, "startDate")]
        assert o.start_dates == starts
        parents = loq_children(element, "isPartOf")
        if parents or loq_children(element, "hasPart"):
            assert o.stackability == "stackable"
        for parent in parents:  # stacks towards the parent's title
            assert o.stacks_towards == loq_text(items[parent.get("idref")], "title")
        assert o.extras["specification"]["id"] == spec.get("id")
        assert "identifier" in o.extras  # unmapped, but kept
    notices = [e.field for e in result.errors if e.stage is Stage.GATHER]
    assert "identifier" in notices and len(notices) == len(set(notices))  # one per property


def test_annex1_micro_credential_has_level_credits_and_outcomes(session, make_source, shared_data):
    doc = load_json(shared_data / ANNEX1)
    (spec,) = specifications(doc).values()
    (achievement,) = [n for n in nodes(doc) if n.get("type") == "LearningAchievement"]
    body = achievement["awardedBy"]["awardingBody"]
    source = make_source(shared_data / ANNEX1, fmt="elm-jsonld")
    result = run(session, source)
    assert result.status is RunStatus.SUCCEEDED
    o = active(session, source)[spec["id"]]
    assert o.eqf_level == int(spec["eqfLevel"]["id"].rsplit("/", 1)[1])
    assert spec["creditPoint"]["framework"]["id"] == ECTS
    assert o.ects == float(spec["creditPoint"]["point"])
    outcomes = as_list(spec["learningOutcome"])
    assert o.learning_outcomes["en"] == [lo["title"]["en"] for lo in outcomes]
    skills = {s["id"] for lo in outcomes for s in as_list(lo.get("relatedESCOSkill"))}
    assert skills and set(o.esco_skills) == skills
    assert o.isced_f == [c["id"].rsplit("/", 1)[1] for c in spec["thematicArea"]]
    assert o.participation_form == vocab.get("participation_forms").by_uri(spec["mode"]["id"]).code
    assert o.prerequisites == spec["entryRequirement"]["noteLiteral"]
    assert o.awarding_body == body["legalName"]["en"]
    alpha3 = body["location"]["address"]["countryCode"]["id"].rsplit("/", 1)[1]
    assert o.country == get_global("territory_aliases")[alpha3][0]  # the issuer's country
    assert o.extras["learningSetting"].endswith(f"<{spec['learningSetting']['id']}>")
    warned = {e.field for e in result.errors if e.stage is Stage.VALIDATE}
    assert warned <= {"quality_assurance"}  # every other mandatory Annex I element is there


def graph_document() -> dict:
    """An ELM JSON-LD @graph of our own: references by id, @language lists, a non-ECTS credit."""
    return {"@context": ["https://www.w3.org/2018/credentials/v1",
                         "http://data.europa.eu/snb/model/context/edc-ap"],
            "@graph": [
                {"@id": "urn:test:lop:1", "@type": "LearningOpportunity",
                 "title": [{"@language": "en", "@value": "Welding basics"},
                           {"@language": "de", "@value": "Schweißen: Grundlagen"}],
                 "learningAchievementSpecification": "urn:test:spec:1",
                 "isPartOf": {"id": "urn:test:lop:2"}, "mode": {"id": ONSITE},
                 "temporal": {"type": "PeriodOfTime", "startDate": "2027-03-01T09:00:00+01:00"},
                 "priceDetail": {"type": "PriceDetail", "amount": {
                     "type": "Amount", "value": 450, "unit": {
                         "id": "http://publications.europa.eu/resource/authority/currency/EUR"}}},
                 "location": "urn:test:loc:1", "homepage": {"contentURL": "https://example.org/w"},
                 "elm:contactHour": {"en": "Mondays"}},
                {"id": "urn:test:lop:2", "type": "LearningOpportunity",
                 "title": {"en": "Welding specialist"}, "hasPart": "urn:test:lop:1"},
                {"id": "urn:test:spec:1", "type": "LearningAchievementSpecification",
                 "title": {"en": "Welding basics"},
                 "eqfLevel": {"id": vocab.get("eqf").terms["3"].uri},
                 "creditPoint": {"type": "CreditPoint", "framework": {"id": ECVET}, "point": "4"},
                 "volumeOfLearning": "PT40H",
                 "learningOutcome": [{"id": "urn:test:lo:1", "type": "LearningOutcome",
                                      "title": {"en": "Weld a fillet joint"}}]},
                {"id": "urn:test:loc:1", "type": "Location", "geographicName": {"en": "Munich"},
                 "spatialCode": {"id": "http://data.europa.eu/nuts/code/DE212"},
                 "geometry": {"latitude": 48.14, "longitude": 11.58},
                 "address": {"countryCode": {
                     "id": "http://publications.europa.eu/resource/authority/country/DEU"}}},
            ]}


def test_graph_references_and_a_non_ects_credit(session, make_source, tmp_path):
    path = tmp_path / "graph.jsonld"
    path.write_text(json.dumps(graph_document()), encoding="utf-8")
    source = make_source(path, fmt="elm-jsonld")
    result = run(session, source)
    assert result.status is RunStatus.SUCCEEDED and result.added == 2
    o = active(session, source)["urn:test:lop:1"]
    assert o.title == {"en": "Welding basics", "de": "Schweißen: Grundlagen"}
    assert o.eqf_level == 3 and o.workload_hours == 40
    assert o.ects is None and o.extras["creditPoint"] == {"framework": ECVET, "point": "4"}
    assert o.learning_outcomes == {"en": ["Weld a fillet joint"]}
    assert o.participation_form == "onsite" and o.start_dates == ["2027-03-01"]
    assert (o.price, o.currency) == (450, "EUR")
    assert o.places == [{"city": "Munich", "nuts": "DE212", "country": "DE", "lat": 48.14,
                         "lon": 11.58}]
    assert o.stackability == "stackable" and o.stacks_towards == {"en": "Welding specialist"}
    assert o.further_info_url == "https://example.org/w"
    assert o.extras["contactHour"] == {"en": "Mondays"}  # an unmapped property, kept
    notices = {e.field: e.message for e in result.errors if e.stage is Stage.GATHER}
    assert "ECTS" in notices["creditPoint"] and "contactHour" in notices


def test_a_record_without_title_is_rejected_alone(session, make_source, tmp_path):
    doc = graph_document()
    del doc["@graph"][1]["title"]
    path = tmp_path / "graph.jsonld"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = run(session, make_source(path, fmt="elm-jsonld"))
    assert result.status is RunStatus.PARTIAL and (result.added, result.rejected) == (1, 1)
    (error,) = [e for e in result.errors if e.severity is Severity.ERROR]
    assert (error.remote_id, error.field) == ("urn:test:lop:2", "title")


@pytest.mark.parametrize("fmt, first, broken, reason", [
    ("elm-jsonld", None, b'{"@graph": [{"id": "urn:test:lop:1", "title": ', "not valid JSON"),
    ("elm-loq-xml", LOQ.replace("*", "loq"), b"""<?xml version="1.0"?>
<!DOCTYPE Courses [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<Courses xmlns="http://data.europa.eu/snb/model/ap/loq-constraints/">&d;</Courses>""", "entities"),
])
def test_broken_input_fails_the_run_and_changes_nothing(session, make_source, tmp_path, request,
                                                        fmt, first, broken, reason):
    path = tmp_path / "feed"
    path.write_bytes((request.getfixturevalue("shared_data") / first).read_bytes() if first
                     else json.dumps(graph_document()).encode())
    source = make_source(path, fmt=fmt)
    assert run(session, source).added
    before = {rid: o.content_hash for rid, o in active(session, source).items()}
    path.write_bytes(broken)
    result = run(session, source)
    assert result.status is RunStatus.FAILED and reason in result.message
    assert result.errors[0].stage is Stage.FETCH
    assert {rid: o.content_hash for rid, o in active(session, source).items()} == before


@pytest.mark.parametrize("fmt, name, reason", [
    ("elm-jsonld", "elm/samples/credential-sample.jsonld", "no LearningOpportunity"),
    ("elm-loq-xml", "elm/credentials/XML-examples/EDC_DiplomaSupplement_AA.xml", "not an ELM LOQ"),
    ("elm-loq-xml", "elm/legacy-qms-loms/loms.xml", "not an ELM LOQ"),
])
def test_documents_with_nothing_to_catalogue_fail_clearly(session, make_source, shared_data,
                                                          fmt, name, reason):
    result = run(session, make_source(shared_data / name, fmt=fmt))
    assert result.status is RunStatus.FAILED and reason in result.message
