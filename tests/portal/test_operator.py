"""Operator pages behind a login with CSRF; the provider's public harvest status."""
import re

import pytest
from werkzeug.security import generate_password_hash

from portal import create_app
from portal import demo
from portal.services import services


@pytest.fixture
def operator_app(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite'}",
                      "SEARCH_SQLITE_PATH": str(tmp_path / "s.sqlite"),
                      "OPERATOR_USER": "ops", "OPERATOR_PASSWORD_HASH": generate_password_hash("s3cret")})
    with app.app_context(), services().sessions() as s:
        entry = next(e for e in demo.providers() if e["slug"] == "navigli-learning-lab")
        from harvesters.runner import run
        run(s, demo.register(s, entry))
    return app


def token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_operator_pages_need_a_login(operator_app):
    client = operator_app.test_client()
    response = client.get("/operator/")
    assert response.status_code == 302 and "/operator/login" in response.headers["Location"]
    login = client.get("/operator/login").get_data(as_text=True)
    assert client.post("/operator/login", data={"user": "ops", "password": "s3cret"}).status_code == 400
    wrong = client.post("/operator/login", data={"user": "ops", "password": "guess",
                                                 "csrf_token": token(login)})
    assert wrong.status_code == 401 and "Wrong user name or password" in wrong.get_data(as_text=True)
    ok = client.post("/operator/login", data={"user": "ops", "password": "s3cret",
                                              "csrf_token": token(login)})
    assert ok.status_code == 302
    page = client.get("/operator/").get_data(as_text=True)
    assert "navigli-learning-lab" in page and "succeeded" in page
    run_link = re.search(r'href="(/operator/runs/\d+)"', page).group(1)
    details = client.get(run_link).get_data(as_text=True)
    assert "NLL-MKT-03" in details and "quality_assurance" in details  # the missing element


def test_operator_pages_are_closed_when_not_configured(client):
    assert client.get("/operator/").status_code == 404
    assert client.get("/operator/login").status_code == 404


def test_provider_links_its_public_harvest_status(operator_app):
    client = operator_app.test_client()
    page = client.get("/en/providers/navigli-learning-lab").get_data(as_text=True)
    assert "/providers/navigli-learning-lab/harvests" in page
    status = client.get("/en/providers/navigli-learning-lab/harvests").get_data(as_text=True)
    assert "succeeded" in status and "mandatory Annex I element not stated" in status


def test_a_deployment_on_a_database_server_needs_a_session_key(monkeypatch):
    """Without SECRET_KEY each host would make its own and sign-ins would fail at random."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"DATABASE_URL": "postgresql://learncat@127.0.0.1:1/learncat"})


def test_the_embedded_default_keeps_one_key_for_every_worker(tmp_path):
    import os
    from portal.config import kept_secret
    first = kept_secret(tmp_path / "secret_key")
    assert len(first) == 64 and kept_secret(tmp_path / "secret_key") == first
    assert oct(os.stat(tmp_path / "secret_key").st_mode & 0o777) == "0o600"


def test_a_providers_status_page_lists_its_earlier_harvests(operator_app):
    """Every run of a source, not only the last: a provider sees when a feed began to fail."""
    from catalogue.models import Provider
    from harvesters.runner import run
    with operator_app.app_context(), services().sessions() as s:
        source = s.query(Provider).filter_by(slug="navigli-learning-lab").one().sources[0]
        location = source.location
        source.location = location + ".missing"  # the next run fails
        s.commit()
        run(s, source)
        source.location = location
        s.commit()
        run(s, source)
        runs = [(r.id, r.status.value) for r in source.runs]
    statuses = [status for _, status in runs]
    assert statuses[1] == "failed" and statuses[0] != "failed" and len(runs) == 3
    page = operator_app.test_client().get("/en/providers/navigli-learning-lab/harvests")
    html = page.get_data(as_text=True)
    earlier = html[html.index("Earlier harvests"):]
    rows = earlier.split("<tr><th scope=\"row\">")[1:]
    assert len(rows) == 2  # the two runs before the last, the newest first
    from portal.labels import RUN_STATUSES
    assert str(RUN_STATUSES["failed"]) in rows[0] and str(RUN_STATUSES["failed"]) not in rows[1]
    assert "Frühere Datenabrufe" in operator_app.test_client().get(
        "/de/providers/navigli-learning-lab/harvests").get_data(as_text=True)
