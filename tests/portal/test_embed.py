"""The embeddable search: the only pages another site may frame; presets stay through a new
search; every link leaves the frame for the full portal with the same search."""
import re
from urllib.parse import parse_qs, urlsplit

import pytest


def page(client, url):
    response = client.get(url)
    return response, response.get_data(as_text=True)


def test_only_the_embed_pages_may_be_framed(client):
    response, _ = page(client, "/en/embed?price=free")
    assert response.status_code == 200
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
    assert "Set-Cookie" not in response.headers  # nothing to remember, nothing to act on
    for other in ("/en/", "/en/opportunities/1", "/en/feed.atom", "/operator/login"):
        headers = client.get(other).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], other
        assert headers["X-Frame-Options"] == "DENY", other


def test_presets_hold_through_a_new_search_and_match_the_api(client):
    response, html = page(client, "/de/embed?price=free&form=online&q=Datenanalyse")
    assert re.search(r'<input type="hidden" name="price" value="free">', html)
    assert re.search(r'<input type="hidden" name="form" value="online">', html)
    assert 'name="q" type="search" value="Datenanalyse"' in html
    shown = [int(i) for i in re.findall(r'href="http://localhost/de/opportunities/(\d+)"', html)]
    api = client.get("/api/v1/search?price=free&form=online&q=Datenanalyse&per_page=10").get_json()
    assert shown == [r["id"] for r in api["results"]] and shown
    assert all(r["price"] == 0 and r["form"] == "online" for r in api["results"])


def test_links_leave_the_frame_for_the_same_search_on_the_portal(client):
    _, html = page(client, "/fr/embed?price=free&q=welding&page=1")
    assert '<base target="_blank">' in html
    assert re.search(r'<form [^>]*action="/fr/embed" target="_self"', html)
    everything = re.search(r'<p><a href="([^"]+)" rel="noopener">', html)[1].replace("&amp;", "&")
    url = urlsplit(everything)
    assert url.path == "/fr/" and parse_qs(url.query) == {"price": ["free"], "q": ["welding"]}
    assert "languages" not in html and "<footer" not in html  # no site chrome in a frame


@pytest.mark.parametrize("query", ["eqf=12", "page=0", "per_page=99999", "sort=cheapest",
                                   "updated_since=soon"])
def test_a_bad_preset_is_a_400_page_not_a_500(client, query):
    response = client.get(f"/en/embed?{query}")
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)
