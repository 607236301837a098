"""The ELM harvesters (JSON-LD and LOQ XML) through the real runner, on the Commission's samples.

Expected values are read from the sample files here, never written down from them."""
import json

import pytest
from babel.core import get_global
from lxml import etree
from sqlalchemy import select

from catalogue import vocabularies as vocab
from catalogue.models import Opportunity, RunStatus, Severity, Stage, Status
from harvesters.elm import ECTS, ECVET
from harvesters.runner import run
from indexer.documents import to_document
from tests.conftest import SHARED_DATA

JSONLD = "elm/credentials/JSON-LD-examples/*"
LOQ = "elm/loq-xml/*.xml"
ANNEX1 = "elm/credentials/JSON-LD-examples/Sample-MC-Annex1-unsigned.jsonld"
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
    assert [(c["value"], c["scheme"]) for c in o.credits] == [(4, "ECVET")]  # as stated
    assert "creditPoint" not in o.extras
    assert o.learning_outcomes == {"en": ["Weld a fillet joint"]}
    assert o.participation_form == "onsite" and o.start_dates == ["2027-03-01"]
    assert (o.price, o.currency) == (450, "EUR")
    assert o.places == [{"city": "Munich", "nuts": "DE212", "country": "DE", "lat": 48.14,
                         "lon": 11.58}]
    assert o.stackability == "stackable" and o.stacks_towards == {"en": "Welding specialist"}
    assert o.further_info_url == "https://example.org/w"
    assert o.extras["contactHour"] == {"en": "Mondays"}  # an unmapped property, kept
    notices = {e.field: e.message for e in result.errors if e.stage is Stage.GATHER}
    assert "contactHour" in notices


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


# --- patterns of real files, in small documents of our own, in both bindings --------------------

LOQ_NAMESPACE = "http://data.europa.eu/snb/model/ap/loq-constraints/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
LOQ_PLACES = {  # node type -> (references container, element) as the LOQ XML writes them
    "LearningOpportunity": ("learningOpportunityReferences", "learningOpportunity"),
    "Qualification": ("learningAchievementSpecificationReferences", "qualification"),
    "LearningOutcome": ("learningOutcomeReferences", "learningOutcome"),
    "Organisation": ("agentReferences", "organisation"),
}
LOQ_NAMES = {"eqfLevel": "EQFLevel", "nqfLevel": "NQFLevel", "prefLabel": f"{{{SKOS}}}prefLabel"}
UNKNOWN_SKILL = "http://data.europa.eu/esco/skill/00000000-0000-4000-8000-learncattest"
UNKNOWN_OCCUPATION = "http://data.europa.eu/esco/occupation/00000000-0000-4000-8000-learncattest"


def is_text_map(value) -> bool:
    return isinstance(value, dict) and value and all(
        len(k) == 2 and isinstance(v, str) for k, v in value.items())


def loq_property(parent, key: str, value, ids: set[str]) -> None:
    """One ELM property as LOQ XML writes it: per-language elements, references by idref,
    concepts by uri with their skos labels, structures as child elements."""
    if isinstance(value, list):
        for item in value:
            loq_property(parent, key, item, ids)
        return
    name = LOQ_NAMES.get(key, f"{{{LOQ_NAMESPACE}}}{key}")
    if is_text_map(value):
        for lang, text in value.items():
            etree.SubElement(parent, name, language=lang).text = text
    elif isinstance(value, str) and value in ids:
        etree.SubElement(parent, name, idref=value)
    elif isinstance(value, dict) and "id" in value:
        element = etree.SubElement(parent, name, uri=value["id"])
        for child, item in value.items():
            if child != "id":
                loq_property(element, child, item, ids)
    elif isinstance(value, dict):
        element = etree.SubElement(parent, name)
        for child, item in value.items():
            if child != "type":
                loq_property(element, child, item, ids)
    else:
        etree.SubElement(parent, name).text = str(value)


