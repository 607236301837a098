"""A search engine that cannot answer gives a clear 503, never a stack trace."""
import sqlite3

import pytest

from portal import create_app


@pytest.fixture
def broken_client(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite'}",
                      "SEARCH_SQLITE_PATH": str(tmp_path / "search.sqlite")})
    with sqlite3.connect(tmp_path / "search.sqlite") as db:
        db.execute("DROP TABLE docs")  # the index is damaged behind the portal's back
    return app.test_client()


def test_search_page_says_search_is_unavailable(broken_client):
    response = broken_client.get("/en/?q=welding")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "Search is temporarily unavailable" in page and "Traceback" not in page


def test_api_answers_503_problem(broken_client):
    response = broken_client.get("/api/v1/search?q=welding")
    assert response.status_code == 503 and response.mimetype == "application/problem+json"
    assert response.get_json()["title"] == "Search is temporarily unavailable"


def test_an_empty_or_outdated_embedded_index_is_rebuilt_on_start(demo_app, tmp_path):
    url = demo_app.config["DATABASE_URL"]
    with sqlite3.connect(tmp_path / "search.sqlite") as db:  # an index of the first layout
        db.execute("CREATE TABLE docs (rowid INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute("INSERT INTO meta VALUES ('generation', '3')")
    app = create_app({"DATABASE_URL": url, "SEARCH_SQLITE_PATH": str(tmp_path / "search.sqlite")})
    data = app.test_client().get("/api/v1/search?q=Schweißen").get_json()
    assert data["total"] >= 1


@pytest.fixture
def broken_catalogue(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite'}",
                      "SEARCH_SQLITE_PATH": str(tmp_path / "search.sqlite"), "ENCODER": "none"})
    with sqlite3.connect(tmp_path / "c.sqlite") as db:
        db.execute("ALTER TABLE opportunity RENAME TO opportunity_gone")  # a fault no one expects
    return app.test_client()


def test_an_unexpected_fault_in_the_api_is_a_problem_not_a_page(broken_catalogue):
    response = broken_catalogue.get("/api/v1/opportunities/1")
    assert response.status_code == 500 and response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 500 and body["title"] == "Something went wrong on our side"
    assert "Traceback" not in response.get_data(as_text=True)


def test_an_unexpected_fault_on_a_page_is_the_error_page(broken_catalogue):
    response = broken_catalogue.get("/en/opportunities/1")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and response.mimetype == "text/html"
    assert "Something went wrong on our side" in page and "Traceback" not in page
    assert "opportunity_gone" not in page and "OperationalError" not in page
