"""The browser tests' Chromium (Debian's, driven by Playwright) and the demo portal served on a
free loopback port. Missing either is a skip on a developer's machine and a failure under CI=true
(make test installs both)."""
import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def required(what: str, how: str):
    """Skip without ``what``, except under CI=true, where it must be there."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {what} is missing ({how})")
    pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        required(CHROMIUM, "make test installs it")
    try:
        from playwright import sync_api
    except ImportError:
        required("Playwright", "pip install -e '.[test]'")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def base_url(demo_app):
    server = make_server("127.0.0.1", 0, demo_app, threaded=True)  # a free port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
