"""Hostile feeds and faults, each reproduced against the real runner and fetcher: local files named
by remote documents, feeds that trickle, exceptions of every kind, two harvests of one source at
once, a process killed mid-harvest, and internal addresses wrapped in IPv6."""
import ipaddress
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select, update

from catalogue.db import session_factory
from catalogue.models import (HarvestRun, ItemOutcome, Opportunity, RunStatus, Source, Stage,
                              utcnow)
from catalogue.record import OpportunityRecord
from catalogue.validation import is_web_url, validate
from harvesters.base import Harvester, RawRecord, SourceError
from harvesters.detect import detect_format
from harvesters.fetch import Fetcher, address_allowed, for_source
from harvesters.registry import provider_problems
from harvesters.runner import SourceBusy, close_abandoned_runs, run

SECRET = "learncat-test-secret-7f3a"


def page(title: str) -> bytes:
    course = {"@context": "https://schema.org", "@type": "Course", "@id": f"urn:{title}",
              "name": title, "description": f"{title} for adults"}
    return (f'<html><head><script type="application/ld+json">{json.dumps(course)}</script>'
            f'</head><body>{title}</body></html>').encode()


class Handler(BaseHTTPRequestHandler):
    routes: dict = {}

    def log_message(self, *args):
        pass

    def do_GET(self):
        route = Handler.routes.get(self.path)
        if route is None:
            self.send_response(404)
            self.end_headers()
            return
        if callable(route):
            route(self)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(route)))
        self.end_headers()
        self.wfile.write(route)


def trickle(handler):
    """One byte at a time, for far longer than any deadline of these tests."""
    handler.send_response(200)
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    try:
        for _ in range(100000):
            handler.wfile.write(b"<")
            handler.wfile.flush()
            time.sleep(0.05)
    except OSError:
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def local(**options) -> Fetcher:
    return Fetcher(allow_networks=("127.0.0.0/8",), backoff=0.01, retries=0, **options)


# -- local files -----------------------------------------------------------------------------

def test_a_remote_sitemap_cannot_make_the_harvester_read_local_files(server, session, make_source,
                                                                    tmp_path):
    secret = tmp_path / "secret.html"
    secret.write_bytes(page(SECRET))
    missing = tmp_path / "missing.html"
    Handler.routes["/public.html"] = page("Public bricklaying")
    Handler.routes["/sitemap.xml"] = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{server}/public.html</loc></url>"
        f"<url><loc>file://{secret}</loc></url><url><loc>{secret}</loc></url>"
        f"<url><loc>file://{missing}</loc></url><url><loc>{missing}</loc></url>"
        "</urlset>").encode()
    result = run(session, make_source(f"{server}/sitemap.xml", fmt="schemaorg"), fetch=local())
    titles = [o.title for o in session.scalars(select(Opportunity))]
    assert titles == [{"en": "Public bricklaying"}]
    messages = [e.message for e in result.errors if e.stage is not Stage.VALIDATE]
    refusals = [m for m in messages if "local file" in m]
    assert len(refusals) == 4 and len(set(refusals)) == 1  # an existing path reads as a missing one
    assert not any(str(tmp_path) in m or SECRET in m for m in messages)


def test_only_the_registered_file_is_read_from_disk(tmp_path):
    registered, other = tmp_path / "feed.csv", tmp_path / "other.csv"
    registered.write_text("id\n1\n")
    other.write_text("id\n2\n")
    scoped = for_source(local(), str(registered))
    assert scoped(str(registered)) == b"id\n1\n"
    for named in (str(other), f"file://{other}", "relative/path.csv"):
        with pytest.raises(SourceError, match="only the registered source may be read from disk"):
            scoped(named)


def test_a_missing_registered_file_is_reported_without_its_path(session, make_source, tmp_path):
    result = run(session, make_source(tmp_path / "gone" / "feed.csv"))
    assert result.status is RunStatus.FAILED and "cannot read the source file" in result.message
    assert str(tmp_path) not in result.message


# -- deadlines -------------------------------------------------------------------------------

def test_a_feed_that_trickles_is_cut_at_the_fetch_deadline(server):
    Handler.routes["/trickle.xml"] = trickle
    with pytest.raises(SourceError, match="longer than the 1 s allowed"):
        local(deadline=1.0)(f"{server}/trickle.xml")


def test_a_run_past_its_deadline_fails_and_keeps_the_catalogue(session, make_source):
    source = make_source()
    assert run(session, source, Slow(["a", "b"], pause=0)).added == 2
    late = run(session, source, Slow(["a", "c", "d", "e"], pause=0.4), deadline=0.5)
    assert late.status is RunStatus.FAILED and "took longer than the 0.5 s allowed" in late.message
    assert late.finished_at is not None
    assert sorted(session.scalars(select(Opportunity.remote_id))) == ["a", "b"]


