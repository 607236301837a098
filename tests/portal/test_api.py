import pytest


def test_search_returns_results_and_facets(client):
    data = client.get("/api/v1/search", query_string={"q": "soins infirmiers"}).get_json()
    assert data["total"] >= 1
    first = data["results"][0]
    assert {"id", "title", "eqf", "ects", "form", "url", "api_url", "highlights"} <= set(first)
    assert "<mark>" in "".join(first["highlights"].values())
    assert {f["value"] for f in data["facets"]["country"]} >= {"FR"}


def test_search_parameters_are_the_pages_parameters(client):
    data = client.get("/api/v1/search?eqf=6&eqf=7&form=online&sort=-ects&per_page=5").get_json()
    assert data["query"]["filters"] == {"eqf": ["6", "7"], "form": ["online"]}
    assert all(r["eqf"] in (6, 7) and r["form"] == "online" for r in data["results"])
    ects = [r["ects"] for r in data["results"] if r["ects"] is not None]
    assert ects == sorted(ects, reverse=True)
    assert len(data["results"]) <= 5
    selected = [f for f in data["facets"]["eqf"] if f["selected"]]
    assert {f["value"] for f in selected} == {"6", "7"}


@pytest.mark.parametrize("query, param", [
    ("eqf=12", "eqf"), ("ects_min=abc", "ects_min"), ("page=-1", "page"), ("page=0", "page"),
    ("per_page=1000", "per_page"), ("sort=price", "sort"), ("start_from=2027-02-30", "start_from"),
    ("country=Germany", "country"), ("ects_min=5&ects_max=2", "ects_max"),
    ("form=teleport", "form"), ("provider=%3Cscript%3E", "provider"), ("ects_min=nan", "ects_min"),
])
def test_bad_parameters_are_400_problems(client, query, param):
    response = client.get(f"/api/v1/search?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 400 and body["title"] == "Invalid search parameters"
    assert param in {e["param"] for e in body["errors"]}


def test_opportunity_carries_annex_i_completeness(client):
    hit = client.get("/api/v1/search", query_string={"q": "Schweißen"}).get_json()["results"][0]
    data = client.get(hit["api_url"]).get_json()
    assert data["id"] == hit["id"] and data["provider"]["recognition_policy"]
    assert data["annex_i"]["completeness"] == {"stated": 9, "of": 9}
    assert set(data["annex_i"]["mandatory"]) == {
        "title", "country", "awarding_body", "learning_outcomes", "workload", "level",
        "assessment", "participation_form", "quality_assurance"}


def test_unknown_opportunity_is_a_404_problem(client):
    response = client.get("/api/v1/opportunities/987654")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert response.get_json()["title"] == "Page not found"


@pytest.mark.parametrize("url, unknown", [
    ("/api/v1/search?q=welding&funder=ila&radius=50", ["funder", "radius"]),
    ("/api/v1/autocomplete?q=wel&limit=3", ["limit"]), ("/api/v1/opportunities/1?expand=all", ["expand"])])
def test_an_unknown_parameter_is_a_problem_naming_it(client, url, unknown):
    response = client.get(url)
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert [e["param"] for e in response.get_json()["errors"]] == unknown


def test_every_documented_search_parameter_is_accepted(client):
    from portal.search_service import PARAMETERS
    response = client.get("/api/v1/search", query_string={name: "" for name in PARAMETERS})
    assert response.status_code == 200


def test_the_read_only_api_may_be_read_from_any_site_without_credentials(client):
    response = client.get("/api/v1/search?q=welding", headers={"Origin": "https://pes.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Access-Control-Allow-Origin" not in client.get("/en/").headers
    exposed = {h.strip() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"ETag", "X-Total-Count", "Retry-After", "X-RateLimit-Remaining"} <= exposed


def test_a_preflight_allows_a_conditional_get_from_another_site_and_nothing_else(client):
    """A page on another site sending If-None-Match asks first (a preflight): GET is allowed
    with that header, and no method that changes anything."""
    preflight = client.options("/api/v1/search?q=welding", headers={
        "Origin": "https://pes.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    methods = {m.strip() for m in preflight.headers["Access-Control-Allow-Methods"].split(",")}
    assert "GET" in methods and not methods & {"POST", "PUT", "DELETE", "PATCH"}
    allowed = preflight.headers["Access-Control-Allow-Headers"].lower()
    assert "if-none-match" in allowed
    assert int(preflight.headers["Access-Control-Max-Age"]) > 0
    first = client.get("/api/v1/search?q=welding", headers={"Origin": "https://pes.example"})
    again = client.get("/api/v1/search?q=welding", headers={
        "Origin": "https://pes.example", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.headers["Access-Control-Allow-Origin"] == "*"


def test_an_offers_url_is_its_learncat_page_and_the_providers_page_is_apart(client):
    hit = client.get("/api/v1/search?q=welding").get_json()["results"][0]
    offer = client.get(hit["api_url"]).get_json()
    assert offer["url"] == hit["url"] and "/opportunities/" in offer["url"]
    assert "provider_url" in offer and offer["provider_url"] != offer["url"]
