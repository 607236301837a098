"""The public surface: headers on every kind of answer, compression, validators, size limits, the
files at the root, and a fuzz of every route with hostile query strings (Hypothesis)."""
import gzip
import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import select

from catalogue.models import Opportunity, Provider, Status
from portal.pages import KEPT
from portal.services import services

HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=()",
}


@pytest.fixture(scope="module")
def ids(demo_app):
    with demo_app.app_context(), services().sessions() as s:
        offer = s.scalar(select(Opportunity.id).where(Opportunity.status == Status.ACTIVE).limit(1))
        slug = s.scalar(select(Provider.slug).limit(1))
    return {"offer": offer, "slug": slug}


def kinds(ids) -> dict[str, tuple[str, int]]:
    return {
        "search page": ("/en/?q=welding", 200), "offer page": (f"/de/opportunities/{ids['offer']}", 200),
        "provider page": (f"/fr/providers/{ids['slug']}", 200),
        "harvests page": (f"/fr/providers/{ids['slug']}/harvests", 200),
        "missing page": ("/en/opportunities/0", 404), "bad search": ("/en/?eqf=12", 400),
        "API search": ("/api/v1/search?q=welding", 200),
        "API offer": (f"/api/v1/opportunities/{ids['offer']}", 200),
        "API problem": ("/api/v1/search?eqf=12", 400), "API autocomplete": ("/api/v1/autocomplete?q=we", 200),
        "robots": ("/robots.txt", 200), "favicon": ("/favicon.ico", 200),
        "sitemap index": ("/sitemap.xml", 200), "sitemap": ("/sitemaps/en-1.xml", 200),
        "change feed": ("/de/feed.atom?q=welding", 200), "API docs": ("/en/api", 200),
        "OpenAPI": ("/api/v1/openapi.json", 200), "API providers": ("/api/v1/providers", 200),
        "compare": ("/en/compare?id=1", 400), "unknown shortlist": ("/en/shortlists/nope", 404),
    }


def test_every_kind_of_answer_carries_the_security_headers(client, ids):
    for kind, (url, status) in kinds(ids).items():
        response = client.get(url)
        assert response.status_code == status, kind
        for name, part in HEADERS.items():
            assert part in response.headers.get(name, ""), (kind, name)
        assert "Werkzeug" not in response.headers.get("Server", "") and \
            "Python" not in response.headers.get("Server", ""), kind
        assert "Strict-Transport-Security" not in response.headers, kind  # plain http here


def test_hsts_is_sent_over_https(client):
    response = client.get("/en/", base_url="https://learncat.example")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


