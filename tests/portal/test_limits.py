"""Rate limits: the API and the HTML searches answer 429 with Retry-After past their limit, per
client address; the sign-in is throttled per user name and per address, and a wrong user name
costs the same password check as a right one."""
import re

import pytest
from werkzeug.security import check_password_hash, generate_password_hash

import portal.security
from portal import create_app
from portal.limits import storage_uri

HIGH = "1000 per day"
STORED = generate_password_hash("s3cret", method="pbkdf2:sha256:1000")  # cheap for tests


@pytest.fixture
def limited(tmp_path):
    """limited(**config): an app on an empty catalogue with rate limits on; every limit high
    unless the test sets it (per day, so no window ends during a test)."""
    def make(**config):
        return create_app({
            "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite'}",
            "SEARCH_SQLITE_PATH": str(tmp_path / "s.sqlite"), "ENCODER": "none",
            "OPERATOR_USER": "ops", "OPERATOR_PASSWORD_HASH": STORED,
            "RATELIMIT_ENABLED": True, "RATELIMIT_API": HIGH, "RATELIMIT_SEARCH_PAGES": HIGH, "RATELIMIT_WORKSPACE": HIGH,
            "RATELIMIT_SIGN_IN_ADDRESS": HIGH, "RATELIMIT_SIGN_IN_USER": HIGH, **config})
    return make


