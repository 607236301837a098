"""The public surface: headers on every kind of answer, compression, validators, size limits, the
files at the root, and a fuzz of every rule of the URL map with hostile paths, query strings and
forms (Hypothesis)."""
import gzip
import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import select
from werkzeug.security import generate_password_hash
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from catalogue import dumps, workspace
from catalogue.models import HarvestRun, Opportunity, Provider, Status
from portal import api, create_app, opendata, search_service
from portal.pages import KEPT
from portal.services import services

HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=()",
}
OPERATOR = {"user": "ops", "password": "surface-s3cret"}
OPERATOR_HASH = generate_password_hash(OPERATOR["password"])


def csrf(client, path: str = "/en/") -> str:
    """The CSRF token of the client's session, read from a page's form as a browser would."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.fixture(scope="module")
def ids(demo_app):
    """Real values for the path variables: two active offers and a withdrawn one (when the demo
    has one), a provider, a harvest run, and a shortlist holding an offer and a saved search,
    made here through the forms as a counsellor makes them."""
    with demo_app.app_context(), services().sessions() as s:
        offers = s.scalars(select(Opportunity.id).where(Opportunity.status == Status.ACTIVE)
                           .order_by(Opportunity.id).limit(2)).all()
        retired = s.scalar(select(Opportunity.id).where(Opportunity.status == Status.RETIRED)
                           .limit(1))
        slug = s.scalar(select(Provider.slug).order_by(Provider.slug).limit(1))
        run = s.scalar(select(HarvestRun.id).order_by(HarvestRun.id).limit(1))
    counsellor = demo_app.test_client()
    added = counsellor.post("/en/shortlist/items", data={"csrf_token": csrf(counsellor),
                                                         "opportunity": offers[0]})
    saved = counsellor.post("/en/shortlist/searches", data={
        "csrf_token": csrf(counsellor), "name": "welding", "query": "q=welding&eqf=3"})
    assert added.status_code == saved.status_code == 303
    with counsellor.session_transaction() as cookie:
        token = cookie["shortlist"]
    with demo_app.app_context(), services().sessions() as s:
        search = s.scalar(select(workspace.SavedSearch.id).join(workspace.Shortlist)
                          .where(workspace.Shortlist.token_hash == workspace.digest(token)))
    assert offers and slug and run and search
    assert opendata.refresh(demo_app) is not None  # the open-data files, to download
    return {"offer": offers[0], "other_offer": offers[1], "retired": retired, "slug": slug,
            "run": run, "token": token, "search": search}


@pytest.fixture
def operator(demo_app, monkeypatch):
    """A client signed in as the operator. The demo portal has an operator account for the
    length of one test only: every other test sees it as it is by default, without one."""
    monkeypatch.setitem(demo_app.config, "OPERATOR_USER", OPERATOR["user"])
    monkeypatch.setitem(demo_app.config, "OPERATOR_PASSWORD_HASH", OPERATOR_HASH)
    client = demo_app.test_client()
    form = {**OPERATOR, "csrf_token": csrf(client, "/operator/login")}
    signed_in = client.post("/operator/login", data=form)
    assert signed_in.status_code == 302
    return client


def kinds(ids) -> dict[str, tuple[str, int]]:
    offer, token, slug = ids["offer"], ids["token"], ids["slug"]
    return {
        "search page": ("/en/?q=welding", 200), "offer page": (f"/de/opportunities/{offer}", 200),
        "provider page": (f"/fr/providers/{slug}", 200),
        "harvests page": (f"/fr/providers/{slug}/harvests", 200),
        "missing page": ("/en/opportunities/0", 404), "bad search": ("/en/?eqf=12", 400),
        "API search": ("/api/v1/search?q=welding", 200),
        "API offer": (f"/api/v1/opportunities/{offer}", 200),
        "API problem": ("/api/v1/search?eqf=12", 400), "API autocomplete": ("/api/v1/autocomplete?q=we", 200),
        "robots": ("/robots.txt", 200), "favicon": ("/favicon.ico", 200),
        "sitemap index": ("/sitemap.xml", 200), "sitemap": ("/sitemaps/en-1.xml", 200),
        "change feed": ("/de/feed.atom?q=welding", 200), "API docs": ("/en/api", 200),
        "OpenAPI": ("/api/v1/openapi.json", 200), "API providers": ("/api/v1/providers", 200),
        "compare": ("/en/compare?id=1", 400), "unknown shortlist": ("/en/shortlists/nope", 404),
        "shortlist": (f"/en/shortlists/{token}", 200),
        "offer handout": (f"/en/opportunities/{offer}/handout.html", 200),
        "offer handout PDF": (f"/en/opportunities/{offer}/handout.pdf", 200),
        "shortlist handout": (f"/en/shortlists/{token}/handout.html", 200),
        "shortlist handout PDF": (f"/en/shortlists/{token}/handout.pdf?client_lang=de", 200),
        "CSV export": ("/api/v1/search.csv?q=welding", 200),
        "JSON-LD export": (f"/api/v1/opportunities/{offer}.jsonld", 200),
        "operator sign-in": ("/operator/login", 200), "operator sources": ("/operator/", 200),
        "operator run": (f"/operator/runs/{ids['run']}", 200),
    }


def test_every_kind_of_answer_carries_the_security_headers(operator, ids):
    """Signed in as the operator, so that the operator's pages are among the kinds."""
    for kind, (url, status) in kinds(ids).items():
        response = operator.get(url)
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


