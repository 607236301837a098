"""The core journey in a real browser (Debian's Chromium) with JavaScript switched off:
keyboard first, then search, narrow, open an offer."""
import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {CHROMIUM} is missing (make test installs it)")
        pytest.skip("Chromium is not installed")
    try:
        from playwright import sync_api
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but Playwright is missing (pip install -e '.[test]')")
        pytest.skip("Playwright is not installed")
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


@pytest.fixture
def page(browser):
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_keyboard_starts_with_the_skip_link(page, base_url):
    page.goto(base_url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    page.wait_for_function("location.hash === '#main'", timeout=5000)


def test_search_narrow_and_open_an_offer_without_javascript(page, base_url):
    page.goto(base_url + "/")
    page.get_by_label("What do you want to learn?").fill("soins infirmiers")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=soins+infirmiers*")
    everything = page.locator("li.card").count()
    assert everything >= 2
    page.get_by_role("checkbox", name="Blended").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**form=blended*")
    cards = page.locator("li.card")
    assert 1 <= cards.count() < everything
    assert all("Blended" in cards.nth(i).inner_text() for i in range(cards.count()))
    assert page.get_by_role("link", name="Remove filter Form of participation: Blended").is_visible()
    cards.first.locator("h3 a").click()
    assert page.locator("h2#annex-title").inner_text() == "Standard elements of a micro-credential"
    assert "mandatory elements stated by the provider" in page.content()