def at(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def token(client) -> str:
    page = client.get("/operator/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(client, csrf: str, user: str, password: str, address: str = "127.0.0.1"):
    return client.post("/operator/login", data={"user": user, "password": password,
                                                "csrf_token": csrf}, **at(address))


def assert_refused(response, limit_seconds: int):
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= limit_seconds


def test_the_api_answers_429_problems_with_retry_after_past_its_limit(limited):
    client = limited(RATELIMIT_API="3 per day").test_client()
    # one budget for the whole API, whatever the endpoint or its answer
    assert client.get("/api/v1/search").status_code == 200
    assert client.get("/api/v1/autocomplete?q=nu").status_code == 200
    allowed = client.get("/api/v1/opportunities/999")
    assert allowed.status_code == 404 and allowed.headers["X-RateLimit-Remaining"] == "0"
    assert "Retry-After" not in allowed.headers  # "wait" is said only on a refusal
    refused = client.get("/api/v1/search")
    assert_refused(refused, 86400)
    assert refused.mimetype == "application/problem+json"
    body = refused.get_json()
    assert body["status"] == 429 and body["title"] == "Too many requests"
    assert refused.headers["Access-Control-Allow-Origin"] == "*"  # a browser client can read it
    assert refused.headers["X-RateLimit-Limit"] == "3"


def test_the_limit_is_per_address(limited):
    client = limited(RATELIMIT_API="1 per day").test_client()
    assert client.get("/api/v1/search", **at("198.51.100.1")).status_code == 200
    assert client.get("/api/v1/search", **at("198.51.100.1")).status_code == 429
    assert client.get("/api/v1/search", **at("198.51.100.2")).status_code == 200
    # IPv6 by its /64: one host gets a whole network of addresses
    assert client.get("/api/v1/search", **at("2001:db8::1")).status_code == 200
    assert client.get("/api/v1/search", **at("2001:db8::ff")).status_code == 429
    assert client.get("/api/v1/search", **at("2001:db8:0:1::1")).status_code == 200


def test_x_forwarded_for_counts_only_from_trusted_proxies(limited):
    spoofer = limited(RATELIMIT_API="1 per day").test_client()
    assert spoofer.get("/api/v1/search", headers={"X-Forwarded-For": "192.0.2.1"}).status_code == 200
    assert spoofer.get("/api/v1/search", headers={"X-Forwarded-For": "192.0.2.2"}).status_code == 429
    proxied = limited(RATELIMIT_API="1 per day", TRUSTED_PROXIES=1).test_client()
    assert proxied.get("/api/v1/search", headers={"X-Forwarded-For": "192.0.2.1"}).status_code == 200
    assert proxied.get("/api/v1/search", headers={"X-Forwarded-For": "192.0.2.1"}).status_code == 429
    assert proxied.get("/api/v1/search", headers={"X-Forwarded-For": "192.0.2.2"}).status_code == 200


def test_html_searches_answer_a_translated_429_page(limited):
    client = limited(RATELIMIT_SEARCH_PAGES="2 per day").test_client()
    assert client.get("/de/").status_code == 200
    assert client.get("/de/?q=Pflege").status_code == 200
    refused = client.get("/de/?q=Pflege")
    assert_refused(refused, 86400)
    page = refused.get_data(as_text=True)
    assert refused.mimetype == "text/html" and "<h1>Zu viele Anfragen</h1>" in page
    assert "Traceback" not in page and 'lang="de"' in page
    # only searches are limited: other pages and the API keep their own budgets
    assert client.get("/de/providers/no-such-provider").status_code == 404
    assert client.get("/api/v1/search").status_code == 200
    assert client.get("/en/", **at("192.0.2.9")).status_code == 200


def test_feeds_and_the_embedded_search_share_the_search_pages_budget(limited):
    client = limited(RATELIMIT_SEARCH_PAGES="3 per day").test_client()
    assert client.get("/en/feed.atom").status_code == 200
    assert client.get("/en/embed").status_code == 200
    assert client.get("/en/").status_code == 200
    for url in ("/en/feed.atom", "/en/embed", "/en/"):
        assert client.get(url).status_code == 429, url


def test_shortlist_changes_are_limited_but_reading_is_not(limited):
    client = limited(RATELIMIT_WORKSPACE="1 per day").test_client()
    assert client.post("/en/shortlists").status_code != 429  # (refused for its missing token)
    assert client.post("/en/shortlists").status_code == 429
    assert client.get("/en/shortlist").status_code != 429


def test_sign_in_is_throttled_per_user_name_from_any_address(limited):
    client = limited(RATELIMIT_SIGN_IN_USER="3 per day").test_client()
    csrf = token(client)
    for n in range(3):
        assert sign_in(client, csrf, "ops", f"guess-{n}", address=f"203.0.113.{n}").status_code == 401
    # the right password from a fresh address: still refused, the name is throttled
    refused = sign_in(client, csrf, "ops", "s3cret", address="203.0.113.50")
    assert_refused(refused, 86400)
    page = refused.get_data(as_text=True)
    assert "Too many sign-in attempts" in page and 'role="alert"' in page
    assert 'name="password"' in page  # the sign-in page itself, not an error page
    with client.session_transaction() as session:
        assert not session.get("operator")
    assert sign_in(client, csrf, " OPS ", "guess", address="203.0.113.51").status_code == 429
    assert sign_in(client, csrf, "someone", "guess", address="203.0.113.52").status_code == 401


def test_sign_in_is_throttled_per_address(limited):
    client = limited(RATELIMIT_SIGN_IN_ADDRESS="2 per day").test_client()
    csrf = token(client)
    assert sign_in(client, csrf, "alice", "guess").status_code == 401
    assert sign_in(client, csrf, "bob", "guess").status_code == 401
    assert_refused(sign_in(client, csrf, "carol", "guess"), 86400)
    assert client.get("/operator/login").status_code == 200  # reading the form is not a try
    assert sign_in(client, csrf, "carol", "guess", address="192.0.2.77").status_code == 401


def test_the_sign_in_message_is_translated(limited):
    client = limited(RATELIMIT_SIGN_IN_ADDRESS="1 per day").test_client()
    csrf = token(client)
    assert sign_in(client, csrf, "ops", "guess").status_code == 401
    refused = client.post("/operator/login", data={"user": "ops", "password": "guess",
                                                   "csrf_token": csrf},
                          headers={"Accept-Language": "fr"})
    assert refused.status_code == 429
    assert "Trop de tentatives de connexion" in refused.get_data(as_text=True)


def test_a_wrong_user_name_costs_the_same_password_check(limited, monkeypatch):
    """No timing oracle: the check runs once either way, on a hash of the same method and cost
    (timings themselves are not asserted: they would make a flaky test)."""
    checks = []

    def spy(pwhash, password):
        checks.append(pwhash)
        return check_password_hash(pwhash, password)

    monkeypatch.setattr(portal.security, "check_password_hash", spy)
    client = limited().test_client()
    csrf = token(client)
    assert sign_in(client, csrf, "someone", "s3cret").status_code == 401  # the password alone is not enough
    assert sign_in(client, csrf, "Ünïcødé ☃", "s3cret").status_code == 401  # any text, no 500
    assert sign_in(client, csrf, "ops", "guess").status_code == 401
    assert len(checks) == 3
    decoys, real = checks[:2], checks[2]
    assert real == STORED
    method = STORED.split("$")[0]
    assert all(h != STORED and h.split("$")[0] == method for h in decoys)
    assert sign_in(client, csrf, "ops", "s3cret").status_code == 302
    assert checks[3] == STORED


def test_sign_out_clears_the_session(limited):
    client = limited().test_client()
    assert sign_in(client, token(client), "ops", "s3cret").status_code == 302
    assert client.get("/operator/").status_code == 200
    with client.session_transaction() as session:
        csrf = session["csrf"]
    assert client.post("/operator/logout", data={"csrf_token": csrf}).status_code == 302
    with client.session_transaction() as session:
        assert dict(session) == {}
    assert client.get("/operator/").status_code == 302


def test_limits_can_be_switched_off(limited):
    client = limited(RATELIMIT_ENABLED=False, RATELIMIT_API="1 per day").test_client()
    answers = [client.get("/api/v1/search") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert "X-RateLimit-Limit" not in answers[-1].headers


def test_an_unreachable_redis_falls_back_to_memory_and_never_answers_500(limited):
    client = limited(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",
                     RATELIMIT_API="2 per day").test_client()
    assert [client.get("/api/v1/search").status_code for _ in range(3)] == [200, 200, 429]


def test_the_storage_is_redis_when_configured():
    assert storage_uri({"RATELIMIT_STORAGE_URI": "", "REDIS_URL": ""}) == "memory://"
    assert storage_uri({"RATELIMIT_STORAGE_URI": "", "REDIS_URL": "redis://r:6379/2"}) == \
        "redis://r:6379/2"
    assert storage_uri({"RATELIMIT_STORAGE_URI": "memory://", "REDIS_URL": "redis://r"}) == \
        "memory://"


def test_a_malformed_limit_stops_the_start(limited):
    with pytest.raises(ValueError, match="RATELIMIT_API"):
        limited(RATELIMIT_API="lots")


def test_sign_out_ends_the_sign_in_on_the_server(limited):
    """A copy of the signed-in cookie, replayed after sign-out, signs nobody in."""
    client = limited().test_client()
    assert sign_in(client, token(client), "ops", "s3cret").status_code == 302
    assert client.get("/operator/").status_code == 200  # its form gives the session a token
    cookie = client.get_cookie("session").value
    with client.session_transaction() as session:
        csrf = session["csrf"]
    assert client.post("/operator/logout", data={"csrf_token": csrf}).status_code == 302
    replay = client.application.test_client()
    replay.set_cookie("session", cookie)
    assert replay.get("/operator/").status_code == 302  # to the sign-in page


def test_a_sign_in_ends_after_its_lifetime(limited):
    client = limited(OPERATOR_SESSION_HOURS=0).test_client()
    assert sign_in(client, token(client), "ops", "s3cret").status_code == 302
    assert client.get("/operator/").status_code == 302
    with client.session_transaction() as session:
        assert "operator" not in session


def test_the_session_cookie_is_secure_over_https_only(limited):
    app = limited()
    for base, secure in (("https://learncat.example", True), ("http://learncat.example", False)):
        client = app.test_client()
        response = client.get("/operator/login", base_url=base)
        cookie = response.headers["Set-Cookie"]
        assert ("Secure" in cookie) is secure and "HttpOnly" in cookie and "SameSite=Lax" in cookie
