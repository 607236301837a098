"""Every page type in a real browser (Debian's Chromium): axe-core's WCAG 2.1 A and AA rules in
all 24 languages, nothing wider than a 320 or 375 px phone, a visible focus on every control,
tap targets of 24 px, and a search by keyboard alone.

axe-core comes from npm (package.json; `make axe`); like Chromium, a missing one skips here and
fails under CI=true. One browser and one page serve each test's pages, one after another."""
import os
from functools import reduce
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from catalogue import workspace
from catalogue.models import Opportunity, Status
from catalogue.workspace import Shortlist, ShortlistItem
from portal import opendata
from portal.services import services
from tests.conftest import ROOT
from tests.portal.conftest import required

AXE = Path(os.environ.get("AXE_CORE", ROOT / "node_modules" / "axe-core" / "axe.min.js"))
LANGUAGES = ["en", *sorted(p.parent.parent.name
                           for p in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"))]
# WCAG 2.1 A and AA, and two rules for what an audit found: a remove-filter button whose name
# lacked its visible text (label in name, an axe rule still marked experimental) and tap targets
# under 24 px (WCAG 2.2's 2.5.8)
AXE_OPTIONS = {"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"],
               "rules": {"label-content-name-mismatch": {"enabled": True},
                         "target-size": {"enabled": True}},
               "resultTypes": ["violations"]}
# the page types, as (name, address, status); {lang}, {offer}, {other}, {retired} and {token}
# (a shortlist of the two offers) are filled in
PAGES = [
    ("search with results", "/{lang}/?q=welding&form=onsite", 200),
    ("search with no results", "/{lang}/?ects_min=900", 200),
    ("offer", "/{lang}/opportunities/{offer}", 200),
    ("retired offer", "/{lang}/opportunities/{retired}", 410),
    ("provider", "/{lang}/providers/hogeschool-maasdelta", 200),
    ("harvests", "/{lang}/providers/hogeschool-maasdelta/harvests", 200),
    ("operator sign-in", "/operator/login?lang={lang}", 200),
    ("shortlist", "/{lang}/shortlists/{token}", 200),
    ("comparison", "/{lang}/compare?id={offer}&id={other}", 200),
    ("offer handout", "/{lang}/opportunities/{offer}/handout.html", 200),
    ("shortlist handout", "/{lang}/shortlists/{token}/handout.html", 200),
    ("error 404", "/{lang}/no-such-page", 404),
    ("guided search", "/{lang}/guided", 200),
    ("guided search answered", "/{lang}/guided?q=welding&hours_max=40&form=online&near=Lyon"
     "&radius_km=50&online=include&eqf=5&price=free&funding=ila&starts_within=4&language=de",
     200),
    ("guided search asked again", "/{lang}/guided?go=1&near=Atlantis&form=onsite", 200),
    ("open data", "/{lang}/open-data", 200),
]
# a document wider than the screen, and the elements that stick out (for the message)
OVERFLOW = """() => {
  const width = innerWidth, out = [];
  for (const e of document.body.querySelectorAll('*')) {
    const box = e.getBoundingClientRect();
    if (box.right > width + 0.5 && box.width && !e.closest('.table-scroll, .visually-hidden'))
      out.push(`${e.tagName.toLowerCase()}.${e.className}: ${Math.round(box.right)} px`);
  }
  return {scroll: document.documentElement.scrollWidth, width, out: out.slice(0, 5)};
}"""
# the focused control's outline, and the colour it is drawn on (the nearest opaque background)
FOCUS = """() => {
  const e = document.activeElement, style = getComputedStyle(e);
  let behind = e.parentElement, background = 'rgb(255, 255, 255)';
  for (; behind; behind = behind.parentElement) {
    const colour = getComputedStyle(behind).backgroundColor;
    if (colour !== 'transparent' && !colour.endsWith(', 0)')) { background = colour; break; }
  }
  return {what: e.outerHTML.slice(0, 90), tag: e.tagName.toLowerCase(), type: e.type || '',
          style: style.outlineStyle, width: parseFloat(style.outlineWidth),
          colour: style.outlineColor, background};
}"""
# controls smaller than 24 by 24 px (links inside running text are exempt in WCAG 2.5.8)
SMALL = """() => [...document.querySelectorAll(
    'input:not([type=hidden]), select, button, summary, .languages a, .active a, .pagination a,'
    + ' .to-results a, .actions a')]
  .filter(e => e.getClientRects().length)
  .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect()])
  .filter(([, box]) => box.width < 24 || box.height < 24)
  .map(([what, box]) => `${what} ${Math.round(box.width)}x${Math.round(box.height)}`)"""


# the pages are the same on either database: the browser sees them on the embedded one
embedded = pytest.mark.parametrize("demo_app", ["sqlite"], indirect=True)


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        required(f"axe-core ({AXE})", "make axe installs it from npm")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def site(demo_app, base_url):
    """The page types' addresses: the operator's sign-in open and one offer retired for the
    module's time (both put back afterwards: the demo portal is shared)."""
    config = {"OPERATOR_USER": "ops", "OPERATOR_PASSWORD_HASH": generate_password_hash("pw")}
    before = {key: demo_app.config[key] for key in config}
    demo_app.config.update(config)
    with demo_app.app_context(), services().sessions() as s:
        offer, other, retired = (
            s.scalar(select(Opportunity.id).where(Opportunity.remote_id == rid))
            for rid in ("HWK-SCHW-01", "HWK-SCHW-02", "HWK-SCHW-03"))
        s.get(Opportunity, retired).status = Status.RETIRED  # not marked for the index
        shortlist, token = workspace.create(s, "Welding for A.")
        shortlist.items = [ShortlistItem(opportunity_id=i, title=s.get(Opportunity, i).title)
                           for i in (offer, other)]
        s.commit()
    opendata.refresh(demo_app)  # the open-data page with its table of files
    filled = {"{offer}": offer, "{other}": other, "{retired}": retired, "{token}": token}
    yield [(name, base_url + reduce(lambda a, kv: a.replace(kv[0], str(kv[1])),
                                    filled.items(), path), status)
           for name, path, status in PAGES]
    with demo_app.app_context(), services().sessions() as s:
        s.get(Opportunity, retired).status = Status.ACTIVE
        s.delete(s.get(Shortlist, shortlist.id))
        s.commit()
    demo_app.config.update(before)


@pytest.fixture(scope="module")
def checked_page(browser, axe_source):
    """One page for the axe runs, with axe-core in every document it opens."""
    context = browser.new_context()
    context.add_init_script(script=axe_source)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def plain_page(browser):
    """One page without JavaScript, as the portal is meant to work."""
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def visit(page, url: str, status: int, lang: str | None = None):
    response = page.goto(url)
    assert response.status == status, url
    if lang:
        assert page.evaluate("document.documentElement.lang") == lang, url


@embedded
@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_wcag_a_or_aa_violations_on_any_page(checked_page, site, lang):
    found = []
    for name, url, status in site:
        visit(checked_page, url.replace("{lang}", lang), status, lang)
        result = checked_page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
        found += [f"{name}: {v['id']} ({v['help']}) at {[n['target'] for n in v['nodes'][:3]]}"
                  for v in result["violations"]]
    assert found == []


@embedded
@pytest.mark.parametrize("width", [320, 375])
def test_nothing_is_wider_than_a_phone(plain_page, site, width):
    plain_page.set_viewport_size({"width": width, "height": 800})
    wider = []
    for lang in LANGUAGES:
        for name, url, status in site:
            visit(plain_page, url.replace("{lang}", lang), status)
            seen = plain_page.evaluate(OVERFLOW)
            if seen["scroll"] > seen["width"]:
                wider.append(f"{lang} {name}: {seen['scroll']} px {seen['out']}")
    assert wider == []


def contrast(first: str, second: str) -> float:
    """WCAG's contrast ratio of two CSS rgb()/rgba() colours (opaque ones)."""
    def luminance(colour: str) -> float:
        channels = [float(c) / 255 for c in colour[colour.index("(") + 1:-1].split(",")[:3]]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_helper_matches_wcag():
    assert round(contrast("rgb(255, 255, 255)", "rgb(0, 0, 0)"), 1) == 21.0
    assert round(contrast("rgb(255, 191, 71)", "rgb(255, 255, 255)"), 1) == 1.6  # the old focus


@embedded
@pytest.mark.parametrize("width", [1280, 375])
def test_every_control_shows_its_focus_with_3_to_1_contrast(plain_page, site, width):
    """WCAG 1.4.11 and 2.4.7, by keyboard: every stop of the Tab order on the search page (its
    date fields, boxes, select and buttons; on a phone the filters' toggle) and on the sign-in
    page."""
    plain_page.set_viewport_size({"width": width, "height": 800})
    seen, weak = set(), []
    for name, url, status in site:
        if name not in ("search with results", "operator sign-in"):
            continue
        visit(plain_page, url.replace("{lang}", "en"), status)
        for _ in range(400):
            plain_page.keyboard.press("Tab")
            focus = plain_page.evaluate(FOCUS)
            if focus["tag"] == "body":  # round the page once
                break
            seen.add(focus["type"] if focus["tag"] == "input" else focus["tag"])
            ratio = contrast(focus["colour"], focus["background"])
            if focus["style"] == "none" or focus["width"] < 2 or ratio < 3:
                weak.append(f"{focus['what']}: {focus['style']} {focus['width']} px, {ratio:.1f}:1")
    assert weak == []
    wanted = {"a", "button", "search", "text", "password", "select"}
    wanted |= {"date", "checkbox"} if width > 800 else {"summary"}  # folded away on a phone
    assert wanted <= seen


@embedded
@pytest.mark.parametrize("width", [1280, 375])
def test_controls_are_at_least_24_px(plain_page, site, width):
    plain_page.set_viewport_size({"width": width, "height": 800})
    small = []
    for name, url, status in site:
        visit(plain_page, url.replace("{lang}", "de"), status)
        if plain_page.locator("details.filters summary").is_visible():
            plain_page.locator("details.filters summary").click()  # the folded filters too
        small += [f"{name}: {what}" for what in plain_page.evaluate(SMALL)]
    assert small == []


def tab_to(page, condition: str, most: int = 80) -> int:
    """Press Tab until ``condition`` (JavaScript, of document.activeElement as ``e``) holds;
    how many presses it took."""
    for presses in range(1, most + 1):
        page.keyboard.press("Tab")
        if page.evaluate(f"(e => Boolean({condition}))(document.activeElement)"):
            return presses
    raise AssertionError(f"{condition} not reached in {most} presses of Tab")


@embedded
@pytest.mark.parametrize("width", [1280, 375])
def test_search_filter_and_reach_the_first_result_by_keyboard(plain_page, base_url, width):
    page = plain_page
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(base_url + "/en/")
    tab_to(page, "e.id === 'q'")
    page.keyboard.type("welding")
    page.keyboard.press("Enter")
    page.wait_for_url("**/en/?q=welding")
    if width < 800:  # on a phone the filters are folded: open them from the keyboard
        tab_to(page, "e.tagName === 'SUMMARY'")
        page.keyboard.press("Enter")
    tab_to(page, "e.name === 'form' && e.type === 'checkbox'")
    form = page.evaluate("document.activeElement.value")
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.checked")
    tab_to(page, "e.classList.contains('apply')")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/en/?q=welding&form={form}&*")  # and the empty fields
    first = page.locator("li.card h3 a").first.get_attribute("href")
    assert page.locator("li.card").count() >= 1
    tab_to(page, "e.getAttribute('href') === '#results'", most=40)
    page.keyboard.press("Enter")
    assert tab_to(page, "e.matches('li.card h3 a')", most=3)  # past the sort order only
    assert page.evaluate("document.activeElement.getAttribute('href')") == first
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url.endswith(first))  # (the link carries its search back)