def test_the_fetch_of_a_run_stops_at_the_run_deadline(server, session, make_source):
    Handler.routes["/trickle.xml"] = trickle
    result = run(session, make_source(f"{server}/trickle.xml", fmt="xcri-cap"),
                 fetch=local(deadline=600.0), deadline=1.0)
    assert result.status is RunStatus.FAILED and "deadline" in result.message


class Slow(Harvester):
    name = "slow"

    def __init__(self, items, pause: float, error: BaseException | None = None, rid=None):
        super().__init__()
        self.items, self.pause, self.error, self.rid = items, pause, error, rid

    def gather(self, source, fetch):
        for n, item in enumerate(self.items):
            if self.error is not None and n == 1:
                raise self.error
            time.sleep(self.pause)
            yield RawRecord(self.rid if self.rid is not None and n == 0 else item, item, n + 1)

    def parse(self, raw):
        return OpportunityRecord(remote_id=raw.remote_id, title={"en": f"Offer {raw.data}"})


# -- exceptions ------------------------------------------------------------------------------

@pytest.mark.parametrize("error, reason", [
    (RecursionError("maximum recursion depth exceeded"), "nested too deeply"),
    (TypeError("unhashable type: 'list'"), "unexpected TypeError: unhashable type"),
    (UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"), "UnicodeEncodeError"),
    (FileNotFoundError(2, "No such file or directory", "/srv/secret/path"), "No such file"),
])
def test_any_failure_of_a_source_fails_its_run_in_one_line(session, make_source, error, reason):
    source = make_source()
    assert run(session, source, Slow(["a", "b"], pause=0)).added == 2
    failed = run(session, source, Slow(["a", "b", "c"], pause=0, error=error))
    assert failed.status is RunStatus.FAILED and reason in failed.message
    assert "\n" not in failed.message and "/srv/secret" not in failed.message
    assert session.scalar(select(HarvestRun.status).where(HarvestRun.id == failed.id)) \
        is RunStatus.FAILED
    assert sorted(session.scalars(select(Opportunity.remote_id))) == ["a", "b"]
    assert run(session, make_source(), Slow(["z"], pause=0)).added == 1  # the next one runs


@pytest.mark.parametrize("rid", [["a", "b"], "\ud800x", "x" * 301])
def test_an_unusable_identifier_rejects_one_record(session, make_source, rid):
    result = run(session, make_source(), Slow(["first", "second"], pause=0, rid=rid))
    assert result.status is RunStatus.PARTIAL and (result.added, result.rejected) == (1, 1)
    assert any("identifier" in e.message for e in result.errors)


def test_json_nested_thousands_of_levels_is_not_a_crash():
    deep = b"[" * 5000 + b"]" * 5000
    assert detect_format(deep) is None
    deep_object = b'{"a":' * 5000 + b"1" + b"}" * 5000
    assert detect_format(deep_object) is None


# -- one harvest per source ------------------------------------------------------------------

class Blocking(Slow):
    """Holds the harvest inside its fetch until released, like a feed that is slow to answer."""

    def __init__(self, items):
        super().__init__(items, pause=0)
        self.inside, self.release = threading.Event(), threading.Event()

    def gather(self, source, fetch):
        self.inside.set()
        assert self.release.wait(30)
        yield from super().gather(source, fetch)


def test_a_second_harvest_of_a_source_says_so_and_changes_nothing(engine, session, make_source):
    source = make_source()
    first, results = Blocking(["a", "b"]), {}

    def harvest_in_thread():
        with session_factory(engine)() as other:
            own = other.get(Source, source.id)
            results["first"] = run(other, own, first)
    thread = threading.Thread(target=harvest_in_thread)
    thread.start()
    assert first.inside.wait(30)
    runs_before = session.scalar(select(HarvestRun.id).order_by(HarvestRun.id.desc()).limit(1))
    with pytest.raises(SourceBusy, match=f"run {runs_before}"):
        run(session, source, Slow(["a", "b"], pause=0))
    first.release.set()
    thread.join(30)
    assert results["first"].added == 2
    assert session.scalar(select(HarvestRun.id).order_by(HarvestRun.id.desc()).limit(1)) \
        == runs_before  # the refused harvest left no run behind
    again = run(session, source, Slow(["a", "b"], pause=0))  # the lease was released
    assert (again.added, again.unchanged, again.updated) == (0, 2, 0)


def test_a_run_left_running_by_a_killed_process_is_closed_at_the_next_start(session, make_source):
    source = make_source()
    dead = HarvestRun(source_id=source.id, started_at=utcnow() - timedelta(hours=3))
    session.add(dead)
    session.flush()
    session.execute(update(Source).where(Source.id == source.id).values(
        lease_run_id=dead.id, lease_until=utcnow() - timedelta(hours=1)))  # the lease lapsed
    session.commit()
    assert run(session, source, Slow(["a"], pause=0)).added == 1
    session.expire_all()
    closed = session.get(HarvestRun, dead.id)
    assert closed.status is RunStatus.FAILED and "interrupted" in closed.message
    assert closed.finished_at is not None


def test_closing_abandoned_runs_spares_the_run_holding_a_live_lease(session, make_source):
    live_source, dead_source = make_source(), make_source()
    live = HarvestRun(source_id=live_source.id, started_at=utcnow())
    dead = HarvestRun(source_id=dead_source.id, started_at=utcnow())
    session.add_all([live, dead])
    session.flush()
    session.execute(update(Source).where(Source.id == live_source.id).values(
        lease_run_id=live.id, lease_until=utcnow() + timedelta(hours=1)))
    session.commit()
    assert close_abandoned_runs(session) == 1
    session.expire_all()
    assert session.get(HarvestRun, live.id).status is RunStatus.RUNNING
    assert session.get(HarvestRun, dead.id).status is RunStatus.FAILED


# -- addresses and links ---------------------------------------------------------------------

@pytest.mark.parametrize("address, allowed", [
    ("8.8.8.8", True), ("10.1.2.3", False),
    ("64:ff9b::a01:203", False), ("64:ff9b::808:808", True),          # NAT64 of 10.1.2.3 / 8.8.8.8
    ("2002:a01:203::1", False), ("2002:808:808::1", True),            # 6to4
    ("::10.1.2.3", False), ("::169.254.169.254", False),              # IPv4-compatible
    ("::ffff:127.0.0.1", False), ("::ffff:8.8.8.8", True),            # IPv4-mapped
    ("::ffff:0:a01:203", False), ("64:ff9b:1::a9fe:a9fe", False),     # SIIT, local-use NAT64
    ("2001:0:4136:e378:8000:63bf:f5fe:fdfc", False),                  # Teredo (client 10.1.2.3)
    ("2a00:1450:4001:82a::200e", True), ("fd00::1", False), ("::1", False),
])
def test_internal_addresses_are_refused_however_they_are_wrapped(address, allowed):
    assert address_allowed(address) is allowed


def test_an_allowed_network_admits_its_wrapped_addresses_only_when_listed():
    loopback = (ipaddress.ip_network("127.0.0.0/8"),)
    assert address_allowed("127.0.0.1", loopback)
    assert not address_allowed("64:ff9b::a01:203", loopback)


@pytest.mark.parametrize("url", [
    'https://college.example/course"onmouseover="alert(1)', "https://college.example/a b",
    "https://college.example/<script>", "https://college.example/x'y", "https://college.example\\x",
    "https://college.example:99999/", "http:///no-host", "javascript:alert(1)"])
def test_links_with_characters_no_address_may_hold_are_invalid(url):
    assert not is_web_url(url)
    record = OpportunityRecord(remote_id="1", title={"en": "x"}, url=url)
    assert any(e.field == "url" for e in validate(record).errors)
    assert provider_problems("p", "DE", None, (url,))


@pytest.mark.parametrize("url", ["https://college.example/courses?id=7&lang=en#dates",
                                 "http://[2a00:1450::1]:8080/feed", "https://xn--mnchen-3ya.de/%20x"])
def test_ordinary_links_stay_valid(url):
    assert is_web_url(url)


def test_lone_surrogates_anywhere_in_a_record_never_fail_the_run(session, make_source):
    class Everywhere(Slow):
        def parse(self, raw):
            record = super().parse(raw)
            record.title = {"en": "Welding \ud800 basics"}
            record.awarding_body = "Chamber \udfff of crafts"
            record.places = [{"city": "Gr\ud800az", "country": "AT"}]
            record.extras = {"note\ud800": ["x\udc00"]}
            return record
    result = run(session, make_source(), Everywhere(["a"], pause=0))
    assert result.status is RunStatus.SUCCEEDED and result.added == 1
    row = session.scalar(select(Opportunity))
    assert row.title == {"en": "Welding \ufffd basics"} and row.places[0]["city"] == "Gr\ufffdaz"
    assert row.extras == {"note\ufffd": ["x\ufffd"]}


def test_a_lone_surrogate_in_what_a_harvester_reports_is_stored(session, make_source):
    class Reporting(Slow):
        def gather(self, source, fetch):
            self.notice_once("k", "field\ud800", "found type X\ud800")
            yield from super().gather(source, fetch)
    result = run(session, make_source(), Reporting(["a"], pause=0))
    assert result.status is RunStatus.SUCCEEDED
    assert any("X\ufffd" in e.message for e in result.errors)


@pytest.mark.parametrize("loc", ["https://" + "a" * 64 + ".example/", "http://[::1/x", 42])
def test_an_impossible_address_in_a_sitemap_is_one_unreadable_page(server, session, make_source,
                                                                   loc):
    Handler.routes["/ok.html"] = page("Carpentry")
    Handler.routes["/odd-sitemap.xml"] = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{server}/ok.html</loc></url><url><loc>{loc}</loc></url></urlset>").encode()
    result = run(session, make_source(f"{server}/odd-sitemap.xml", fmt="schemaorg"),
                 fetch=local())
    assert result.added == 1 and result.status is not RunStatus.FAILED
    assert any("not a valid address" in e.message or "local file" in e.message
               for e in result.errors)
