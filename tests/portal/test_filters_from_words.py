"""Filters read from the words ("data analysis online, EQF 6") are filters like any other:
removable one by one, by a link or by unticking them, without coming back and without turning
the search into a literal one."""
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.datastructures import MultiDict

from indexer import places
from portal.search_service import explicit_args, interpret

WORDS = "data analysis online, EQF 6"


class Forms(HTMLParser):
    """The page's GET forms, each as the fields a browser would submit (hidden inputs, ticked
    boxes, filled text inputs), and the active filters' remove links."""

    def __init__(self, page: str):
        super().__init__()
        self.forms: list[dict] = []
        self.removals: dict[str, str] = {}  # the link's text (hidden words too) -> href
        self._form: dict | None = None
        self._link: tuple[str, list[str]] | None = None
        self._in_active = False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method") == "get":
            self._form = {"class": a.get("class", ""), "role": a.get("role"), "fields": [],
                          "boxes": []}
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None and "form" not in a:
            kind = a.get("type", "text")
            if kind == "checkbox":
                self._form["boxes"].append((a["name"], a["value"], "checked" in a))
            elif a.get("value"):
                self._form["fields"].append((a["name"], a["value"]))
        elif tag == "section" and "active" in a.get("class", ""):
            self._in_active = True
        elif tag == "a" and self._in_active:
            self._link = (a["href"], [])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "section":
            self._in_active = False
        elif tag == "a" and self._link:
            href, text = self._link
            self.removals[" ".join("".join(text).split())] = href
            self._link = None

    def handle_data(self, data):
        if self._link:
            self._link[1].append(data)

    def filters(self, untick: tuple[str, str] | None = None) -> list[tuple[str, str]]:
        """What submitting the filter form sends, with one box unticked."""
        form = next(f for f in self.forms if f["boxes"])
        return form["fields"] + [(name, value) for name, value, ticked in form["boxes"]
                                 if ticked and (name, value) != untick]


def page(client, query) -> Forms:
    response = client.get("/en/", query_string=query)
    assert response.status_code == 200
    return Forms(response.get_data(as_text=True))


def query_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def test_the_words_filters_are_written_out_and_the_words_kept_without_them():
    args = MultiDict([("q", WORDS), ("sort", "title"), ("country", "FR")])
    explicit = explicit_args(args, interpret(WORDS))
    assert explicit.getlist("q") == ["data analysis"]
    assert explicit.getlist("eqf") == ["6"] and explicit.getlist("form") == ["online"]
    assert explicit.getlist("sort") == ["title"] and explicit.getlist("country") == ["FR"]
    assert "literal" not in explicit
    assert interpret(explicit["q"]).filters == {}  # read again, the words name nothing more
    assert explicit_args(args, None) is args  # nothing read from the words: nothing to write out


def test_a_filter_both_given_and_named_is_written_once():
    args = MultiDict([("q", "welding online"), ("form", "online")])
    assert explicit_args(args, interpret("welding online")).getlist("form") == ["online"]


@pytest.mark.parametrize("words, near", [("welding Munich", "Munich"), ("corso a Milano", "Milan")])
def test_a_city_named_in_the_words_becomes_the_near_parameter(words, near):
    explicit = explicit_args(MultiDict([("q", words)]), interpret(words))
    assert explicit["near"] == near and places.lookup(near) == interpret(words).place
    given = explicit_args(MultiDict([("q", words), ("near", "Lyon")]), interpret(words))
    assert given.getlist("near") == ["Lyon"]  # the place the reader chose wins


def test_a_city_whose_name_is_another_citys_is_kept_by_its_coordinates():
    salamanca = places.Place("Salamanca", "ES", 40.96882, -5.66388, 144000)  # a smaller namesake
    assert places.lookup("Salamanca") != salamanca
    interpretation = interpret("cooking")
    interpretation.place = salamanca
    explicit = explicit_args(MultiDict([("q", "cooking")]), interpretation)
    assert "near" not in explicit
    assert (float(explicit["lat"]), float(explicit["lon"])) == (salamanca.lat, salamanca.lon)


def test_each_filter_read_from_the_words_has_a_link_that_removes_only_it(client):
    links = page(client, {"q": WORDS}).removals
    without_level = query_of(links["Remove filter EQF level: EQF 6 ×"])
    without_form = query_of(links["Remove filter Form of participation: Online ×"])
    assert without_level == {"q": ["data analysis"], "form": ["online"]}
    assert without_form == {"q": ["data analysis"], "eqf": ["6"]}
    after = page(client, without_level)  # the link followed: the other filter is still on
    assert set(after.removals) == {"Remove filter Form of participation: Online ×", "Clear all filters"}


def test_unticking_a_filter_read_from_the_words_does_not_bring_it_back(client):
    first = page(client, {"q": WORDS})
    sent = first.filters(untick=("eqf", "6"))
    assert ("q", "data analysis") in sent and ("eqf", "6") not in sent
    after = page(client, sent)
    assert "Remove filter EQF level: EQF 6 ×" not in after.removals
    assert "Remove filter Form of participation: Online ×" in after.removals
    assert ("eqf", "6", True) not in next(f for f in after.forms if f["boxes"])["boxes"]


def test_clearing_all_filters_keeps_the_words_without_the_filter_words(client):
    links = page(client, {"q": WORDS}).removals
    assert query_of(links["Clear all filters"]) == {"q": ["data analysis"]}


def test_a_city_read_from_the_words_is_removable_and_kept_when_another_filter_goes(client):
    links = page(client, {"q": "welding München", "form": "onsite"}).removals
    place = next(text for text in links if "Within 25 km of Munich" in text)
    assert query_of(links[place]) == {"q": ["welding"], "form": ["onsite"]}
    assert query_of(links["Remove filter Form of participation: On site ×"]) == {"q": ["welding"],
                                                                  "near": ["Munich"]}


def test_the_words_left_name_no_filter_once_read():
    """Removing "online" from "on online site" joins "on site": read again until nothing is left,
    so the link that writes the filters out is the same search."""
    found = interpret("on online site")
    assert found.filters == {"form": ["online", "onsite"]} and found.text == ""
    assert interpret("welding EQF 4 online").text == "welding"


def test_a_place_given_keeps_a_city_in_the_words_as_words(client):
    """near=Berlin with "in Munich" in the words: the words stay as they are (no second city
    silently dropped), and every link keeps them."""
    assert interpret("data analysis in Munich", find_place=False).text == \
        "data analysis in Munich"
    api = client.get("/api/v1/search?q=data+analysis+in+Munich&near=Berlin").get_json()
    assert api["query"]["text"] == "data analysis in Munich"