def write_document(tmp_path, binding: str, nodes: list[dict]):
    """``nodes`` (ELM JSON-LD terms, references by id) as a file of ``binding``: (path, format)."""
    if binding == "jsonld":
        path = tmp_path / "feed.jsonld"
        path.write_text(json.dumps({"@context": "http://data.europa.eu/snb/model/context/edc-ap",
                                    "@graph": nodes}), encoding="utf-8")
        return path, "elm-jsonld"
    root = etree.Element(f"{{{LOQ_NAMESPACE}}}Courses", nsmap={None: LOQ_NAMESPACE, "skos": SKOS})
    ids = {n["id"] for n in nodes}
    containers = {}
    for node in nodes:
        container, element = LOQ_PLACES[node["type"]]
        if container not in containers:
            containers[container] = etree.SubElement(root, f"{{{LOQ_NAMESPACE}}}{container}")
        item = etree.SubElement(containers[container], f"{{{LOQ_NAMESPACE}}}{element}",
                                id=node["id"])
        for key, value in node.items():
            if key not in ("id", "type"):
                loq_property(item, key, value, ids)
    path = tmp_path / "feed.xml"
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    return path, "elm-loq-xml"


def offer_nodes(n: int = 1, **spec) -> list[dict]:
    """An opportunity and the qualification it leads to; ``spec`` adds the qualification's
    properties."""
    return [{"id": f"urn:test:lop:{n}", "type": "LearningOpportunity",
             "title": {"en": "Applied data analysis"},
             "learningAchievementSpecification": f"urn:test:q:{n}"},
            {"id": f"urn:test:q:{n}", "type": "Qualification",
             "title": {"en": "Applied data analysis"}, **spec}]


def harvest(session, make_source, tmp_path, binding, nodes):
    path, fmt = write_document(tmp_path, binding, nodes)
    source = make_source(path, fmt=fmt)
    result = run(session, source)
    return result, active(session, source)


BINDINGS = pytest.mark.parametrize("binding", ["jsonld", "loq-xml"])


@BINDINGS
def test_outcome_statements_are_the_learning_outcomes_and_are_indexed(session, make_source,
                                                                       tmp_path, binding):
    nodes = offer_nodes(
        learningOutcomeSummary={"type": "Note", "noteLiteral": {
            "en": "The qualification holder is able to:\n- clean a data set\n"
                  "- fit and check a regression\n  model"}},
        learningOutcome=["urn:test:lo:1", "urn:test:lo:2"])
    nodes += [{"id": "urn:test:lo:1", "type": "LearningOutcome",
               "title": {"en": "Applied Data Analysis"},  # only repeats the course title
               "additionalNote": {"type": "Note", "noteLiteral": {
                   "en": "<ul><li>present results to a lay audience</li>"
                         "<li>document an analysis so that others can repeat it</li></ul>",
                   "de": "Ergebnisse verständlich präsentieren"}}},
              {"id": "urn:test:lo:2", "type": "LearningOutcome", "title": {"en": "Ethics of data"},
               "description": {"en": "Explains the rules for personal data: consent; "
                                     "minimisation; retention."}}]
    result, loaded = harvest(session, make_source, tmp_path, binding, nodes)
    assert result.status is RunStatus.SUCCEEDED, [e.message for e in result.errors]
    o = loaded["urn:test:lop:1"]
    assert o.learning_outcomes == {
        "en": ["The qualification holder is able to:", "clean a data set",
               "fit and check a regression model", "present results to a lay audience",
               "document an analysis so that others can repeat it", "Ethics of data",
               "Explains the rules for personal data:", "consent", "minimisation", "retention."],
        "de": ["Ergebnisse verständlich präsentieren"]}
    assert "learningOutcomeSummary" not in o.extras
    assert "learning_outcomes" not in {e.field for e in result.errors}  # stated, not missing
    outcomes = to_document(o)["outcomes"]
    assert "regression model" in outcomes["en"] and "verständlich" in outcomes["de"]


