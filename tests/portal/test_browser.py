"""The core journey in a real browser (Debian's Chromium) with JavaScript switched off:
keyboard first, then search, narrow, open an offer."""
import pytest

# browser and base_url: tests/portal/conftest.py


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
