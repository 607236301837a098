"""An offer in ELM v3 JSON-LD: valid against the ELM LOQ SHACL shapes (pySHACL, the ELM context
read from ../shared/data, never the network) and harvested back by learncat's ELM harvester."""
import json
from types import SimpleNamespace

import pytest
from rdflib import Graph, URIRef

from catalogue.elm_export import MANDATORY, learning_opportunity
from catalogue.record import OpportunityRecord
from harvesters.elm import ElmJsonLdHarvester

pyshacl = pytest.importorskip("pyshacl")  # the test extra installs it

URI = "https://learncat.test/api/v1/opportunities/7.jsonld"
PAGE = "https://learncat.test/en/opportunities/7"
PROVIDER = SimpleNamespace(slug="uni-a", name={"en": "University A"}, legal_name=None,
                           country="DE")
# the shapes' URL pattern is written for Java's regex engine: the flag after "^" and the nested
# character classes, which Python's re refuses, are written as Python spells the same pattern
JAVA_REGEX = {r'"^(?i)(http|https):': r'"(?i)^(http|https):',
              r"\\[[[A-Fa-f0-9]\\:\\.]*[%[\\p{L}\\p{Nl}\\p{Nd}]]*\\]":
              r"\\[[A-Fa-f0-9:.]*[%\\w]*\\]"}
SH = "http://www.w3.org/ns/shacl#"
# LOQ publishes its LearningAchievementSpecification shape deactivated; the tests turn it on,
# so that the specification an offer exports is held to it as well
ACTIVATED = "  sh:deactivated true ;\n"


def full_record() -> OpportunityRecord:
    return OpportunityRecord(
        remote_id="w-1", title={"en": "Welding robots", "de": "Schweißroboter"},
        description={"en": "Programming and calibrating welding robots."},
        learning_outcomes={"en": ["Calibrate a welding robot", "Plan a safe weld cell"],
                           "de": ["Einen Schweißroboter kalibrieren"]},
        awarding_body="University A", awarding_bodies=["University A", "Chamber B"],
        country="DE", ects=5.0, credits=[{"value": 5.0, "scheme": "ECTS"}],
        workload_hours=125.0, eqf_level=6, assessment_types=["written-exam"],
        assessment={"en": "A written exam at the end"}, grading={"en": "1 (best) to 5"},
        participation_form="blended", qa_types=["institutional-qa", "eqavet"],
        prerequisites={"en": "Basic welding"}, start_dates=["2027-09-01", "2027-03-01"],
        duration_value=10.0, duration_unit="week", languages=["en", "de"],
        places=[{"city": "Berlin", "nuts": "DE30", "country": "DE", "lat": 52.52, "lon": 13.4}],
        price=450.0, currency="EUR", target_groups=["retraining"], isced_f=["0715"],
        esco_skills=["http://data.europa.eu/esco/skill/0a1b2c3d-test"],
        application_deadline="2027-02-01", further_info_url="https://uni-a.test/welding")


@pytest.fixture(scope="module")
def shapes(request):
    from tests.conftest import SHARED_DATA
    elm = SHARED_DATA / "elm"
    if not elm.is_dir():
        pytest.skip("../shared/data is not here")
    graph = Graph()
    for name in ("LOQ-constraints.ttl", "LOQ-constraints-mdr.ttl"):
        text = (elm / "shacl" / name).read_text(encoding="utf-8")
        for java, python in JAVA_REGEX.items():
            text = text.replace(java, python)
        if name == "LOQ-constraints.ttl":  # its one deactivated shape: the specification's
            assert text.count(ACTIVATED) == 1
            text = text.replace(ACTIVATED, "")
        graph.parse(data=text, format="turtle")
    context = json.loads((elm / "context" / "edc-ap-context.jsonld").read_text("utf-8"))
    return graph, context["@context"]


def to_graph(doc: dict, context: dict) -> Graph:
    """The document as RDF, its context URL swapped for the local copy of that context."""
    local = [context if c == "http://data.europa.eu/snb/model/context/edc-ap" else c
             for c in doc["@context"]]
    return Graph().parse(data=json.dumps({**doc, "@context": local}), format="json-ld")


def violations(doc: dict, shapes) -> set[tuple[str, str]]:
    """(focus node, path) of each result of validating ``doc`` against the LOQ shapes."""
    shape_graph, context = shapes
    conforms, report, _ = pyshacl.validate(to_graph(doc, context), shacl_graph=shape_graph)
    found = {(str(report.value(r, URIRef(SH + "focusNode"))),
              str(report.value(r, URIRef(SH + "resultPath"))))
             for r in report.subjects(URIRef(SH + "resultSeverity"), None)}
    assert conforms == (not found)
    return found


def test_a_complete_offer_conforms_to_the_loq_shapes(shapes):
    doc = learning_opportunity(full_record(), PROVIDER, URI, PAGE)
    graph = to_graph(doc, shapes[1])
    elm = "http://data.europa.eu/snb/model/elm/"
    assert (URIRef(URI), None, URIRef(elm + "LearningOpportunity")) in graph
    assert (URIRef(URI + "-specification"), None,
            URIRef(elm + "LearningAchievementSpecification")) in graph
    assert violations(doc, shapes) == set()


def test_the_shapes_do_check_the_document(shapes):
    """Without its provider and with a bad homepage the same offer breaks the shapes."""
    doc = learning_opportunity(full_record(), PROVIDER, URI, PAGE)
    del doc["providedBy"]
    doc["homepage"]["contentURL"] = "ftp://uni-a.test/welding"
    found = {path.rsplit("/", 1)[-1] for _, path in violations(doc, shapes)}
    assert found == {"providedBy", "homepage", "contentUrl"}  # the URL: by two shapes


