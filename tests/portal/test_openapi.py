"""The OpenAPI document: valid OpenAPI 3.1, complete, made from the declarations the service
validates with; the API fuzzed against it with schemathesis; the documentation page made from it."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings, strategies as st
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance,
                                               response_headers_conformance,
                                               response_schema_conformance,
                                               status_code_conformance)

from catalogue import vocabularies as vocab
from indexer.protocol import ECTS_RANGES, FACETS, SORTS
from portal import api, labels, search_service
from tests.conftest import offer, write_csv
from tests.portal.test_languages import LANGUAGES, english_left_over, visible_text

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance]
CASES = 60  # per endpoint: six endpoints make a few hundred requests


@pytest.fixture
def doc(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def operation(doc, endpoint: str) -> dict:
    return next(item["get"] for item in doc["paths"].values()
                if item["get"]["operationId"] == endpoint.removeprefix("api."))


def query_parameters(doc, endpoint: str) -> dict[str, dict]:
    return {p["name"]: p for p in operation(doc, endpoint)["parameters"] if p["in"] == "query"}


def test_the_document_is_valid_openapi_3_1(doc):
    validate(doc)  # picks the 3.1 validator from the "openapi" field
    assert doc["openapi"].startswith("3.1.")
    schemathesis.openapi.from_dict(doc)  # schemathesis reads it too


def test_every_route_of_the_api_blueprint_is_documented(demo_app, doc):
    routes = {(re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule), rule.endpoint)
              for rule in demo_app.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    assert len(routes) >= 6
    for path, endpoint in routes:
        assert doc["paths"][path]["get"]["operationId"] == endpoint.removeprefix("api.")
    assert len(doc["paths"]) == len(routes)


@pytest.mark.parametrize("endpoint", sorted(api.PARAMETERS))
def test_each_endpoint_documents_exactly_the_parameters_it_accepts(doc, endpoint):
    params = query_parameters(doc, endpoint)
    assert set(params) == api.PARAMETERS[endpoint]
    for param in params.values():
        assert param["description"].strip(), param["name"]
        assert param["schema"].get("type"), param["name"]


def test_every_facet_is_a_repeatable_parameter_with_the_validators_values(doc):
    params = query_parameters(doc, "api.search")
    for name in FACETS:
        param = params[name]
        assert param["schema"]["type"] == "array"
        assert (param["style"], param["explode"]) == ("form", True)
        item = param["schema"]["items"]
        accepts, _ = search_service.VALIDATORS[name]
        if name == "provider":
            assert item["pattern"] == search_service.SLUG.pattern
            continue
        assert item["enum"], name
        assert all(accepts(value) for value in item["enum"]), name
    assert params["eqf"]["schema"]["items"]["enum"] == [str(level) for level in range(1, 9)]
    assert params["ects"]["schema"]["items"]["enum"] == [code for code, _, _ in ECTS_RANGES]
    assert params["price"]["schema"]["items"]["enum"] == ["free", "paid"]
    for name, vocabulary in labels.FACET_VOCABULARY.items():
        assert params[name]["schema"]["items"]["enum"] == [t.code for t in vocab.get(vocabulary)]
    assert {"DE", "FR", "IE"} <= set(params["country"]["schema"]["items"]["enum"])
    assert "EU" not in params["country"]["schema"]["items"]["enum"]
    assert {"de", "ga", "mt"} <= set(params["language"]["schema"]["items"]["enum"])


def test_every_sort_is_declared_with_its_label(doc):
    sort = query_parameters(doc, "api.search")["sort"]
    assert sort["schema"]["enum"] == list(SORTS)
    for name in SORTS:
        assert f"{name}: {search_service.SORT_LABELS[name]}" in sort["description"]


def test_the_bounds_are_the_services_limits(doc):
    params = query_parameters(doc, "api.search")
    assert params["q"]["schema"]["maxLength"] == search_service.MAX_TEXT
    assert params["page"]["schema"]["maximum"] == search_service.MAX_PAGE
    assert params["per_page"]["schema"]["maximum"] == search_service.MAX_PER_PAGE
    assert params["radius_km"]["schema"]["maximum"] == search_service.MAX_RADIUS_KM
    assert query_parameters(doc, "api.autocomplete")["size"]["schema"]["maximum"] == \
        api.MAX_SUGGESTIONS


@pytest.mark.parametrize("url, name", [
    ("/api/v1/search?per_page={}", "per_page"), ("/api/v1/search?page={}", "page"),
    ("/api/v1/providers?per_page={}", "per_page"), ("/api/v1/autocomplete?q=nur&size={}", "size"),
])
def test_a_documented_maximum_is_accepted_and_one_more_refused(client, doc, url, name):
    endpoint = {"search": "api.search", "providers": "api.providers",
                "autocomplete": "api.autocomplete"}[url.split("/")[3].split("?")[0]]
    maximum = query_parameters(doc, endpoint)[name]["schema"]["maximum"]
    assert client.get(url.format(maximum)).status_code == 200
    refused = client.get(url.format(maximum + 1))
    assert refused.status_code == 400
    assert [e["param"] for e in refused.get_json()["errors"]] == [name]


def test_problem_responses_are_documented_as_problem_json(doc):
    responses = doc["components"]["responses"]
    for name in ("BadRequest", "NotFound", "TooManyRequests", "ServerError", "Unavailable"):
        assert list(responses[name]["content"]) == ["application/problem+json"]
    assert "Retry-After" in responses["TooManyRequests"]["headers"]
    for item in doc["paths"].values():
        assert {"400", "429", "500"} <= set(item["get"]["responses"])
    assert "404" in operation(doc, "api.opportunity")["responses"]
    assert "410" in operation(doc, "api.opportunity")["responses"]
    assert "404" in operation(doc, "api.provider")["responses"]


def test_the_document_speaks_the_language_lang_chooses(client):
    english = client.get("/api/v1/openapi.json?lang=en").get_json()
    german = client.get("/api/v1/openapi.json?lang=de").get_json()
    assert operation(english, "api.search")["summary"] == "Search learning opportunities"
    assert operation(german, "api.search")["summary"] != operation(english, "api.search")["summary"]
    assert german["paths"].keys() == english["paths"].keys()


def test_every_endpoint_has_examples_and_they_run(client, doc):
    schema = schemathesis.openapi.from_dict(doc)
    for path, item in doc["paths"].items():
        examples = item["get"]["x-examples"]
        assert examples, path
        for example in examples:
            assert urlsplit(example["href"]).path.startswith("/api/v1/"), example
            response = client.get(example["href"])
            assert response.status_code == 200, example
            schema[path]["GET"].validate_response(response)  # raises when off the schema


def test_a_withdrawn_offer_answers_410_with_its_last_data(harvested_offer, tmp_path):
    from catalogue.models import Opportunity, Status
    from portal.services import services

    feed = write_csv(tmp_path / "feed.csv", [offer("w1")])
    client, offer_id = harvested_offer(feed, "csv", ("withdrawing", "Withdrawing Academy", "DE"))
    assert client.get(f"/api/v1/opportunities/{offer_id}").status_code == 200
    with client.application.app_context(), services().sessions() as s:
        s.get(Opportunity, offer_id).status = Status.RETIRED
        s.commit()
    response = client.get(f"/api/v1/opportunities/{offer_id}")
    assert response.status_code == 410 and response.mimetype == "application/json"
    assert response.get_json()["id"] == offer_id
    assert response.get_json()["status"] == "retired"
    assert response.get_json()["title"] == {"en": "Course w1"}


@pytest.fixture
def api_schema(demo_app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", demo_app)
    schema.config.generation.update(modes=["positive"])
    return schema


def known(client) -> dict[str, list]:
    """Path values that exist, so that generated requests reach found offers and providers too."""
    return {"opportunity_id": [h["id"] for h in client.get("/api/v1/search?per_page=5")
                               .get_json()["results"]],
            "slug": [p["slug"] for p in client.get("/api/v1/providers?per_page=5")
                     .get_json()["results"]]}


@pytest.mark.parametrize("path", ["/api/v1/search", "/api/v1/autocomplete",
                                  "/api/v1/opportunities/{opportunity_id}", "/api/v1/providers",
                                  "/api/v1/providers/{slug}", "/api/v1/openapi.json"])
def test_schemathesis_finds_no_server_error_and_no_answer_off_the_schema(api_schema, client,
                                                                         path):
    """Requests generated from the document (deterministic, a fixed number per endpoint): no
    5xx, and every answer has a documented status, media type, headers and body."""
    op = api_schema[path]["GET"]
    existing = [op.as_strategy(path_parameters={name: value})
                for name, values in known(client).items() if "{%s}" % name in path
                for value in values]
    statuses = []

    @given(case=st.one_of(op.as_strategy(), *existing))
    @settings(max_examples=CASES, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                     HealthCheck.data_too_large])
    def check(case):
        # identity: the WSGI transport does not decompress what Flask-Compress gzips
        response = case.call_and_validate(headers={"Accept-Encoding": "identity"}, checks=CHECKS)
        statuses.append(response.status_code)

    check()
    assert len(statuses) >= CASES and 200 in statuses


def test_the_documentation_page_lists_every_endpoint_and_parameter(client, doc):
    html = client.get("/en/api").get_data(as_text=True)
    for path, item in doc["paths"].items():
        op = item["get"]
        assert f'id="{op["operationId"]}"' in html and f"GET {path}" in html
        for param in op["parameters"]:
            assert f"<code>{param['name']}</code>" in html
        for example in op["x-examples"]:
            assert f'href="{example["href"]}"'.replace("&", "&amp;") in html
    assert "application/problem+json" in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_documentation_page_is_in_the_readers_language(client, lang):
    page = client.get(f"/{lang}/api")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f'<html lang="{lang}"' in html
    text = visible_text(html)
    assert not [m for m in english_left_over(lang) if m in text]
    translated = client.get(f"/api/v1/openapi.json?lang={lang}").get_json()
    assert operation(translated, "api.search")["summary"] in text
    assert f'href="/api/v1/openapi.json?lang={lang}"' in html


def test_the_footer_links_to_the_documentation_and_api_redirects_there(client):
    html = client.get("/fr/").get_data(as_text=True)
    assert 'href="/fr/api"' in html
    response = client.get("/api/", headers={"Accept-Language": "pl"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/pl/api")
