"""CTDL (Credential Engine JSON-LD) through the real runner: the publishing examples in shared data,
then small documents written here for each mapping, the registry's wrappers and bad values.

Expected numbers for the shared files are read here with json from the same files, never typed in.
"""
import base64
import json

import pytest
from sqlalchemy import select

from catalogue.models import Opportunity, RunStatus, Severity, Stage, Status
from harvesters.detect import detect_format
from harvesters.runner import run
from tests.conftest import SHARED_DATA

FOLDER = SHARED_DATA / "ctdl" / "ingest-examples"
RECORD_TYPES = {"Course", "LearningProgram", "LearningOpportunityProfile", "AssessmentProfile"}
FILES = sorted(str(p.relative_to(FOLDER)) for p in FOLDER.glob("**/*.json")) or [
    "(shared data missing)"]
ORG_CTID = "ce-7f42a13b-2c7e-4cbb-bbae-337a5187cf61"


def resources(doc) -> list[dict]:
    return doc["@graph"] if isinstance(doc, dict) and "@graph" in doc else \
        doc if isinstance(doc, list) else [doc]


def is_record(node: dict) -> bool:
    """A learning opportunity, an assessment or a credential (the CTDL classes ending so)."""
    local = node["@type"].split(":")[-1]
    return local in RECORD_TYPES or local.endswith(("Degree", "Certificate", "Credential",
                                                    "Badge", "Diploma", "Certification"))


def active(session, source) -> dict[str, Opportunity]:
    return {o.remote_id: o for o in session.scalars(select(Opportunity).where(
        Opportunity.source_id == source.id, Opportunity.status == Status.ACTIVE))}


def harvest(session, make_source, tmp_path, doc, name="feed.json", country="US"):
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    source = make_source(path, country=country, fmt="ctdl")
    return source, run(session, source)


@pytest.mark.parametrize("name", FILES)
def test_every_example_file(session, make_source, shared_data, name):
    path = shared_data / "ctdl" / "ingest-examples" / name
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert detect_format(path.read_bytes(), str(path)) == "ctdl"
    expected = {n["ceterms:ctid"]: n for n in resources(doc) if is_record(n)}
    source = make_source(path, country="US", fmt="ctdl")
    result = run(session, source)
    if not expected:  # an organisation alone: nothing to catalogue, and the run says what it saw
        assert (result.status, result.added) == (RunStatus.SUCCEEDED, 0)
        (warning,) = [e.message for e in result.errors if "nothing to catalogue" in e.message]
        assert all(f"1 {n['@type']}" in warning for n in resources(doc)) and "CTDL Course" in \
            warning
        return
    assert result.status is RunStatus.SUCCEEDED, [e.message for e in result.errors]
    assert (result.added, result.rejected) == (len(expected), 0)
    rows = active(session, source)
    assert set(rows) == set(expected)
    parents = {ref: n["ceterms:name"]["en-US"] for n in resources(doc)
               for ref in n.get("ceterms:hasPart", [])}
    for ctid, node in expected.items():
        row = rows[ctid]
        assert row.title == {"en": node["ceterms:name"]["en-US"]}
        assert row.description == {"en": node["ceterms:description"]["en-US"]}
        assert row.url == node["ceterms:subjectWebpage"]
        costs = node.get("ceterms:estimatedCost", [])
        assert [p["amount"] for p in row.prices] == [c["ceterms:price"] for c in costs]
        if costs:  # "US Dollar" in the files
            assert row.prices and {p["currency"] for p in row.prices} == {"USD"}
        delivery = " ".join(d["ceterms:targetNode"] for d in node.get("ceterms:deliveryType", []))
        assert row.participation_form == ("online" if "Online" in delivery else "blended"
                                          if "Blended" in delivery else None)
        if node["@id"] in parents:  # a course of the program in the same document
            assert (row.stackability, row.stacks_towards) == ("stackable",
                                                              {"en": parents[node["@id"]]})
        for alignment in node.get("ceterms:occupationType", []):
            assert {"scheme": "SOC" if "bls.gov" in alignment.get("ceterms:framework", "")
                    else "occupation", "code": alignment.get("ceterms:codedNotation"),
                    "label": alignment["ceterms:targetNodeName"]["en-US"]} in row.subject_codes
        # the owner is in another file: its reference is kept, not fetched
        assert row.awarding_body is None and row.extras["ownedBy"] == node["ceterms:ownedBy"][0]
    notices = [e.field for e in result.errors if e.stage is Stage.GATHER]
    assert len(notices) == len(set(notices))  # one notice per property, not one per record


