"""OAI-PMH through the real runner, against a fake repository at the network edge: the real saved
responses, resumption tokens, incremental `from`, deleted records and protocol errors."""
from datetime import timezone
from urllib.parse import parse_qsl, urlsplit
from xml.sax.saxutils import escape

from lxml import etree
from sqlalchemy import select

from catalogue.models import Opportunity, RunStatus, Severity, Stage, Status
from catalogue.record import OpportunityRecord
from harvesters.base import Harvester, RawRecord, SourceError, registry
from harvesters.runner import run
from harvesters.xml import parse_xml, text

BASE = "https://repository.example.org/oai"
OAI = "http://www.openarchives.org/OAI/2.0/"
O = f"{{{OAI}}}"
DATACITE = "{http://datacite.org/schema/kernel-4}"


class Repository:
    """fetch() for one OAI-PMH endpoint: ``answer(arguments)`` gives the bytes; the requests are
    kept, as argument dicts, for the test to inspect."""

    def __init__(self, answer):
        self.answer, self.requests = answer, []

    def __call__(self, url: str) -> bytes:
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == BASE
        arguments = dict(parse_qsl(parts.query))
        self.requests.append(arguments)
        data = self.answer(arguments)
        if data is None:
            raise SourceError(f"cannot read {url}: 404 Not Found")
        return data

    def lists(self):
        return [r for r in self.requests if r["verb"] == "ListRecords"]


def response(body: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="{OAI}">'
            f"<responseDate>2031-01-01T00:00:00Z</responseDate><request>{BASE}</request>"
            f"{body}</OAI-PMH>").encode()


def list_records(*records: str, token: str | None = None) -> bytes:
    resumption = "" if token is None else f"<resumptionToken>{escape(token)}</resumptionToken>"
    return response(f"<ListRecords>{''.join(records)}{resumption}</ListRecords>")


def error(code: str, message: str = "") -> bytes:
    return response(f'<error code="{code}">{message}</error>')


def header(identifier: str, deleted: bool = False) -> str:
    status = ' status="deleted"' if deleted else ""
    return (f"<header{status}><identifier>{identifier}</identifier>"
            f"<datestamp>2031-01-01</datestamp></header>")


def dc(identifier: str, title: str) -> str:
    return (f"<record>{header(identifier)}<metadata>"
            f'<oai_dc:dc xmlns:oai_dc="{OAI}oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<dc:title xml:lang="en">{title}</dc:title><dc:language>eng</dc:language>'
            f"<dc:description>About {title}.</dc:description>"
            f"<dc:identifier>https://repository.example.org/item/{identifier}</dc:identifier>"
            f"</oai_dc:dc></metadata></record>")


def deleted(identifier: str) -> str:
    return f"<record>{header(identifier, deleted=True)}</record>"


def offers(session, source, status=Status.ACTIVE):
    return {o.remote_id: o for o in session.scalars(select(Opportunity).where(
        Opportunity.source_id == source.id, Opportunity.status == status))}


def saved_list_records(path) -> bytes:
    """The ListRecords response of a saved harvest (several responses under one <harvest>)."""
    root = parse_xml(path.read_bytes())
    if root.tag == f"{O}OAI-PMH":
        return path.read_bytes()
    (answer,) = [r for r in root.iterfind(f"{O}OAI-PMH") if r.find(f"{O}ListRecords") is not None]
    return etree.tostring(answer, xml_declaration=True, encoding="UTF-8")