def test_the_operator_pages_are_never_stored(operator, ids):
    for url in ("/operator/login", "/operator/", f"/operator/runs/{ids['run']}"):
        response = operator.get(url)
        assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"], url


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
    # the documented bounds are refused beyond, not clamped (search_service.MAX_PAGE, MAX_PER_PAGE)
    (f"/en/?page={search_service.MAX_PAGE}", 200),
    (f"/en/?page={search_service.MAX_PAGE + 1}", 400),
    (f"/en/?per_page={search_service.MAX_PER_PAGE}", 200),
    (f"/en/?per_page={search_service.MAX_PER_PAGE + 1}", 400),
])
def test_huge_numbers_and_reserved_names_are_no_500(client, ids, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert response.data.count(b"9" * 1000) <= 1  # the language links do not repeat a huge parameter


def test_reserved_names_on_an_offer_page_are_ignored(client, ids):
    for key in ("endpoint=x", "_scheme=javascript", "opportunity_id=abc", "_anchor=x"):
        assert client.get(f"/en/opportunities/{ids['offer']}?{key}").status_code == 200


@pytest.mark.parametrize("url, param", [
    ("/api/v1/search?funder=ila", "funder"), ("/api/v1/search?_anchor=x", "_anchor"),
    ("/api/v1/search?eqf=12", "eqf"), ("/api/v1/search?page=" + "9" * 5000, "page"),
    ("/api/v1/search?per_page=0", "per_page"),
    ("/api/v1/search?start_from=2027-02-30", "start_from"),
    ("/api/v1/search.csv?page=0", "page"), ("/api/v1/search.csv?sort=nope", "sort"),
    ("/api/v1/providers?per_page=" + "9" * 5000, "per_page"),
    ("/api/v1/autocomplete?q=we&size=0", "size"), ("/api/v1/opportunities/{offer}?q=x", "q"),
    ("/api/v1/opportunities/{offer}.jsonld?endpoint=x", "endpoint"),
])
def test_a_bad_api_parameter_is_a_problem_that_names_it(client, ids, url, param):
    response = client.get(url.format(**ids))
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 400 and body["title"]
    assert param in [error["param"] for error in body["errors"]]


@pytest.mark.parametrize("sent", [{"form": "é"}, {"form": "\u221e" * 43}, {"form": "\U0001F600"},
                                  {"header": "é"}, {"form": "x", "header": "\xff"}])
def test_a_csrf_token_of_any_characters_is_refused_as_wrong(client, operator, sent):
    """A forged token is a 400, whatever its characters (a browser sends any text a page puts
    in the form), for a visitor's session and for the operator's."""
    for who in (client, operator):
        form = {"csrf_token": sent["form"]} if "form" in sent else {}
        headers = {"X-CSRF-Token": sent["header"]} if "header" in sent else {}
        response = who.post("/en/shortlists", data=form, headers=headers)
        assert response.status_code == 400, sent


# -- fuzz ------------------------------------------------------------------------------------
# Every rule of the URL map, its variables filled with real values from the demo catalogue and
# with hostile ones, a hostile query string (GET) or form (POST). What is knowable is asserted
# (see ``expected``); everything else must at least be a sound answer (see ``assert_sound``).


def url_rules() -> list[tuple[str, str, str]]:
    """(method, rule, endpoint) of every rule of the portal's URL map, read from a portal made
    as the demo's is (on an empty in-memory catalogue; the rules do not depend on the data): a
    route added later is fuzzed without anyone touching this file."""
    app = create_app({"DATABASE_URL": "sqlite://", "SEARCH_SQLITE_PATH": ":memory:",
                      "TESTING": True})
    return sorted((method, rule.rule, rule.endpoint) for rule in app.url_map.iter_rules()
                  for method in rule.methods - {"HEAD", "OPTIONS"})


RULES = url_rules()
VARIABLE = re.compile(r"<(?:[^<>:]+:)?(\w+)>")  # <lang>, <id:opportunity_id>, <any(pdf, html):kind>
REAL, MISSING, MALFORMED, ODD = "real", "missing", "malformed", "odd"
SCRIPT, SVG = "<script>alert(1)</script>", '"><svg onload=alert(1)>'
SURROGATE = "%ED%A0%80"  # a lone surrogate, percent-encoded: bytes that are not UTF-8
HUGE = "9" * 5000  # beyond Python's 4,300 digits for int()


# the path variables path_values has real values for
VARIABLES = ("lang", "opportunity_id", "slug", "token", "kind", "search_id", "run_id", "part",
             "filename", "name")


def segment(text: str) -> str:
    return quote(text, safe="")


def path_values(name: str, ids: dict) -> list[tuple[str, str]]:
    """(value as written in the URL, what it is) for a path variable. REAL: from the demo
    catalogue. MISSING: of the right form, naming nothing (a 404 from the view). MALFORMED: what
    the route's converter refuses (a 404 from the router). ODD: no answer to expect but a sound
    one. A variable no rule had when this was written gets the ODD hostile values."""
    words = [("nope", MISSING), (segment("<script>alert(1)"), MISSING), (segment(SVG), MISSING),
             (SURROGATE, MISSING), ("%00", MISSING), ("x" * 3000, MISSING),
             (segment(SCRIPT), MALFORMED)]  # its "/" (even as %2F) ends the path segment
    numbers = [("0", MISSING), (str(2**63 - 1), MISSING), (str(2**63), MALFORMED),
               (HUGE, MALFORMED), ("-1", MALFORMED), ("abc", MALFORMED), ("1.5", MALFORMED),
               (SURROGATE, MALFORMED), (segment(SCRIPT), MALFORMED)]
    real = {"lang": ["en", "el", "pl"], "opportunity_id": [ids["offer"], ids["retired"]],
            "slug": [ids["slug"]], "token": [ids["token"]], "kind": ["html", "pdf"],
            "search_id": [ids["search"]], "run_id": [ids["run"]], "part": [1],
            "filename": ["style.css"], "name": list(dumps.FILES.values())}
    hostile = {
        "lang": [("xx", MISSING), ("EN", MISSING), *words],
        "opportunity_id": [(f"0{ids['offer']}", ODD), *numbers],
        "slug": words, "token": [("A" * 32, MISSING), *words], "search_id": numbers,
        "run_id": numbers,
        "kind": [("exe", MALFORMED), (segment(SCRIPT), MALFORMED), ("PDF", ODD)],
        "part": [("0", MISSING), ("2", MISSING), (str(2**63), MISSING), (HUGE, MALFORMED),
                 ("-1", MALFORMED), ("x", MALFORMED)],
        "name": [("dumps.json", MISSING), (".lock", MISSING), ("..%2Flearncat.sqlite", MISSING),
                 *words],
        "filename": [("nope.css", MISSING), ("../../etc/passwd", MISSING),
                     ("..%2F..%2Fetc%2Fpasswd", MISSING), (SURROGATE, MISSING), ("%00", MISSING)],
    }
    if name not in VARIABLES:
        return [("1", ODD), ("x", ODD), (segment(SCRIPT), ODD), (SURROGATE, ODD), (HUGE, ODD),
                ("x" * 3000, ODD)]
    return [(segment(str(v)), REAL) for v in real[name] if v is not None] + hostile[name]


def fill(rule: str, values: dict[str, str]) -> str:
    return VARIABLE.sub(lambda m: values[m[1]], rule)


NAMES = [*KEPT, "page", "lang", "endpoint", "_external", "_anchor", "_scheme", "_method", "values",
         "opportunity_id", "slug", "token", "kind", "part", "filename", "run_id", "search_id",
         "client_lang", "results", "next", "id", "differing", "csrf_token", "size",
         "updated_since", "q[]", "", "%", "\u0000"]
FORM_NAMES = ["csrf_token", "opportunity", "name", "query", "next", "user", "password", "id"]
VALUES = st.one_of(
    st.text(max_size=40), st.sampled_from([
        "", "-1", "0", "1e309", "nan", HUGE, "²", "٣", "\ud800", SURROGATE, "%FF", "%00", "\x00",
        "a\x00b", "a" * 3000, "x" * 20_000, "2027-02-30", "0x10", " 5 ", "1,5", "∞", SCRIPT, SVG,
        "javascript:alert(1)", "//evil.example/", "../../etc", "é"]),
    st.integers(min_value=-2**70, max_value=2**70).map(str))


def repeated(names) -> st.SearchStrategy:
    """Pairs of a name and a hostile value, each sent one to three times in a row."""
    pair = st.tuples(st.sampled_from(names) | st.text(max_size=8), VALUES)
    return st.lists(st.tuples(pair, st.integers(1, 3)), max_size=5).map(
        lambda runs: [p for p, times in runs for _ in range(times)])


def query(pairs) -> str:
    def encode(text: str) -> str:
        if text.startswith("%"):
            return text  # already percent-encoded bytes (invalid UTF-8 on purpose)
        return quote(text.encode("utf-8", "surrogatepass"), safe="")
    return "&".join(f"{encode(k)}={encode(v)}" for k, v in pairs)


PAGE_SEARCHES = {"pages.search", "pages.provider", "embed.search", "feeds.search_feed"}
# the API's endpoints that read every search parameter (search, its CSV, ...)
API_SEARCHES = {e for e, reads in api.PARAMETERS.items() if set(search_service.PARAMETERS) <= reads}
SEARCHES = frozenset(PAGE_SEARCHES | API_SEARCHES)
PAGED = SEARCHES | {"api.providers"}


@dataclass(frozen=True)
class Defect:
    """A parameter sent first (so that it is the value ``args.get`` reads), which the
    endpoints named refuse with 400; ``ignored``: a name no page reads, which the API refuses
    and a page must answer as if it were not there."""
    name: str
    value: str
    endpoints: frozenset = frozenset()
    ignored: bool = False


DEFECTS = [
    *(Defect(name, value, PAGED) for name in ("page", "per_page")
      for value in ("0", "-1", HUGE, "1e3")),
    Defect("page", str(search_service.MAX_PAGE + 1), PAGED),
    Defect("per_page", str(search_service.MAX_PER_PAGE + 1), PAGED),
    Defect("eqf", "12", SEARCHES), Defect("ects_min", "-1", SEARCHES),
    Defect("ects_min", "nan", SEARCHES), Defect("start_from", "2027-02-30", SEARCHES),
    Defect("updated_since", "yesterday", SEARCHES), Defect("lat", "91", SEARCHES),
    Defect("radius_km", "0", SEARCHES), Defect("anytime", "2", SEARCHES),
    Defect("price", "gratis", SEARCHES),
    Defect("sort", "nope", SEARCHES - {"feeds.search_feed"}),  # the feed's order is its own
    Defect("q", "a" * (search_service.MAX_TEXT + 1), SEARCHES | {"api.autocomplete"}),
    Defect("size", HUGE, frozenset({"api.autocomplete"})),
    *(Defect(name, value, ignored=True) for name, value in (
        ("funder", "ila"), ("radius", "50"), ("_anchor", "x"), ("_external", "1"),
        ("_method", "POST"), ("_scheme", "javascript"), ("endpoint", "x"), ("values", "x"),
        ("\x00", "x"), ("q[]", "x"))),
]


def parsed_args(url: str):
    """The query string as the portal reads it (the same parser, replacement characters and all)."""
    return Request(EnvironBuilder(path=url).get_environ()).args


def expected(method: str, endpoint: str, kinds: dict[str, str], defect: Defect | None,
             args, signed_in: bool) -> set[int] | None:
    """The statuses the portal's rules make knowable for a request; None where only soundness
    is. The order is Flask's: the router, the language, the CSRF check and the API's known
    parameters (before_request), then the view."""
    found = set(kinds.values())
    if method == "POST":  # no CSRF token: refused before any form field is read
        return {400, 403} | ({404} if kinds.get("lang", REAL) != REAL else set())
    if MALFORMED in found:
        return {404}  # no route
    if ODD in found:
        return None
    reads = api.PARAMETERS.get(endpoint)
    if reads is not None and set(args) - reads:
        return {400}  # a parameter the endpoint does not read, named in the problem
    if endpoint.startswith("operator.") and endpoint != "operator.login" and not signed_in:
        return {302}  # to the sign-in page, before anything is looked up
    if MISSING in found:
        return {404}
    if defect and endpoint in defect.endpoints:
        return {400}
    return None


BINARY = ("application/pdf", "application/gzip")  # no text to read for a trace
MARKUP = ("text/html", "application/xml", "text/xml", "application/atom+xml", "image/svg+xml")


def assert_sound(response, url: str) -> None:
    """No 5xx, no trace of Python, errors in the form of their kind (an HTML page; for the API a
    problem whose status is the answer's), no hostile markup or script address sent back as
    markup, no redirect to another site."""
    status, url = response.status_code, url[:300]
    assert status < 500, url
    body = ""
    if response.mimetype not in BINARY:
        body = response.get_data(as_text=True)
        assert "Traceback" not in body and 'File "' not in body, url
    if status >= 400:
        if urlsplit(url).path.startswith("/api/"):
            assert response.mimetype == "application/problem+json", url
            problem = response.get_json()
            assert problem["status"] == status and problem["title"], url
        else:
            assert response.mimetype == "text/html" and "<html" in body, url
    if response.mimetype in MARKUP:
        for raw in ("<script>alert(", "<svg onload", 'href="javascript:', "href='javascript:",
                    'src="javascript:'):
            assert raw not in body, (url, raw)
    if 300 <= status < 400:
        assert urlsplit(response.headers["Location"]).netloc in ("", "localhost"), url


FUZZ = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def route(method: str, rule: str, demo_app) -> str:
    """The endpoint of the rule in the demo portal (made like the one RULES was read from)."""
    matches = [r.endpoint for r in demo_app.url_map.iter_rules()
               if r.rule == rule and method in r.methods]
    assert matches, f"{method} {rule} is not in the demo portal's URL map"
    return matches[0]


# GET rules whose every variable has real values (one of a new kind is fuzzed with the hostile
# values only, until path_values is told a real one)
KNOWN = [r for r in RULES if r[0] == "GET" and set(VARIABLE.findall(r[1])) <= set(VARIABLES)]


@pytest.mark.parametrize("method, rule, endpoint", KNOWN, ids=[f"{m} {r}" for m, r, _ in KNOWN])
def test_every_route_answers_its_real_values(operator, ids, method, rule, endpoint):
    """The fuzz's real values are real: filled with them, every route answers as a page or a
    redirect (so the fuzz reaches the views, not only the router's 404)."""
    queries = {"workspace.compare": f"?id={ids['offer']}&id={ids['other_offer']}",
               "api.autocomplete": "?q=we"}
    values = {name: next(value for value, kind in path_values(name, ids) if kind == REAL)
              for name in VARIABLE.findall(rule)}
    url = fill(rule, values) + queries.get(endpoint, "")
    response = operator.get(url)
    assert response.status_code in (200, 302), url
    assert_sound(response, url)


def filled(data, names: list[str], ids: dict) -> dict[str, tuple[str, str]]:
    """A (value, kind) for each path variable: at least half the time all real, so that the
    hostile query or form reaches the view; else each real or hostile, as it falls."""
    every_real = data.draw(st.booleans(), label="every variable real")
    chosen = {}
    for name in names:
        values = path_values(name, ids)
        real = [v for v in values if v[1] == REAL]
        hostile = st.sampled_from([v for v in values if v[1] != REAL])
        strategy = st.sampled_from(real) if real and every_real else \
            (st.sampled_from(real) | hostile if real else hostile)
        chosen[name] = data.draw(strategy, label=name)
    return chosen


@pytest.mark.parametrize("method, rule, endpoint", RULES, ids=[f"{m} {r}" for m, r, _ in RULES])
@FUZZ
@given(data=st.data())
def test_no_request_makes_any_route_fail(demo_app, client, operator, ids, method, rule, endpoint,
                                         data):
    """Each rule and method, signed in as the operator or not: GET with a hostile query string
    (a defect first, sometimes), POST with a hostile form and no CSRF token."""
    assert route(method, rule, demo_app) == endpoint
    chosen = filled(data, VARIABLE.findall(rule), ids)
    path = fill(rule, {name: value for name, (value, _) in chosen.items()})
    kinds = {name: kind for name, (_, kind) in chosen.items()}
    signed_in = data.draw(st.booleans(), label="signed in")
    who = operator if signed_in else client
    if method == "POST":
        form = data.draw(repeated(FORM_NAMES).map(query).map(str.encode) | st.binary(max_size=300),
                         label="form")
        response = who.post(path, data=form, content_type="application/x-www-form-urlencoded")
        defect, args = None, {}
    else:
        defect = data.draw(st.none() | st.sampled_from(DEFECTS), label="defect")
        pairs = data.draw(repeated(NAMES), label="query")
        first = [(defect.name, defect.value)] if defect else []
        url = f"{path}?{query(first + pairs)}"
        args = parsed_args(url)
        response = who.get(url)
        if defect and defect.ignored and endpoint not in api.PARAMETERS:
            plain = who.get(f"{path}?{query(pairs)}")
            assert response.status_code == plain.status_code, (url, "a name no page reads")
    assert_sound(response, path if method == "POST" else url)
    statuses = expected(method, endpoint, kinds, defect, args, signed_in)
    if statuses is not None:
        assert response.status_code in statuses, (method, path[:300], defect, response.status_code)
    if defect and statuses == {400} and endpoint in api.PARAMETERS:
        assert_named(response, defect, endpoint, set(args) - api.PARAMETERS[endpoint])


def assert_named(response, defect: Defect, endpoint: str, unknown: set[str]) -> None:
    """The API's problem names the defect where it must: a parameter the endpoint does not read
    is always named; a wrong value is named by the searches, which report every problem at
    once (the others stop at the first, and a parameter it does not read comes first)."""
    if defect.name in unknown or (endpoint in API_SEARCHES and not unknown):
        assert defect.name in [e["param"] for e in response.get_json()["errors"]], defect


POSTS = [r for r in RULES if r[0] == "POST"]


@pytest.fixture
def counsellor(demo_app, ids):
    """A visitor's client with a shortlist of its own (an offer, a saved search), which the forms
    below may change at will; ``own`` is ``ids`` with that shortlist's token and search."""
    client = demo_app.test_client()
    client.post("/en/shortlist/items", data={"csrf_token": csrf(client),
                                             "opportunity": ids["offer"]})
    client.post("/en/shortlist/searches", data={"csrf_token": csrf(client), "name": "x",
                                                "query": "q=x"})
    with client.session_transaction() as cookie:
        token = cookie["shortlist"]
    with demo_app.app_context(), services().sessions() as s:
        search = s.scalar(select(workspace.SavedSearch.id).join(workspace.Shortlist)
                          .where(workspace.Shortlist.token_hash == workspace.digest(token)))
    client.own = {**ids, "token": token, "search": search}
    return client


@pytest.mark.parametrize("method, rule, endpoint", POSTS, ids=[f"{m} {r}" for m, r, _ in POSTS])
@FUZZ
@given(data=st.data())
def test_no_form_past_the_csrf_check_makes_any_route_fail(counsellor, operator, method, rule,
                                                          endpoint, data):
    """With the session's own CSRF token first, the views read the hostile form: the answer is
    a redirect on this site (never to the ``next`` of another), a 400, 401 or 404. (``operator``:
    the operator account exists, so the sign-in form is read too.)"""
    chosen = filled(data, VARIABLE.findall(rule), counsellor.own)
    path = fill(rule, {name: value for name, (value, _) in chosen.items()})
    form = data.draw(repeated(FORM_NAMES).map(query).map(str.encode) | st.binary(max_size=300),
                     label="form")
    token = csrf(counsellor).encode()
    response = counsellor.post(path, data=b"csrf_token=" + token + b"&" + form,
                               content_type="application/x-www-form-urlencoded")
    assert_sound(response, path)
    assert response.status_code in {302, 303, 400, 401, 404}, (path[:300], response.status_code)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.text(min_size=1, max_size=30))
def test_no_path_makes_the_portal_fail(client, path):
    # (a leading "//" would make the test client read a host name out of the path)
    response = client.get("/" + quote(path.encode("utf-8", "surrogatepass"), safe="/").lstrip("/"))
    assert response.status_code < 500