def test_costs_for_several_audiences(session, make_source, tmp_path):
    def cost(price, currency, *audiences, kind="Tuition"):
        return {"@type": "ceterms:CostProfile", "ceterms:price": price,
                "ceterms:currency": currency,
                "ceterms:directCostType": {"ceterms:targetNode": f"costType:{kind}",
                                           "ceterms:targetNodeName": {"en-US": kind}},
                "ceterms:audienceType": [{"ceterms:targetNode": f"audience:{a}",
                                          "ceterms:targetNodeName": {"en-US": a}}
                                         for a in audiences],
                "ceterms:costDetails": "https://college.example/costs"}
    doc = {"@context": "https://credreg.net/ctdl/schema/context/json", "@type": "ceterms:Course",
           "ceterms:ctid": "ce-00000000-0000-4000-8000-000000000001",
           "ceterms:name": {"en-US": "Welding I"},
           "ceterms:estimatedCost": [cost(2400, "USD", "NonResident"),
                                     cost(1200.5, "US Dollar", "Resident", "Veteran"),
                                     cost(75, "usd", kind="ApplicationFee"),
                                     {"@type": "ceterms:CostProfile",
                                      "ceterms:costDetails": "https://college.example/aid"}]}
    source, result = harvest(session, make_source, tmp_path, doc)
    assert result.status is RunStatus.SUCCEEDED
    row = active(session, source)["ce-00000000-0000-4000-8000-000000000001"]
    assert row.prices == [
        {"amount": 2400, "currency": "USD", "condition": "Tuition, NonResident"},
        {"amount": 1200.5, "currency": "USD", "condition": "Tuition, Resident, Veteran"},
        {"amount": 75, "currency": "USD", "condition": "ApplicationFee"}]
    assert (row.price, row.currency) == (75, "USD")
    kept = row.extras["estimatedCost"]
    assert {"costDetails": "https://college.example/aid"} in kept  # a profile without an amount
    assert [e.field for e in result.errors if e.stage is Stage.GATHER].count("estimatedCost") == 1


def course(n: int, **properties) -> dict:
    return {"@type": "ceterms:Course", "ceterms:ctid": f"ce-00000000-0000-4000-8000-{n:012d}",
            "ceterms:name": {"en-US": f"Course {n}"}, **properties}


def ctid(n: int) -> str:
    return f"ce-00000000-0000-4000-8000-{n:012d}"


def value(amount, unit, name=None):
    unit_node = {"@type": "ceterms:CredentialAlignmentObject",
                 "ceterms:framework": "https://credreg.net/ctdl/terms/CreditUnit",
                 "ceterms:targetNode": f"creditUnit:{unit}"}
    if name:
        unit_node["ceterms:targetNodeName"] = {"en-US": name}
    return {"@type": "ceterms:ValueProfile", "schema:value": amount,
            "ceterms:creditUnitType": [unit_node]}


