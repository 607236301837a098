"""The search page's structure for a screen reader, a keyboard and a phone: three small forms with
no results inside them, filter groups with names of their own, filters that fold away, a link
straight to the results, and remove-filter links whose name contains what they show."""
import re
from html.parser import HTMLParser

import pytest

from tests.conftest import ROOT

LANGUAGES = ["en", *sorted(p.parent.parent.name
                           for p in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"))]


class Outline(HTMLParser):
    """Where each element opens: its tag, attributes and the tags it is inside."""

    VOID = {"input", "br", "meta", "link", "img", "hr", "col", "source", "wbr"}

    def __init__(self, page: str):
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.elements: list[tuple[str, dict, tuple[str, ...]]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elements.append((tag, a, tuple(t for t, _ in self.stack)))
        if tag not in self.VOID:
            self.stack.append((tag, a))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break


class LinkNames(HTMLParser):
    """Each remove-filter link's visible words and its accessible name (hidden words included,
    aria-hidden ones not; its aria-label when it has one)."""

    def __init__(self, page: str):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._active = self._link = False
        self._label = None
        self._hidden: list[str] = []  # "sr" (read, not seen) or "aria" (seen, not read)
        self._visible: list[str] = []
        self._name: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and "active" in (a.get("class") or ""):
            self._active = True
        elif tag == "a" and self._active:
            self._link, self._label, self._visible, self._name = True, a.get("aria-label"), [], []
        elif tag == "span" and self._link:
            self._hidden.append("sr" if "visually-hidden" in (a.get("class") or "")
                                else "aria" if a.get("aria-hidden") == "true" else "")

    def handle_endtag(self, tag):
        if tag == "span" and self._hidden:
            self._hidden.pop()
        elif tag == "a" and self._link:
            visible, name = ("".join(t).split() for t in (self._visible, self._name))
            self.links.append((" ".join(visible), self._label or " ".join(name)))
            self._link = False
        elif tag == "section":
            self._active = False

    def handle_data(self, data):
        if self._link:
            if not {"sr", "aria"} & set(self._hidden):  # the decorative × is neither word
                self._visible.append(data)
            if "aria" not in self._hidden:
                self._name.append(data)


def search_page(client, lang="en", **query) -> str:
    response = client.get(f"/{lang}/", query_string={"q": "welding", **query})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def search_forms(page: str, lang: str = "en") -> list[tuple[str, str]]:
    """The forms that search (their opening tag and content), in page order."""
    return [(tag, body) for tag, body in re.findall(r"(<form\b[^>]*>)(.*?)</form>", page, re.S)
            if f'action="/{lang}/"' in tag]


def test_three_forms_and_no_results_inside_any(client):
    page = search_page(client, form="onsite", sort="title")
    forms = search_forms(page)
    assert len(forms) == 3 and 'role="search"' in forms[0][0]
    outline = Outline(page)
    assert not [tag for tag, a, inside in outline.elements
                if tag == "form" and "form" in inside]  # forms never nest
    cards = [inside for tag, a, inside in outline.elements if a.get("class") == "card"]
    assert cards and all("form" not in inside for inside in cards)
    results = next(inside for tag, a, inside in outline.elements if a.get("id") == "results")
    assert "form" not in results


def test_each_form_carries_the_rest_of_the_search(client):
    words, filters, order = (body for _, body in search_forms(
        search_page(client, form="onsite", sort="title")))
    hidden = lambda body: set(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', body))
    assert hidden(words) == {("form", "onsite"), ("sort", "title")}  # the words are typed in
    assert hidden(filters) == {("q", "welding"), ("sort", "title")}  # the boxes are there
    assert hidden(order) == {("q", "welding"), ("form", "onsite")}  # the choice is there
    assert 'name="q"' in words and 'name="form" value="onsite" checked' in filters
    assert 'name="sort"' in order


@pytest.mark.parametrize("lang", ["en", "de", "el"])
def test_every_filter_group_has_a_name_of_its_own(client, lang):
    legends = re.findall(r"<legend>(.*?)</legend>", search_page(client, lang))
    assert len(legends) >= 5 and len(legends) == len(set(legends))


def test_filters_fold_away_and_a_link_leads_straight_to_the_results(client):
    page = search_page(client)
    assert re.search(r'<details class="filters">\s*<summary>Choose filters</summary>', page)
    skip = page.index('<a href="#results">Skip to results</a>')
    assert skip < page.index('<details class="filters">')
    assert '<section class="results" id="results" tabindex="-1"' in page


@pytest.mark.parametrize("lang", LANGUAGES)
def test_remove_filter_links_are_named_with_the_words_they_show(client, lang):
    """WCAG 2.5.3 (label in name): a speech user says what they see."""
    links = LinkNames(search_page(client, lang, form="onsite", eqf="3", ects_min="1",
                                  near="München")).links
    removals = links[:-1]  # the last one is "Clear all filters"
    assert len(removals) == 4
    for visible, name in removals:
        assert visible and visible in name and len(name) > len(visible), (visible, name)