def test_an_offer_that_lacks_mandatory_elements_is_flagged_not_filled_in(shapes):
    """learncat invents nothing: no outcomes, languages or field of education are the
    violations, and only those."""
    record = full_record()
    record.learning_outcomes, record.languages, record.isced_f = {}, [], []
    doc = learning_opportunity(record, PROVIDER, URI, PAGE)
    prefixes = {"elm:": "http://data.europa.eu/snb/model/elm/", "dc:": "http://purl.org/dc/terms/"}
    expected = {(URI + "-specification", prefixes[p[:p.index(":") + 1]] + p.split(":")[1])
                for p in MANDATORY}
    assert violations(doc, shapes) == expected


def test_concepts_are_the_commissions_uris():
    doc = learning_opportunity(full_record(), PROVIDER, URI, PAGE)
    spec = doc["learningAchievementSpecification"]
    assert [c["id"] for c in spec["educationLevel"]] == ["http://data.europa.eu/snb/eqf/6"]
    assert [c["id"] for c in spec["language"]] == [
        "http://publications.europa.eu/resource/authority/language/ENG",
        "http://publications.europa.eu/resource/authority/language/DEU"]
    assert spec["creditPoint"] == [{"type": "CreditPoint", "point": "5", "framework": {
        "id": "http://data.europa.eu/snb/education-credit/6fcec5c5af", "type": "Concept",
        "inScheme": {"id": "http://data.europa.eu/snb/education-credit/25831c2",
                     "type": "ConceptScheme"}, "prefLabel": {"en": "ECTS"}}}]
    assert doc["providedBy"]["location"]["address"]["countryCode"]["id"] == \
        "http://publications.europa.eu/resource/authority/country/DEU"
    assert doc["temporal"]["startDate"] == "2027-03-01T00:00:00Z"  # the first start
    assert doc["duration"] == "P10W"


def harvest_back(path):
    harvester = ElmJsonLdHarvester()
    source = SimpleNamespace(location=str(path))
    raws = list(harvester.gather(source, lambda location: open(location, "rb").read()))
    assert len(raws) == 1
    return harvester.parse(raws[0])


@pytest.fixture
def catalogue_app(tmp_path):
    """An app whose catalogue holds the complete offer; returns (client, offer id)."""
    from catalogue.models import Provider, Source
    from catalogue.store import CatalogueStore
    from tests.conftest import scratch_app
    from portal.services import services
    app = scratch_app(tmp_path)
    with app.app_context(), services().sessions() as s:
        provider = Provider(slug="uni-a", name={"en": "University A"}, country="DE")
        s.add(provider)
        s.flush()
        source = Source(provider_id=provider.id, name="csv", format="csv", location="x.csv")
        s.add(source)
        s.flush()
        _, row = CatalogueStore(s).upsert(source, full_record())
        s.commit()
        return app.test_client(), row.id


def test_the_api_serves_the_offer_and_it_harvests_back_the_same(catalogue_app, tmp_path,
                                                                 shapes):
    client, offer_id = catalogue_app
    response = client.get(f"/api/v1/opportunities/{offer_id}.jsonld")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    doc = response.get_json(force=True)
    assert doc["id"] == f"http://localhost/api/v1/opportunities/{offer_id}.jsonld"
    assert violations(doc, shapes) == set()
    path = tmp_path / "exported.jsonld"
    path.write_bytes(response.data)
    again, original = harvest_back(path), full_record()
    for name in ("title", "learning_outcomes", "eqf_level", "ects", "languages",
                 "participation_form", "description", "awarding_bodies", "assessment_types",
                 "assessment", "grading", "prerequisites", "workload_hours", "duration_value",
                 "duration_unit", "price", "currency", "target_groups", "isced_f", "esco_skills",
                 "application_deadline", "further_info_url", "places"):
        assert getattr(again, name) == getattr(original, name), name
    assert again.start_dates == ["2027-03-01"]  # ELM holds one start per opportunity


def test_an_unknown_offer_is_a_problem_and_parameters_are_checked(catalogue_app):
    client, offer_id = catalogue_app
    missing = client.get(f"/api/v1/opportunities/{offer_id + 1}.jsonld")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert client.get(f"/api/v1/opportunities/{offer_id}.jsonld?x=1").status_code == 400


def test_every_property_is_a_term_of_the_elm_context(shapes):
    """A key the context does not define would vanish from the RDF without a word."""
    context = shapes[1]

    def keys(value):
        if isinstance(value, list):
            for item in value:
                yield from keys(item)
        elif isinstance(value, dict):
            for key, item in value.items():
                if key not in ("@context", "@value", "@type", "id", "type"):
                    yield key, item
                    if not (isinstance(item, dict) and set(item) <= set(context["title"])):
                        yield from keys(item)

    doc = learning_opportunity(full_record(), PROVIDER, URI, PAGE)
    unknown = {k for k, v in keys(doc) if k not in context and (
        ":" not in k or k.split(":")[0] not in context)}
    language_maps = {"title", "description", "noteLiteral", "legalName", "prefLabel",
                     "geographicName"}
    assert unknown <= {lang for lang in ("en", "de")}, unknown - {"en", "de"}
    assert language_maps <= {k for k, _ in keys(doc)}