def test_credit_hours_and_other_units(session, make_source, tmp_path):
    doc = {"@graph": [
        course(1, **{"ceterms:creditValue": [value(3, "SemesterHour")]}),
        course(2, **{"ceterms:creditValue": [value(4.5, "QuarterHour")]}),
        course(3, **{"ceterms:creditValue": [value(2.4, "ContinuingEducationUnit")]}),
        course(4, **{"ceterms:creditValue": [value(5, "ECTS", "ECTS credits")]}),
        course(5, **{"ceterms:creditValue": [value(6, "DegreeCredit", "Degree Credit")]}),
        course(6, **{"ceterms:creditValue": [{"@type": "ceterms:ValueProfile",
                                              "schema:minValue": 3, "schema:maxValue": 6}]}),
        course(7, **{"ceterms:creditValue": [value("three", "SemesterHour")]}),
    ]}
    source, result = harvest(session, make_source, tmp_path, doc)
    rows = active(session, source)
    assert (result.added, result.rejected) == (6, 1)
    assert [(rows[ctid(n)].credits, rows[ctid(n)].ects) for n in range(1, 6)] == [
        ([{"value": 3, "scheme": "US-SEMESTER", "level": None}], None),
        ([{"value": 4.5, "scheme": "US-QUARTER", "level": None}], None),
        ([{"value": 2.4, "scheme": "CEU", "level": None}], None),
        ([{"value": 5, "scheme": "ECTS", "level": None}], 5),
        ([{"value": 6, "scheme": "Degree Credit", "level": None}], None)]
    assert rows[ctid(3)].workload_hours == 24  # the central CEU ratio (10 contact hours)
    assert rows[ctid(6)].credits == [] and rows[ctid(6)].extras["creditValue"] == {
        "minValue": 3, "maxValue": 6}
    (error,) = [e for e in result.errors if e.severity is Severity.ERROR]
    assert (error.remote_id, error.field) == (ctid(7), "creditValue") and "three" in error.message


def test_durations(session, make_source, tmp_path):
    def duration(**parts):
        return {"ceterms:estimatedDuration": [{"@type": "ceterms:DurationProfile",
                                               **{f"ceterms:{k}": v for k, v in parts.items()}}]}
    doc = [course(1, **duration(exactDuration="PT40H")),
           course(2, **duration(minimumDuration="P2W", maximumDuration="P6W")),
           course(3, **duration(exactDuration="P1Y6M")),
           course(4, **duration(exactDuration="six weeks",
                                description={"en-US": "About six weeks"}))]
    source, result = harvest(session, make_source, tmp_path, doc)
    assert result.status is RunStatus.SUCCEEDED
    rows = active(session, source)
    assert [(rows[ctid(n)].duration_value, rows[ctid(n)].duration_unit) for n in range(1, 5)] == [
        (40, "hour"), (6, "week"), (18, "month"), (None, None)]
    assert rows[ctid(2)].extras["estimatedDuration"] == {"minimumDuration": "P2W",
                                                         "maximumDuration": "P6W"}
    assert rows[ctid(4)].extras["estimatedDuration"] == [
        "six weeks", {"description": {"en-US": "About six weeks"}}]  # the bad value, then the rest


def delivery(*terms):
    return [{"@type": "ceterms:CredentialAlignmentObject",
             "ceterms:targetNode": f"deliveryType:{t}"} for t in terms]


def test_online_onsite_places_and_offerings(session, make_source, tmp_path):
    campus = {"@type": "ceterms:Place", "ceterms:name": {"en-US": "North Campus"},
              "ceterms:streetAddress": {"en-US": "1 College Road"},
              "ceterms:addressLocality": {"en-US": "Lincoln"},
              "ceterms:addressRegion": {"en-US": "Nebraska"},
              "ceterms:addressCountry": {"en-US": "United States"},
              "ceterms:latitude": 40.81, "ceterms:longitude": -96.7}
    offering = {"@id": "https://college.example/offerings/fall", "@type":
                "ceterms:ScheduledOffering", "ceterms:name": {"en-US": "Fall evenings"},
                "ceterms:startDate": "2026-09-07", "ceterms:endDate": "2026-12-11",
                "ceterms:availableAt": [{"@type": "ceterms:Place",
                                         "ceterms:addressLocality": "Omaha"}],
                "ceterms:scheduleTimingType": [{"ceterms:targetNode": "scheduleTiming:Evening",
                                                "ceterms:targetNodeName": {"en-US": "Evening"}}]}
    doc = {"@graph": [
        course(1, **{"ceterms:deliveryType": delivery("InPerson"),
                     "ceterms:availableAt": [campus]}),
        course(2, **{"ceterms:deliveryType": delivery("OnlineOnly"),
                     "ceterms:availableOnlineAt": ["https://college.example/online"]}),
        course(3, **{"ceterms:learningDeliveryType": delivery("InPerson", "OnlineOnly")}),
        course(4, **{"ceterms:hasOffering": ["https://college.example/offerings/fall"]}),
        offering]}
    source, result = harvest(session, make_source, tmp_path, doc)
    assert (result.status, result.added) == (RunStatus.SUCCEEDED, 4)
    rows = active(session, source)
    assert [rows[ctid(n)].participation_form for n in range(1, 5)] == [
        "onsite", "online", "blended", None]
    assert rows[ctid(1)].places == [{"city": "Lincoln", "nuts": None, "country": "US",
                                     "lat": 40.81, "lon": -96.7}]
    assert rows[ctid(1)].extras["availableAt"] == \
        "North Campus, 1 College Road, Lincoln, Nebraska"
    fall = rows[ctid(4)]
    assert fall.start_dates == ["2026-09-07"]
    assert fall.sessions == [{"start": "2026-09-07", "end": "2026-12-11", "venue": "Omaha"}]
    assert fall.places[0]["city"] == "Omaha"
    assert fall.extras["hasOffering"]["scheduleTimingType"] == \
        "Evening <scheduleTiming:Evening>"