def test_the_policy_allows_no_inline_script_and_pages_need_none(client, ids):
    policy = client.get("/en/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    page = client.get(f"/en/opportunities/{ids['offer']}").get_data(as_text=True)
    # the one script element is schema.org data (JSON-LD), which browsers never run
    assert re.findall(r"<script[^>]*>", page) == ['<script type="application/ld+json">']
    assert not re.search(r"\sstyle=|\son[a-z]+=", page)


def test_pages_and_json_are_compressed(client):
    for url in ("/en/?q=welding", "/api/v1/search?q=welding"):
        plain = client.get(url)
        packed = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert packed.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(packed.data) == plain.data
        assert len(packed.data) * 3 < len(plain.data)


def test_answers_are_validated_with_etags(client, ids):
    for url in ("/en/?q=welding", f"/api/v1/opportunities/{ids['offer']}"):
        first = client.get(url)
        assert first.headers["Cache-Control"] == "no-cache" and first.headers["ETag"]
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""
        other = client.get(url, headers={"If-None-Match": '"something-else"'})
        assert other.status_code == 200


def test_the_stylesheet_has_a_fingerprinted_address_kept_for_a_year(client):
    page = client.get("/en/").get_data(as_text=True)
    (href,) = re.findall(r'href="(/static/style\.css\?v=[0-9a-f]{12})"', page)
    response = client.get(href)
    assert response.status_code == 200 and "max-age=31536000" in response.headers["Cache-Control"]


def test_the_operator_pages_are_never_stored(client):
    response = client.get("/operator/login")
    assert "no-store" in response.headers.get("Cache-Control", "") or response.status_code == 404


def test_a_request_larger_than_a_form_is_refused(client):
    response = client.post("/operator/login", data=b"x" * (2 * 1024 * 1024),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413


def test_the_files_search_engines_and_browsers_ask_for_are_there(client):
    robots = client.get("/robots.txt")
    assert robots.mimetype == "text/plain" and "Disallow: /operator/" in robots.get_data(as_text=True)
    assert "Sitemap: http://localhost/sitemap.xml" in robots.get_data(as_text=True)
    icon = client.get("/favicon.ico")
    assert icon.mimetype == "image/svg+xml" and icon.data.startswith(b"<svg")


@pytest.mark.parametrize("url, status", [
    ("/en/?page=" + "9" * 5000, 400), ("/en/?per_page=" + "9" * 5000, 400),
    ("/api/v1/autocomplete?q=a&size=" + "9" * 5000, 400),
    ("/en/opportunities/" + str(2**63), 404), ("/api/v1/opportunities/" + "9" * 40, 404),
    ("/en/?_anchor=x", 200), ("/en/?_external=1", 200), ("/en/?_method=POST", 200),
    ("/en/?endpoint=x", 200), ("/?endpoint=x", 302), ("/?lang=x", 302),
])
def test_huge_numbers_and_reserved_names_are_no_500(client, ids, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert response.data.count(b"9" * 1000) <= 1  # the language links do not repeat a huge parameter


def test_reserved_names_on_an_offer_page_are_ignored(client, ids):
    for key in ("endpoint=x", "_scheme=javascript", "opportunity_id=abc", "_anchor=x"):
        assert client.get(f"/en/opportunities/{ids['offer']}?{key}").status_code == 200


# -- fuzz ------------------------------------------------------------------------------------

NAMES = [*KEPT, "page", "lang", "endpoint", "_external", "_anchor", "_scheme", "_method",
         "opportunity_id", "slug", "size", "updated_since", "q[]", "", "%", "\u0000"]
VALUES = st.one_of(
    st.text(max_size=40), st.sampled_from(["", "-1", "0", "1e309", "nan", "9" * 5000, "²", "٣",
                                            "\ud800", "%ED%A0%80", "%FF", "a" * 3000, "2027-02-30",
                                            "0x10", " 5 ", "1,5", "∞", "<script>", "../../etc"]),
    st.integers(min_value=-2**70, max_value=2**70).map(str))


def query(pairs) -> str:
    def encode(text: str) -> str:
        if text.startswith("%"):
            return text  # already percent-encoded bytes (invalid UTF-8 on purpose)
        return quote(text.encode("utf-8", "surrogatepass"), safe="")
    return "&".join(f"{encode(k)}={encode(v)}" for k, v in pairs)


def routes(ids) -> list[str]:
    return ["/", "/en/", "/el/", f"/pl/opportunities/{ids['offer']}", f"/en/providers/{ids['slug']}",
            f"/en/providers/{ids['slug']}/harvests", "/api/v1/search", "/api/v1/autocomplete",
            f"/api/v1/opportunities/{ids['offer']}", "/operator/login", "/xx/", "/en/nope",
            "/en/feed.atom", "/fr/embed", "/api/v1/providers", f"/api/v1/providers/{ids['slug']}",
            "/api/v1/openapi.json", "/de/api", "/en/compare", "/en/shortlist"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.integers(min_value=0, max_value=19),
       pairs=st.lists(st.tuples(st.sampled_from(NAMES) | st.text(max_size=8), VALUES), max_size=6))
def test_no_query_string_makes_any_route_fail(client, ids, route, pairs):
    url = f"{routes(ids)[route]}?{query(pairs)}"
    response = client.get(url)
    assert response.status_code < 500, url
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and "File \"/" not in body, url
    if url.startswith("/api/") and response.status_code >= 400:
        assert response.mimetype == "application/problem+json", url


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.text(min_size=1, max_size=30))
def test_no_path_makes_the_portal_fail(client, path):
    # (a leading "//" would make the test client read a host name out of the path)
    response = client.get("/" + quote(path.encode("utf-8", "surrogatepass"), safe="/").lstrip("/"))
    assert response.status_code < 500
