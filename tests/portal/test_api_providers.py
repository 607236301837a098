"""/api/v1/providers and /api/v1/providers/<slug>: who publishes, and how many offers each lists."""
from __future__ import annotations


def test_the_list_gives_every_provider_by_slug_with_its_offer_count(client):
    data = client.get("/api/v1/providers?per_page=100").get_json()
    assert data["total"] == len(data["results"]) >= 2 and data["pages"] == 1
    slugs = [p["slug"] for p in data["results"]]
    assert slugs == sorted(slugs)
    for provider in data["results"]:
        assert {"slug", "name", "country", "url", "api_url", "offers"} <= set(provider)
        assert provider["url"].endswith(f"/providers/{provider['slug']}")
        listed = client.get("/api/v1/search", query_string={"provider": provider["slug"]})
        assert provider["offers"] == listed.get_json()["total"], provider["slug"]
    assert sum(p["offers"] for p in data["results"]) == \
        client.get("/api/v1/search").get_json()["total"]


def test_the_list_is_paged(client):
    first = client.get("/api/v1/providers?per_page=1").get_json()
    second = client.get("/api/v1/providers?per_page=1&page=2").get_json()
    assert len(first["results"]) == len(second["results"]) == 1
    assert first["pages"] == first["total"] >= 2
    assert first["results"][0]["slug"] < second["results"][0]["slug"]
    beyond = client.get(f"/api/v1/providers?per_page=1&page={first['total'] + 1}").get_json()
    assert beyond["results"] == [] and beyond["total"] == first["total"]


def test_one_provider_has_its_identity_policy_and_counts(client):
    summary = client.get("/api/v1/providers?per_page=1").get_json()["results"][0]
    response = client.get(summary["api_url"])
    assert response.status_code == 200
    data = response.get_json()
    assert data["slug"] == summary["slug"] and data["name"] == summary["name"]
    assert data["offers"] == summary["offers"] and data["withdrawn_offers"] == 0
    assert {"recognition_policy", "qa_statement", "deqar_id", "website"} <= set(data)
    listed = client.get(data["offers_api_url"]).get_json()
    assert listed["total"] == data["offers"]
    assert listed["query"]["filters"] == {"provider": [data["slug"]]}


def test_an_unknown_provider_is_a_404_problem(client):
    response = client.get("/api/v1/providers/no-such-provider")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 404


def test_an_unknown_parameter_is_a_400_problem_naming_it(client):
    for url, unknown in (("/api/v1/providers?country=DE&q=x", ["country", "q"]),
                         ("/api/v1/providers/x?expand=offers", ["expand"])):
        response = client.get(url)
        assert response.status_code == 400 and response.mimetype == "application/problem+json"
        assert [e["param"] for e in response.get_json()["errors"]] == unknown


def test_a_bad_page_is_a_400_problem(client):
    response = client.get("/api/v1/providers?page=0")
    assert response.status_code == 400
    assert [e["param"] for e in response.get_json()["errors"]] == ["page"]