@BINDINGS
def test_the_file_labels_skills_and_occupations_learncat_has_no_label_for(session, make_source,
                                                                          tmp_path, binding):
    known = next(iter(vocab.esco_table("skills")))
    assert not vocab.esco_labels(UNKNOWN_SKILL) and not vocab.esco_labels(UNKNOWN_OCCUPATION)
    nodes = offer_nodes(learningOutcome="urn:test:lo:1", relatedESCOSkill={
        "id": UNKNOWN_OCCUPATION, "prefLabel": {"en": "weld robot operator"}})
    nodes.append({"id": "urn:test:lo:1", "type": "LearningOutcome", "title": {"en": "Robots"},
                  "relatedESCOSkill": [
                      {"id": UNKNOWN_SKILL, "prefLabel": {"en": "calibrate a weld robot",
                                                          "de": "Schweißroboter kalibrieren"}},
                      {"id": known, "prefLabel": {"en": "as the file names it"}}]})
    result, loaded = harvest(session, make_source, tmp_path, binding, nodes)
    assert result.status is RunStatus.SUCCEEDED, [e.message for e in result.errors]
    o = loaded["urn:test:lop:1"]
    assert o.esco_skills == [UNKNOWN_SKILL, known] and o.esco_occupations == [UNKNOWN_OCCUPATION]
    assert o.concept_labels == {
        UNKNOWN_SKILL: {"en": "calibrate a weld robot", "de": "Schweißroboter kalibrieren"},
        known: {"en": "as the file names it"},
        UNKNOWN_OCCUPATION: {"en": "weld robot operator"}}


@BINDINGS
def test_zero_credits_are_a_credit_value_and_too_many_are_set_aside(session, make_source,
                                                                    tmp_path, binding):
    nodes = offer_nodes(1, creditPoint={"framework": {"id": ECTS}, "point": "0"}) + offer_nodes(
        2, creditPoint={"framework": {"id": ECTS}, "point": "150"})
    result, loaded = harvest(session, make_source, tmp_path, binding, nodes)
    assert result.status is RunStatus.SUCCEEDED and result.added == 2
    free = loaded["urn:test:lop:1"]
    assert free.ects == 0 and "invalid" not in free.extras
    assert [(c["value"], c["scheme"]) for c in free.credits] == [(0, "ECTS")]
    degree = loaded["urn:test:lop:2"]
    assert degree.ects is None and degree.extras["invalid"]["ects"] == 150
    assert [(c["value"], c["scheme"]) for c in degree.credits] == [(150, "ECTS")]  # as stated
    (notice,) = [e.message for e in result.errors if e.field == "ects"]
    assert notice.startswith("150 is outside the accepted range (from 0 to 120)")


@BINDINGS
def test_a_joint_degree_keeps_every_awarding_body(session, make_source, tmp_path, binding):
    nodes = offer_nodes(awardingOpportunity={
        "type": "AwardingOpportunity", "awardingBody": ["urn:test:org:1", "urn:test:org:2"]})
    nodes += [{"id": "urn:test:org:1", "type": "Organisation",
               "legalName": {"en": "University of Girona"}},
              {"id": "urn:test:org:2", "type": "Organisation",
               "legalName": {"en": "Ghent University of Applied Sciences"}}]
    result, loaded = harvest(session, make_source, tmp_path, binding, nodes)
    assert result.status is RunStatus.SUCCEEDED, [e.message for e in result.errors]
    o = loaded["urn:test:lop:1"]
    assert o.awarding_bodies == ["University of Girona", "Ghent University of Applied Sciences"]
    assert o.awarding_body == "University of Girona" and "awardingBody" not in o.extras