def test_credential_owned_by_an_organisation_named_by_ctid(session, make_source, tmp_path):
    org = {"@id": f"https://credentialengineregistry.org/resources/{ORG_CTID}",
           "@type": "ceterms:CredentialOrganization", "ceterms:ctid": ORG_CTID,
           "ceterms:name": {"en-US": "Harbor Technical College"},
           "ceterms:address": [{"@type": "ceterms:Place", "ceterms:addressCountry": "CA"}]}
    qa = {"@id": "_:qa1", "@type": "ceterms:QACredentialOrganization",
          "ceterms:name": {"en-US": "Welding Accreditation Board"}}
    certificate = {"@type": "ceterms:Certificate", "ceterms:ctid": ctid(9),
                   "ceterms:name": {"en-US": "Welding Certificate"},
                   "ceterms:ownedBy": [ORG_CTID], "ceterms:accreditedBy": ["_:qa1"],
                   "ceterms:teaches": [{"@type": "ceterms:CredentialAlignmentObject",
                                        "ceterms:targetNode": "http://data.europa.eu/esco/skill/"
                                                              "welding-1",
                                        "ceterms:targetNodeName": {"en-US": "Weld steel plates"}},
                                       {"@type": "ceterms:CredentialAlignmentObject",
                                        "ceterms:targetNodeName": {"en-US": "Read blueprints"}}],
                   "ceterms:requires": [{"@type": "ceterms:ConditionProfile",
                                         "ceterms:targetLearningOpportunity": [ctid(1)]}]}
    envelope = {"envelope_type": "resource_data", "envelope_ceterms_ctid": ctid(9),
                "decoded_resource": {"@context": "https://credreg.net/ctdl/schema/context/json",
                                     "@graph": [certificate, qa, course(1)]}}
    search = {"data": [envelope], "extra": {"RelatedItems": [org, course(2)]}}
    source, result = harvest(session, make_source, tmp_path, search)
    assert (result.status, result.added) == (RunStatus.SUCCEEDED, 2)  # course 2 is context only
    rows = active(session, source)
    cert = rows[ctid(9)]
    assert (cert.awarding_body, cert.awarding_bodies) == ("Harbor Technical College",
                                                          ["Harbor Technical College"])
    assert cert.country == "CA" and cert.qa_types == ["programme-qa"]
    assert cert.qualification_title == {"en": "Welding Certificate"}
    assert cert.extras["accreditedBy"] == "Welding Accreditation Board"
    assert cert.learning_outcomes == {"en": ["Weld steel plates", "Read blueprints"]}
    assert cert.esco_skills == ["http://data.europa.eu/esco/skill/welding-1"]
    assert (rows[ctid(1)].stackability, rows[ctid(1)].stacks_towards) == (
        "stackable", {"en": "Welding Certificate"})


