"""Safe fetching against a local HTTP server on 127.0.0.1 (an ephemeral port of this test)."""
import gzip
import ipaddress
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harvesters.base import SourceError
from harvesters.fetch import USER_AGENT, Fetcher, address_allowed

FEED = b"<?xml version='1.0'?><catalog><course id='1'/></catalog>"


XCRI = b"""<?xml version="1.0" encoding="UTF-8"?>
<catalog xmlns="http://xcri.org/profiles/1.2/catalog" xmlns:dc="http://purl.org/dc/elements/1.1/"
 generated="2026-11-01T00:00:00Z"><provider><dc:title>Test College</dc:title>
<course><dc:identifier>C1</dc:identifier><dc:title>Bricklaying</dc:title></course></provider></catalog>"""
HOSTILE = {
    "/bomb.xml": (b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;'
                  b'&a;&a;&a;&a;&a;">]><catalog>&b;</catalog>', "application/xml"),
    "/page.html": (b"<!doctype html><html><body><h1>Our courses</h1></body></html>", "text/html"),
    "/latin1.xml": ('<?xml version="1.0" encoding="UTF-8"?><catalog>caf\xe9</catalog>'
                    .encode("latin-1"), "application/xml"),
}


class Handler(BaseHTTPRequestHandler):
    hits: dict = {}
    seen: list = []

    def log_message(self, *args):  # quiet
        pass

    def send(self, status, body=b"", **headers):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        Handler.seen.append((self.path, dict(self.headers)))
        count = Handler.hits[self.path] = Handler.hits.get(self.path, 0) + 1
        if self.path == "/feed.xml":
            self.send(200, FEED, Content_Type="application/xml")
        elif self.path == "/flaky":  # fails twice, then works
            self.send(503) if count <= 2 else self.send(200, FEED)
        elif self.path == "/broken":
            self.send(500)
        elif self.path == "/slow":
            time.sleep(1.5)
            self.send(200, FEED)
        elif self.path == "/to-metadata":
            self.send(302, Location="http://169.254.169.254/latest/meta-data/")
        elif self.path == "/to-private":
            self.send(301, Location="http://10.20.30.40/feed.xml")
        elif self.path == "/to-feed":
            self.send(302, Location="/feed.xml")
        elif self.path in ("/see-other", "/moved-for-good"):  # 303 and 308 are redirects too
            self.send(303 if self.path == "/see-other" else 308, Location="/feed.xml")
        elif self.path == "/flaky-gateway":  # a 502 twice, then the feed
            self.send(502) if count <= 2 else self.send(200, FEED)
        elif self.path == "/refused":
            self.send(400)
        elif self.path == "/changing":  # validators, but a new body every time
            self.send(200, f"<catalog n='{count}'/>".encode(), ETag=f'"v{count}"')
        elif self.path == "/loop":
            self.send(302, Location="/loop")
        elif self.path == "/big":
            self.send(200, b"x" * 5000)
        elif self.path == "/bomb":  # 2 KB on the wire, 10 MB once decoded
            self.send(200, gzip.compress(b"\0" * 10_000_000), Content_Encoding="gzip")
        elif self.path in HOSTILE:
            self.send(200, HOSTILE[self.path][0], Content_Type=HOSTILE[self.path][1])
        elif self.path == "/etag":
            if self.headers.get("If-None-Match") == '"v1"':
                self.send(304)
            else:
                self.send(200, FEED, ETag='"v1"')
        else:
            self.send(404)


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def local(**options) -> Fetcher:
    return Fetcher(allow_networks=("127.0.0.0/8",), backoff=0.01, **options)


def test_fetches_with_an_honest_user_agent(server):
    assert local()(f"{server}/feed.xml") == FEED
    assert Handler.seen[-1][1]["User-Agent"] == USER_AGENT


def test_loopback_is_refused_unless_allowed(server):
    with pytest.raises(SourceError, match="internal address"):
        Fetcher()(f"{server}/feed.xml")


def test_retries_5xx_with_back_off_then_gives_up(server):
    assert local(retries=2)(f"{server}/flaky") == FEED
    before = Handler.hits.get("/broken", 0)
    with pytest.raises(SourceError, match="HTTP 500"):
        local(retries=1)(f"{server}/broken")
    assert Handler.hits["/broken"] - before == 2


def test_timeouts_are_errors(server):
    with pytest.raises(SourceError, match="Timeout"):
        local(read_timeout=0.3, retries=0)(f"{server}/slow")