@BINDINGS
def test_credits_of_other_systems_and_framework_levels_are_recorded(session, make_source,
                                                                    tmp_path, binding):
    def level(uri, name=None):
        return {"id": f"http://data.europa.eu/snb/qdr/{uri}",
                **({"prefLabel": {"en": name}} if name else {})}

    nodes = offer_nodes(1, nqfLevel=level("c_test1", "SCQF Level 7"), creditPoint=[
        {"framework": {"id": ECVET}, "point": "4"},
        {"framework": {"id": "urn:test:scqf", "prefLabel": {"en": "SCQF credit points"}},
         "point": "40"},
        {"framework": {"id": "urn:test:hlp", "prefLabel": {"de": "Hochschul-Leistungspunkte"}},
         "point": "3,5"},
        {"framework": {"id": "urn:test:hlp"}, "point": "several"}])
    nodes += offer_nodes(2, nqfLevel=level("c_test2", "IE NQF Level 8"))
    nodes += offer_nodes(3, nqfLevel=level("c_test3"))  # a level without a label
    result, loaded = harvest(session, make_source, tmp_path, binding, nodes)
    assert result.status is RunStatus.SUCCEEDED, [e.message for e in result.errors]
    first, second, third = (loaded[f"urn:test:lop:{n}"] for n in (1, 2, 3))
    assert [(c["value"], c["scheme"]) for c in first.credits] == [
        (4, "ECVET"), (40, "SCQF"), (3.5, "Hochschul-Leistungspunkte")]
    assert first.extras["creditPoint"] == {"framework": "urn:test:hlp",
                                                            "point": "several"}
    assert (first.nqf_level, second.nqf_level, third.nqf_level) == ("SCQF 7", "NFQ-IE 8", None)
    assert third.extras["nqfLevel"] == "http://data.europa.eu/snb/qdr/c_test3"


def test_a_value_of_the_wrong_type_rejects_only_its_record(session, make_source, tmp_path):
    nodes = [{"id": ["urn:test:lop:1", "urn:test:lop:9"], "type": "LearningOpportunity",
              "title": {"en": "Listed"}},
             {"id": 7, "type": "LearningOpportunity", "title": {"en": "Numbered"}},
             {"id": "urn:test:lop:3", "type": "LearningOpportunity",
              "language": {"id": "http://publications.europa.eu/resource/authority/language/ENG"},
              "title": [{"@language": ["en"], "@value": "Welding"}],
              "learningAchievementSpecification": {"id": ["urn:test:q:3"], "title": {"en": "W"}},
              "temporal": {"startDate": 20270301}, "mode": {"id": 5},
              "location": {"address": {"countryCode": {"id": ["DEU"]}}},
              "priceDetail": {"amount": {"value": 10, "unit": {"id": ["EUR"]}}},
              "creditPoint": {"framework": {"id": {"x": 1}}, "point": ["1", "2"]},
              "relatedESCOSkill": {"id": [UNKNOWN_SKILL]}}]
    path, fmt = write_document(tmp_path, "jsonld", nodes)
    result = run(session, make_source(path, fmt=fmt))
    assert result.status is RunStatus.PARTIAL and (result.added, result.rejected) == (1, 2)
    rejected = {e.remote_id: (e.field, e.message) for e in result.errors
                if e.severity is Severity.ERROR}
    assert rejected == {
        '["urn:test:lop:1", "urn:test:lop:9"]':
            ("id", "the identifier must be one text, not a list of 2 values"),
        "7": ("id", "the identifier must be one text, not the number 7")}


@pytest.mark.parametrize("deep", [
    '{"@graph": ' * 5_000 + "[]" + "}" * 5_000,  # deeper than Python's parser recurses
    '{"@graph": [' + '{"a": ' * 150 + "1" + "}" * 150 + "]}",  # read, but deeper than ELM's
])
def test_json_nested_too_deeply_is_refused_as_a_source_error(session, make_source, tmp_path,
                                                             deep):
    path = tmp_path / "deep.jsonld"
    path.write_text(deep, encoding="utf-8")
    result = run(session, make_source(path, fmt="elm-jsonld"))
    assert result.status is RunStatus.FAILED
    assert "nested more than 100 levels deep" in result.message