def test_a_ceased_resource_is_retired(session, make_source, tmp_path):
    source, first = harvest(session, make_source, tmp_path, [course(1), course(2)])
    assert first.added == 2
    ceased = {"ceterms:lifeCycleStatusType": {"ceterms:targetNode": "lifeCycle:Ceased"}}
    (tmp_path / "feed.json").write_text(json.dumps([course(1, **ceased), course(2)]))
    second = run(session, source)
    assert (second.status, second.retired, second.unchanged) == (RunStatus.SUCCEEDED, 1, 1)
    assert set(active(session, source)) == {ctid(2)}


def test_a_non_string_rejects_one_record(session, make_source, tmp_path):
    doc = [course(1, **{"ceterms:name": {"en-US": 42}}),
           course(2, **{"ceterms:subjectWebpage": {"url": "https://x.example"}}),
           dict(course(3), **{"ceterms:ctid": [ctid(3)], "@id": "https://x.example/3"}),
           course(4)]
    source, result = harvest(session, make_source, tmp_path, doc)
    assert (result.status, result.added, result.rejected) == (RunStatus.PARTIAL, 1, 3)
    errors = {e.remote_id: e for e in result.errors if e.severity is Severity.ERROR}
    assert set(errors) == {ctid(1), ctid(2), "https://x.example/3"}
    assert errors[ctid(1)].field == "name" and "expected text, not int 42" in \
        errors[ctid(1)].message
    assert errors[ctid(2)].field == "subjectWebpage"
    assert "ceterms:ctid: expected text, not list" in errors["https://x.example/3"].message
    assert set(active(session, source)) == {ctid(4)}


def test_unreadable_documents_fail_with_a_reason(session, make_source, tmp_path):
    deep = "[" * 5000 + "]" * 5000
    (tmp_path / "deep.json").write_text(deep)
    result = run(session, make_source(tmp_path / "deep.json", fmt="ctdl"))
    assert result.status is RunStatus.FAILED and "nested more than 100 levels" in result.message
    _, result = harvest(session, make_source, tmp_path, {"@type": "ceterms:CostManifest"},
                        name="manifest.json")
    assert result.status is RunStatus.SUCCEEDED and any(
        e.message.startswith("nothing to catalogue: found 1 ceterms:CostManifest")
        for e in result.errors)


def test_detection_takes_ctdl_before_elm():
    ctdl = {"@context": "https://credreg.net/ctdl/schema/context/json",
            "@type": "ceterms:LearningOpportunityProfile", "ceterms:name": {"en-US": "Intro"}}
    assert detect_format(json.dumps(ctdl).encode()) == "ctdl"
    iri = {"@type": "https://purl.org/ctdl/terms/Course",
           "https://purl.org/ctdl/terms/name": "Intro"}
    assert detect_format(json.dumps(iri).encode()) == "ctdl"
    elm = {"@context": "http://data.europa.eu/snb/model/context/edc-ap",
           "type": "LearningOpportunity", "title": {"en": "Intro"}}
    assert detect_format(json.dumps(elm).encode()) == "elm-jsonld"


def test_registry_envelopes_carry_the_resource_as_a_jwt(session, make_source, tmp_path):
    def jwt(payload: dict) -> str:
        def part(data):
            return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
        return f"{part({'alg': 'RS256'})}.{part(payload)}.c2lnbmF0dXJl"
    envelopes = {"envelopes": [{"envelope_type": "resource_data", "envelope_id": "e1",
                                "resource": jwt(course(1))},
                               {"envelope_type": "resource_data", "envelope_id": "e2",
                                "resource": jwt({"@graph": [course(2), course(3)]})}]}
    source, result = harvest(session, make_source, tmp_path, envelopes)
    assert (result.status, result.added) == (RunStatus.SUCCEEDED, 3)
    assert active(session, source)[ctid(2)].title == {"en": "Course 2"}
    envelopes["envelopes"][1]["resource"] = "not-a-jwt"
    (tmp_path / "feed.json").write_text(json.dumps(envelopes))
    again = run(session, source)
    assert again.status is RunStatus.FAILED and "envelope 'e2'" in again.message
    assert set(active(session, source)) == {ctid(1), ctid(2), ctid(3)}  # nothing lost