def test_real_datacite_response_loads(session, make_source, shared_data):
    saved = (shared_data / "oai-pmh" / "tib-av-portal-oai-pmh-datacite-2022.xml").read_bytes()
    root = parse_xml(saved)
    records = root.findall(f"{O}ListRecords/{O}record")
    token = text(root.find(f"{O}ListRecords/{O}resumptionToken"))
    assert records and token  # a first page of a longer list
    repository = Repository(lambda a: list_records(token="") if "resumptionToken" in a else saved)
    source = make_source(f"{BASE}?metadataPrefix=datacite&set=kmo-av", fmt="oai-pmh")
    result = run(session, source, fetch=repository)
    assert result.status is RunStatus.SUCCEEDED, result.errors
    assert result.added == len(records)
    assert repository.requests == [
        {"verb": "ListRecords", "metadataPrefix": "datacite", "set": "kmo-av"},
        {"verb": "ListRecords", "resumptionToken": token}]
    catalogued = offers(session, source)
    for record in records:
        identifier = text(record.find(f"{O}header/{O}identifier"))
        resource = record.find(f".//{DATACITE}resource")
        title = next(text(t) for t in resource.iterfind(f"{DATACITE}titles/{DATACITE}title")
                     if not t.get("titleType"))
        offer = catalogued[identifier]
        assert list(offer.title.values()) == [title]
        assert offer.url == "https://doi.org/" + text(resource.find(f"{DATACITE}identifier"))
        language = text(resource.find(f"{DATACITE}language"))
        if language:
            assert offer.languages == [language] and language in offer.title


def test_real_mods_response_loads_and_its_deletions_retire(session, make_source, shared_data):
    saved = saved_list_records(shared_data / "oai-pmh" / "duepublico-oai-pmh-mods-2021.xml")
    records = parse_xml(saved).findall(f"{O}ListRecords/{O}record")
    live = [text(r.find(f"{O}header/{O}identifier")) for r in records
            if r.find(f"{O}header").get("status") != "deleted"]
    assert live and len(live) < len(records)
    source = make_source(f"{BASE}?metadataPrefix=mods", fmt="oai-pmh")
    first = run(session, source, fetch=Repository(lambda a: saved))
    assert first.status is RunStatus.SUCCEEDED, first.errors
    assert (first.added, first.retired) == (len(live), 0)  # deleted ones were never here
    for identifier in live:
        offer = offers(session, source)[identifier]
        assert offer.title.get("de") and offer.description.get("de")
        assert offer.languages == ["de"] and offer.url.startswith("https://")

    withdrawn = Repository(lambda a: list_records(*map(deleted, live)))
    again = run(session, source, fetch=withdrawn)
    assert again.status is RunStatus.SUCCEEDED and again.retired == len(live)
    assert not offers(session, source) and set(offers(session, source, Status.RETIRED)) == set(live)
    assert "from" in withdrawn.lists()[0]  # an incremental run


def test_resumption_tokens_page_through_the_list(session, make_source):
    token = "page 2/of 2&more"  # opaque: must arrive intact
    pages = {None: list_records(dc("a", "Alpha"), dc("b", "Beta"), token=token),
             token: list_records(dc("c", "Gamma"),
                                 '<resumptionToken completeListSize="3" cursor="2"/>')}
    repository = Repository(lambda a: pages[a.get("resumptionToken")])
    source = make_source(f"{BASE}?metadataPrefix=oai_dc", fmt="oai-pmh")
    result = run(session, source, fetch=repository)
    assert result.status is RunStatus.SUCCEEDED and result.added == 3
    assert repository.requests == [{"verb": "ListRecords", "metadataPrefix": "oai_dc"},
                                   {"verb": "ListRecords", "resumptionToken": token}]
    assert offers(session, source)["c"].title == {"en": "Gamma"}
    assert offers(session, source)["c"].languages == ["en"]  # ISO 639-2 'eng'


def test_a_repeated_resumption_token_fails_the_run(session, make_source):
    looping = Repository(lambda a: list_records(dc("a", "Alpha"), token="same"))
    source = make_source(f"{BASE}?metadataPrefix=oai_dc", fmt="oai-pmh")
    result = run(session, source, fetch=looping)
    assert result.status is RunStatus.FAILED and "twice" in result.message
    assert len(looping.requests) == 2 and not offers(session, source)