@pytest.fixture
def loopback_only(monkeypatch):
    """No test reaches beyond 127.0.0.1: a connection elsewhere fails with its own reason."""
    real = socket.socket.connect

    def connect(sock, address):
        if not ipaddress.ip_address(address[0]).is_loopback:
            raise OSError(f"the test refused to connect to {address[0]}")
        return real(sock, address)
    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.mark.parametrize("path, reason", [
    ("/to-metadata", "is an internal address (169.254.169.254)"),
    ("/to-private", "is an internal address (10.20.30.40)")])
def test_redirects_to_internal_addresses_are_refused(server, loopback_only, path, reason):
    with pytest.raises(SourceError, match=re.escape(reason)):
        local()(f"{server}{path}")


def test_the_address_a_connection_lands_on_is_checked(server, loopback_only, monkeypatch):
    """DNS rebinding: the name resolves to a public address when checked, then to loopback when
    connected; the connection's own peer address refuses it."""
    real, answers = socket.getaddrinfo, iter(["93.184.216.34"])

    def rebinding(host, *args, **kwargs):
        if host == "feeds.college.example":
            ip = next(answers, "127.0.0.1")
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, args[0] or 0))]
        return real(host, *args, **kwargs)
    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    port = server.rsplit(":", 1)[1]
    with pytest.raises(SourceError, match=re.escape("connected to the internal address 127.0.0.1")):
        Fetcher(retries=0)(f"http://feeds.college.example:{port}/feed.xml")


def test_redirects_are_followed_and_limited(server):
    assert local()(f"{server}/to-feed") == FEED
    with pytest.raises(SourceError, match="redirects"):
        local(max_redirects=3)(f"{server}/loop")


def test_size_cap_applies_after_decompression(server):
    with pytest.raises(SourceError, match="is 5,000 bytes, more than the 1,000 accepted"):
        local(max_bytes=1000)(f"{server}/big")  # refused by its declared length
    with pytest.raises(SourceError, match="larger than"):
        local(max_bytes=1_000_000)(f"{server}/bomb")


def test_conditional_get_reuses_the_last_body(server, tmp_path):
    fetcher = local(cache_dir=tmp_path)
    assert fetcher(f"{server}/etag") == FEED
    assert fetcher(f"{server}/etag") == FEED  # 304: the kept body
    assert Handler.seen[-1][1].get("If-None-Match") == '"v1"'


def test_other_schemes_and_missing_files():
    with pytest.raises(SourceError, match="refusing ftp"):
        local()("ftp://example.org/feed.xml")
    with pytest.raises(SourceError, match="cannot read"):
        local()("/nonexistent/feed.csv")


@pytest.mark.parametrize("path, reason", [
    ("/bomb.xml", "entities"), ("/page.html", "not"), ("/latin1.xml", "well-formed"),
    ("/broken", "HTTP 500"), ("/to-metadata", "internal address")])
def test_hostile_or_broken_feeds_fail_the_run_and_keep_the_catalogue(server, session, make_source,
                                                                     path, reason):
    from catalogue.models import Opportunity, RunStatus
    from harvesters.runner import run
    source = make_source(f"{server}/xcri.xml", fmt="xcri-cap")
    HOSTILE["/xcri.xml"] = (XCRI, "application/xml")
    assert run(session, source, fetch=local(retries=0)).added == 1
    source.location = f"{server}{path}"
    session.commit()
    result = run(session, source, fetch=local(retries=0))
    assert result.status is RunStatus.FAILED and reason in result.message
    assert [o.title for o in session.query(Opportunity).filter_by(source_id=source.id)] == [
        {"en": "Bricklaying"}]


def test_every_kind_of_redirect_is_followed(server):
    assert local()(f"{server}/see-other") == FEED
    assert local()(f"{server}/moved-for-good") == FEED


def test_a_bad_gateway_is_retried(server):
    assert local(retries=2)(f"{server}/flaky-gateway") == FEED


def test_a_client_error_is_an_error(server):
    with pytest.raises(SourceError, match="answered HTTP 400"):
        local(retries=0)(f"{server}/refused")


def test_a_changed_body_replaces_the_kept_one(server, tmp_path):
    fetcher = local(cache_dir=tmp_path / "cache" / "nested")  # made when missing
    first, second = fetcher(f"{server}/changing"), fetcher(f"{server}/changing")
    assert first != second and second.startswith(b"<catalog n=")


def test_impossible_addresses_are_refused_not_raised():
    for url in ("http://[::1/feed", "https://" + "a" * 64 + ".example/"):
        with pytest.raises(SourceError, match="not a valid address"):
            Fetcher(retries=0)(url)


def test_a_scoped_link_local_address_is_internal():
    assert not address_allowed("fe80::1%eth0")
