"""The portal on OpenSearch: pages and API, and what happens when the node dies mid-way."""
import os
import signal
import subprocess
import time

import pytest
from sqlalchemy import func, select

from catalogue.models import Opportunity, Provider, RunStatus, Source
from harvesters.runner import run
from portal import create_app
from portal.services import services
from tests.conftest import ROOT, offer, required_service, write_csv


def opensearch_app(tmp_path, url, prefix, **extra):
    return create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'catalogue.sqlite'}",
                       "SEARCH_BACKEND": "opensearch", "OPENSEARCH_URL": url,
                       "OPENSEARCH_INDEX_PREFIX": prefix, "OPENSEARCH_TIMEOUT": 3,
                       "SEARCH_SQLITE_PATH": str(tmp_path / "fallback.sqlite"), **extra})


def harvest(app, path):
    with app.app_context(), services().sessions() as s:
        source = s.scalar(select(Source))
        if source is None:
            provider = Provider(slug="tallinn-welding", name={"en": "Tallinn Welding School"},
                                country="EE", recognition_policy={"en": "We recognise ECTS."})
            s.add(provider)
            s.flush()
            source = Source(provider_id=provider.id, name="file", format="csv", location=str(path))
            s.add(source)
            s.commit()
        return run(s, source).status


def test_pages_and_api_on_opensearch(tmp_path, opensearch_client):
    url = required_service("OPENSEARCH_URL", "the OpenSearch tests")
    prefix = f"test-{os.getpid()}-portal-"
    app = opensearch_app(tmp_path, url, prefix)
    path = write_csv(tmp_path / "feed.csv", [
        offer("W1", title_en="MIG welding for beginners", eqf_level="3"),
        offer("W2", title_en="Pipe welding certification", eqf_level="4")])
    assert harvest(app, path) is RunStatus.SUCCEEDED  # indexed after the commit
    opensearch_client.indices.refresh(index=f"{prefix}*")
    client = app.test_client()
    data = client.get("/api/v1/search?q=welding&eqf=4").get_json()
    assert data["total"] == 1 and data["results"][0]["title"]["en"] == "Pipe welding certification"
    assert {f["value"]: f["count"] for f in data["facets"]["eqf"]} == {"3": 1, "4": 1}
    assert "2 offers found" in client.get("/en/?q=weldng").get_data(as_text=True)  # a typing error
    assert "<mark>welding</mark>" in client.get("/en/?q=welding").get_data(as_text=True)
    assert client.get("/api/v1/autocomplete?q=pip").get_json()["suggestions"] == [
        "Pipe welding certification"]
    opensearch_client.indices.delete(index=f"{prefix}*", ignore_unavailable=True)


@pytest.fixture
def own_node(tmp_path):
    """A node of its own for this test, started by the project's script, so it can be killed."""
    required_service("OPENSEARCH_URL", "the OpenSearch tests")
    env = {**os.environ, "OPENSEARCH_HOME": str(tmp_path / "node"), "OPENSEARCH_HEAP": "384m"}
    script = str(ROOT / "scripts" / "opensearch")

    def start() -> str:
        out = subprocess.run([script, "start"], env=env, check=True, capture_output=True, text=True)
        return out.stdout.strip().splitlines()[-1].split("=", 1)[1]

    def kill() -> None:
        pid = int((tmp_path / "node" / "node.pid").read_text())
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)
        pytest.fail(f"the killed node (pid {pid}) is still there after 60 s")

    yield start, kill
    subprocess.run([script, "stop"], env=env, check=False, capture_output=True)


def test_node_killed_midway(tmp_path, own_node):
    start, kill = own_node
    url = start()
    app = opensearch_app(tmp_path, url, "learncat-")
    fallback_app = opensearch_app(tmp_path, url, "learncat-", SEARCH_FALLBACK="sqlite")
    path = write_csv(tmp_path / "feed.csv", [offer("W1", title_en="MIG welding for beginners")])
    assert harvest(app, path) is RunStatus.SUCCEEDED
    with fallback_app.app_context(), services().sessions() as s:
        from indexer.sync import rebuild
        rebuild(s, services().search)  # fills the fallback index too

    kill()
    response = app.test_client().get("/en/?q=welding")
    assert response.status_code == 503
    assert "Search is temporarily unavailable" in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    api = app.test_client().get("/api/v1/search?q=welding")
    assert api.status_code == 503 and api.mimetype == "application/problem+json"
    served = fallback_app.test_client().get("/api/v1/search?q=welding")
    assert served.status_code == 200 and served.get_json()["total"] == 1

    write_csv(path, [offer("W1", title_en="MIG welding for beginners"),
                     offer("W2", title_en="TIG welding of stainless steel")])
    assert harvest(app, path) is RunStatus.SUCCEEDED  # the catalogue commits regardless
    with app.app_context(), services().sessions() as s:
        assert s.scalar(select(func.count()).where(Opportunity.index_pending.is_(True))) == 1

    # the same data folder: the old index is back (on whichever port the node took this time),
    # and the catch-up sync fills the gap
    app = opensearch_app(tmp_path, start(), "learncat-")
    with app.app_context(), services().sessions() as s:
        from indexer.sync import sync_pending
        assert sync_pending(s, services().search) == (1, 0)
        services().search.refresh()
    data = app.test_client().get("/api/v1/search?q=welding").get_json()
    assert data["total"] == 2