def test_from_is_sent_after_an_error_free_run(session, make_source):
    repository = Repository(lambda a: list_records(dc("a", "Alpha")) if a["verb"] == "ListRecords"
                            else None)  # no Identify: day granularity
    source = make_source(f"{BASE}?metadataPrefix=oai_dc&set=courses", fmt="oai-pmh")
    first = run(session, source, fetch=repository)
    assert first.status is RunStatus.SUCCEEDED and first.complete
    assert "from" not in repository.lists()[0]
    second = run(session, source, fetch=repository)
    assert second.status is RunStatus.SUCCEEDED and not second.complete
    started = first.started_at.replace(tzinfo=first.started_at.tzinfo or timezone.utc)
    assert repository.lists()[1] == {"verb": "ListRecords", "metadataPrefix": "oai_dc",
                                     "set": "courses",
                                     "from": started.astimezone(timezone.utc).date().isoformat()}
    assert second.unchanged == 1

    seconds = Repository(lambda a: response(
        "<Identify><granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify>")
        if a["verb"] == "Identify" else list_records(dc("a", "Alpha")))
    run(session, source, fetch=seconds)
    second_start = second.started_at.replace(tzinfo=second.started_at.tzinfo or timezone.utc)
    assert seconds.lists()[0]["from"] == second_start.astimezone(timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def test_no_records_match_is_not_a_failure(session, make_source):
    source = make_source(f"{BASE}?metadataPrefix=oai_dc", fmt="oai-pmh")
    empty = run(session, source, fetch=Repository(lambda a: error("noRecordsMatch")))
    assert empty.status is RunStatus.SUCCEEDED and empty.added == 0
    run(session, source, fetch=Repository(lambda a: list_records(dc("a", "Alpha"))))
    quiet = run(session, source, fetch=Repository(lambda a: error("noRecordsMatch", "nothing new")))
    assert quiet.status is RunStatus.SUCCEEDED and quiet.retired == 0
    assert set(offers(session, source)) == {"a"}


def test_bad_argument_fails_the_run_and_keeps_the_catalogue(session, make_source):
    source = make_source(f"{BASE}?metadataPrefix=oai_dc", fmt="oai-pmh")
    run(session, source, fetch=Repository(lambda a: list_records(dc("a", "Alpha"))))
    result = run(session, source, fetch=Repository(
        lambda a: error("badArgument", "from is not a valid date")))
    assert result.status is RunStatus.FAILED
    assert "badArgument" in result.message and "not a valid date" in result.message
    assert set(offers(session, source)) == {"a"}


class PayloadHarvester(Harvester):
    """Stands in for the harvester of a richer format: one record per document."""
    name = "xcri-cap"

    def gather(self, source, fetch):
        root = parse_xml(fetch(source.location))
        yield RawRecord("inner", text(root), 1)

    def parse(self, raw):
        return OpportunityRecord(remote_id=raw.remote_id, title={"en": raw.data})


def test_payloads_of_registered_formats_go_to_their_harvester(session, make_source, monkeypatch):
    xcri = (f"<record>{header('x')}<metadata><catalog xmlns='http://xcri.org/profiles/1.2/catalog'>"
            "Delegated course</catalog></metadata></record>")
    repository = Repository(lambda a: list_records(dc("a", "Alpha"), xcri))
    source = make_source(f"{BASE}?metadataPrefix=oai_dc", fmt="oai-pmh")
    monkeypatch.setitem(registry.harvesters, "xcri-cap", PayloadHarvester)
    result = run(session, source, fetch=repository)
    assert result.added == 2 and offers(session, source)["x"].title == {"en": "Delegated course"}

    monkeypatch.delitem(registry.harvesters, "xcri-cap")
    other = make_source(f"{BASE}?metadataPrefix=oai_dc", fmt="oai-pmh")
    result = run(session, other, fetch=repository)
    assert result.status is RunStatus.SUCCEEDED and set(offers(session, other)) == {"a"}
    (notice,) = [e for e in result.errors if e.severity is Severity.WARNING
                 and e.stage is Stage.GATHER and "xcri-cap" in e.message]
    assert "1 records" in notice.message and "no harvester" in notice.message
