"""Random truncations and mutations of the real feeds in shared data, for every harvester format
(issue 13): gather and parse raise only the seam's exceptions, and a harvest of a mutated feed
after the intact one either fails cleanly or succeeds, and loses no record it does not account for.

The mutations are bytes (truncation, flips, deleted and duplicated slices, hostile fragments,
BOMs and wrong encodings) and values (a JSON value, an XML text or attribute, a CSV cell replaced
by a hostile one; an element duplicated), so that both the parsers and the mappers behind them
are reached. Hypothesis runs derandomised with no example database: CI sees the same examples on
every run. LEARNCAT_FUZZ_EXAMPLES=n makes it a longer, random hunt of n examples per test.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import threading
import zipfile
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlsplit

import lxml.html
import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st
from lxml import etree
from sqlalchemy import select

from catalogue.models import (HarvestItem, HarvestRun, ItemOutcome, Opportunity, RunStatus,
                              Source, Status)
from catalogue.normalise import normalise
from catalogue.sanitize import clean_record
from catalogue.validation import validate
from harvesters.base import InvalidRecord, SkipRecord, SourceError, registry
from harvesters.detect import is_html
from harvesters.runner import _usable_id, run
from tests.conftest import ROOT
from tests.harvesters.test_hostile import local
from tests.harvesters.test_lheo import NS_22, NS_23, document as lheo_document
from tests.harvesters.test_oai_pmh import header, list_records, saved_list_records
from tests.harvesters.test_schemaorg import html_page, sitemap

EXAMPLES = int(os.environ.get("LEARNCAT_FUZZ_EXAMPLES", "0")) or None
FORMATS = ("csv", "xcri-cap", "elm-jsonld", "elm-loq-xml", "schemaorg", "oai-pmh", "ctdl", "lheo")
SAFETY_NETS = ("cannot read this record:", "cannot check this record:")  # runner.py's catch-alls


# --- the real feeds ------------------------------------------------------------------------------

@dataclass
class Feed:
    """One source's documents by path (the first is the registered one; a sitemap's pages or an
    OAI-PMH endpoint's answer follow) and how the source is registered."""
    name: str
    fmt: str
    documents: dict[str, bytes]
    query: str = ""
    options: dict = field(default_factory=dict)
    country: str = "GB"

    def __repr__(self) -> str:  # Hypothesis names the seed, not its bytes
        return f"<{self.fmt} seed: {self.name}>"

    @property
    def path(self) -> str:
        return next(iter(self.documents))

    def answer(self, url: str) -> bytes | None:
        """What the feed's server answers at ``url`` (None: 404)."""
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        if self.fmt == "oai-pmh" and query.get("verb") != "ListRecords":
            return None  # Identify: the harvester falls back to days
        if "resumptionToken" in query:
            return list_records(token="")  # the last page: nothing more
        return self.documents.get(parts.path)


def _read(base: Path, path: str) -> bytes:
    return (base / path).read_bytes()


def _rows(data: bytes, limit: int) -> bytes:
    """The header and the first ``limit`` records of a real CSV export, as it was written."""
    return b"".join(io.BytesIO(data).readlines()[:limit + 1])


def _xlsx(data: bytes) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    for row in csv.reader(io.StringIO(data.decode("utf-8"))):
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _section(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


def files(fmt: str, folder: Path, names: tuple[str, ...], country: str = "GB") -> list[Feed]:
    """One feed per file, registered as it is."""
    return [Feed(name, fmt, {f"/{Path(name).name}": _read(folder, name)}, country=country)
            for name in names]


@cache
def feeds(base: Path) -> dict[str, list[Feed]]:
    """Every format's seeds: real feeds from shared data (LHEO has none there: the LHEO tests'
    own document stands in), the MOOC exports cut to their first records to keep runs short."""
    sdo = base / "schema-org" / "sdo-examples"
    course = (sdo / "eg-0259.examples.txt").read_text(encoding="utf-8")
    pages = {"/courses/jsonld.html": html_page(_read(sdo, "eg-0278.jsonld").decode()),
             "/courses/microdata.html": _html(_section(course, "MICRODATA:", "RDFA:")),
             "/courses/rdfa.html": _html(_section(course, "RDFA:", "JSON:"))}
    template = (ROOT / "harvesters" / "templates" / "learncat-template.csv").read_bytes()
    mooc, oai = base / "course-catalogues" / "mooc", base / "oai-pmh"
    ou = re.sub(r"^<\?xml[^>]*\?>", "", _read(base / "xcri-cap" / "feeds",
                                             "open-university-xcri-cap-1.2-example.xml").decode("utf-8-sig"))
    coursera = {"columns": {"id": "course_id", "title_en": "Name", "awarding_body": "institution",
                            "url": "course_url"}}
    udemy = {"columns": {
        "id": "course_id", "title_en": "course_title", "url": "url", "price": "price",
        "workload_hours": {"column": "content_duration", "number": True},
        "start_dates": {"column": "published_timestamp", "date": "%Y-%m-%d %H:%M:%S+00:00"}}}
    return {
        "csv": [
            Feed("learncat template", "csv", {"/offers.csv": template}),
            Feed("learncat template as XLSX", "csv", {"/offers.xlsx": _xlsx(template)}),
            Feed("Coursera export, column mapping", "csv",
                 {"/coursera.csv": _rows(_read(mooc, "coursera_courses.csv"), 40)},
                 options={"mapping": coursera}, country="US"),
            Feed("Udemy export, column mapping", "csv",
                 {"/udemy.csv": _rows(_read(mooc, "udemy_courses.csv"), 40)},
                 options={"mapping": udemy}, country="US"),
        ],
        "xcri-cap": files("xcri-cap", base / "xcri-cap", (
            "feeds/open-university-xcri-cap-1.2-example.xml",
            "feeds/wychwolf-moodle-xcri-cap-1.2.xml", "samples/PG_Generic_XCRI-CAP-1.2.xml",
            "validator-tests/IValidationService/Valid/OfficialTestFromSchemas.xml")),
        "elm-jsonld": files("elm-jsonld", base / "elm" / "credentials" / "JSON-LD-examples", (
            "Sample-MC-Annex1-unsigned.jsonld", "Sample-CertOfPart-signed.jsonld")),
        "elm-loq-xml": files("elm-loq-xml", base / "elm" / "loq-xml", (
            "loq.xml", "loq_withLearningAchievementSpecification.xml")),
        "schemaorg": [
            Feed("schema.org program as a JSON-LD feed", "schemaorg",
                 {"/feed.jsonld": _read(sdo, "eg-0278.jsonld")}),
            Feed("schema.org credential in a microdata page", "schemaorg",
                 {"/course.html": pages["/courses/microdata.html"]}),
            Feed("sitemap of JSON-LD, microdata and RDFa pages", "schemaorg",
                 {"/sitemap.xml": sitemap(f"{{base}}{p}" for p in pages), **pages}),
        ],
        "oai-pmh": [
            Feed("DuEPublico MODS", "oai-pmh",
                 {"/oai": saved_list_records(oai / "duepublico-oai-pmh-mods-2021.xml")},
                 query="?metadataPrefix=mods", country="DE"),
            Feed("TIB AV-Portal DataCite", "oai-pmh",
                 {"/oai": _read(oai, "tib-av-portal-oai-pmh-datacite-2022.xml")},
                 query="?metadataPrefix=datacite", country="DE"),
            Feed("the Open University's XCRI-CAP catalog in an OAI-PMH record", "oai-pmh",
                 {"/oai": list_records(f"<record>{header('oai:ou:catalog')}<metadata>{ou}"
                                       "</metadata></record>")}, query="?metadataPrefix=xcri"),
        ],
        "ctdl": files("ctdl", base / "ctdl" / "ingest-examples", (
            "LearningProgram/1/LearningProgram-1-graph.json", "Credential/1/Credential-1.json",
            "LearningProgram/1/Course-1a.json"), country="US"),
        "lheo": [Feed(f"LHEO {version} (the LHEO tests' document)", "lheo",
                      {"/offres.xml": lheo_document(namespace).encode()}, country="FR")
                 for version, namespace in (("2.3", NS_23), ("2.2", NS_22))],
    }


def _html(body: str) -> bytes:
    return f"<!DOCTYPE html><html><head><title>A course</title></head><body>{body}</body></html>" \
        .encode()


def with_base(feed: Feed, base: str) -> Feed:
    """The feed with ``{base}`` in its documents (a sitemap's addresses) filled in."""
    return Feed(feed.name, feed.fmt, {p: d.replace(b"{base}", base.encode())
                                      for p, d in feed.documents.items()},
                feed.query, feed.options, feed.country)


# --- mutations -----------------------------------------------------------------------------------

BILLION_LAUGHS = (b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1
                                                          else b"&lol;") * 10)
                             for n in range(1, 10)) + b"]>")
PROLOGS = [
    BILLION_LAUGHS,
    b'<!DOCTYPE catalog SYSTEM "file:///etc/passwd">',
    b'<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>',
    b'<!DOCTYPE r [<!ENTITY % ext SYSTEM "http://127.0.0.1:9/evil.dtd"> %ext;]>',
    b'<!DOCTYPE r [<!ELEMENT r ANY><!ATTLIST r id ID #IMPLIED>]>',
    b'<?xml-stylesheet href="http://127.0.0.1:9/x.xsl" type="text/xsl"?>',
    b"<!-- a comment before the root -->",
    b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\x00", b" \r\n\t",
]
HOSTILE = [
    b"&lol9;", b"&xxe;", b"&undeclared;", b"&#0;", b"&#xD800;", b"&#1114112;", b"&amp;",
    b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/hostname" '
    b'parse="text"/>',
    b"<![CDATA[</x>]]>", b"<?pi data?>", b"<!-- -- -->", b"</a>", b"<a>", b'<a b="1" b="2"/>',
    b"<a>" * 300 + b"</a>" * 300, b"<a>" * 5000 + b"</a>" * 5000,
    b'"\\ud800"', b'"\\udfff\\ud800x"', b"1e999999", b"-1e400", b"NaN", b"Infinity", b"9" * 5000,
    b"[" * 150 + b"]" * 150, b"[" * 5000 + b"]" * 5000, b'{"a":' * 5000 + b"1" + b"}" * 5000,
    b"null", b"true", b"{}", b"[]", b'""', b'"@id": ["a", "b"], ', b'"@type": 5, ',
    b'"@context": "http://127.0.0.1:9/ctx", ', b'"@graph": null, ', b'"id": {"id": null}, ',
    b"\x00", b"\xef\xbb\xbf", b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
    b"\xe2\x80\xa8", b"\r", b'"', b'""', b"\r\n", b",,,,", b";", b"\t", b"|", b"\x1a",
]
ANCHORS = [None, b">", b"<", b'": ', b'"', b"{", b"[", b",", b"\n", b'="']
ENCODINGS = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252", "latin-1", "cp500",
             "declare-utf-16", "declare-latin-1", "declare-unknown"]
HUGE = "9" * 5000  # past Python's 4,300-digit int() limit, and past a float's range
NUMBERS = [HUGE.encode(), b"9" * 308, b"1" + b"0" * 400, b"1e999999", b"-1", b"0", b"-0", b"NaN",
           b"4294967296", b"9223372036854775808", b"1.7976931348623157e309", b"00000000"]
JSON_VALUES = [None, True, False, 0, -1, 1e308, 10 ** 400, 2 ** 63, "", " ", "\ud800", "x\udfff",
               [], {}, [[[]]], ["a", "b"], [None], {"@id": None}, {"@id": ["a"]}, {"@value": 5},
               {"@language": 5, "@value": "x"}, {"en": 5}, {"en": ["a", None]}, {"id": 7},
               {"type": None}, "http://127.0.0.1:9/x", "file:///etc/hostname", "http://[::1",
               "P99999999Y", f"P{HUGE}W", "PT", "2027-02-30", HUGE, "9" * 308, "1e999", "NaN",
               "-5", "x" * 5000]
JSON_KEYS = [None, "@id", "id", "@type", "type", "@graph", "@context", "@value", "@language",
             "@list", "payload", "signatures", "", "\ud800", "ceterms:ctid", "name", "title",
             "hasPart", "isPartOf", "specifiedBy", "startDate", "location", "offers"]
TEXTS = ["", " ", "-", HUGE, "9" * 308, "1e999", "NaN", "inf", "-1", "0", "+5", "5 5", "1,5",
         "12,34,56", "1_000", "\u0661\u0662\u0663", "\u00b2", "2027-02-30", "00000000",
         "99999999", "P99999Y", f"P{HUGE}W", f"{HUGE} weeks", "PT", "P1Y2M3W4DT5H6M7S",
         f"EQF level {HUGE}", "EQF 12", "x" * 5000, "<p>un<b>closed", "\u202e\u200b\ufeff", "||",
         "http://127.0.0.1:9/x", "file:///etc/hostname", "http://[::1", "=cmd|' /C calc'!A0"]
ATTRIBUTES = [None, "id", "idref", "uri", "numero", "dtf", "interval", "identifier", "href",
              "{http://www.w3.org/XML/1998/namespace}lang", "language", "generated",
              "{http://www.w3.org/2001/XMLSchema-instance}type", "status", "code",
              "itemscope", "itemprop", "itemtype", "itemid", "vocab", "typeof", "property",
              "resource", "content", "datetime", "value", "type"]

# What the fuzzing found, kept as explicit examples: (seed, document, mutations) by format.
# A text ``at`` names the element, JSON key or CSV column the value goes to.
FOUND = {
    "csv": [(0, 0, [("cell", "duration", f"P{HUGE}W")]),       # decimal() past a float
            (0, 0, [("cell", "price", HUGE)]),                  # prices.parse, likewise
            (1, 0, [("zipped", 3, [("truncate", 300)])]),       # a sheet cut short: ParseError
            (1, 0, [("flip", 400, 255)])],                      # zlib.error opening the book
    "xcri-cap": [(0, 0, [("xml", "duration", None, f"{HUGE} weeks")]),
                 (1, 0, [("xml", "duration", "interval", f"P{HUGE}W")]),
                 (2, 0, [("xml", "places", None, "\u00b2")]),  # isdigit(), yet no int()
                 (2, 0, [("xml", "places", None, HUGE)]),       # past int()'s 4,300 digits
                 (0, 0, [("xml", "cost", None, HUGE)]),
                 (2, 0, [("xml", "educationLevel", None, f"EQF level {HUGE}")])],
    "schemaorg": [(0, 0, [("insert", b'": ', 0, b"[" * 5000 + b"]" * 5000)]),  # RecursionError
                  (0, 0, [("json", "url", None, "http://[::1")]),  # urljoin's ValueError
                  (0, 0, [("json", "timeToComplete", None, f"P{HUGE}W")]),
                  (0, 0, [("json", "price", None, HUGE)])],
    "lheo": [(0, 0, [("xml", "nb-places", None, "\u00b2")]),
             (0, 0, [("xml", "nb-places", None, HUGE)]),
             (0, 0, [("xml", "duree-indicative", None, f"{HUGE} heures")]),
             (0, 0, [("xml", "prix-total-TTC", None, HUGE)])],
    "ctdl": [(0, 0, [("json", 1, "@list", None)])],  # a resource that normalises to None
}

positions = st.integers(min_value=0, max_value=2 ** 32)
MUTATION = st.one_of(
    st.tuples(st.just("truncate"), positions),
    st.tuples(st.just("flip"), positions, st.integers(1, 255)),
    st.tuples(st.just("delete"), positions, st.integers(1, 4096)),
    st.tuples(st.just("duplicate"), positions, st.integers(1, 4096), positions),
    st.tuples(st.just("insert"), st.sampled_from(ANCHORS), positions, st.sampled_from(HOSTILE)),
    st.tuples(st.just("prolog"), st.sampled_from(PROLOGS)),
    st.tuples(st.just("encoding"), st.sampled_from(ENCODINGS)),
    st.tuples(st.just("number"), positions, st.sampled_from(NUMBERS)),
    st.tuples(st.just("json"), positions, st.sampled_from(JSON_KEYS), st.sampled_from(JSON_VALUES)),
    st.tuples(st.just("xml"), positions, st.sampled_from(ATTRIBUTES), st.sampled_from(TEXTS)),
    st.tuples(st.just("xml_copy"), positions),
    st.tuples(st.just("cell"), positions, st.sampled_from(TEXTS)),
)
# a workbook is a zip: its members are mutated inside it, or every change is only a bad checksum
ZIPPED = st.tuples(st.just("zipped"), positions, st.lists(MUTATION, min_size=1, max_size=2))
MUTATIONS = st.lists(st.one_of(MUTATION, ZIPPED), min_size=1, max_size=3)


def _at(data: bytes, n: int) -> int:
    return n % (len(data) + 1)


def truncate(data, at):
    return data[:_at(data, at)]


def flip(data, at, mask):
    if not data:
        return data
    i = at % len(data)
    return data[:i] + bytes([data[i] ^ mask]) + data[i + 1:]


def delete(data, at, length):
    i = _at(data, at)
    return data[:i] + data[i + length:]


def duplicate(data, at, length, to):
    i = _at(data, at)
    piece, j = data[i:i + length], _at(data, to)
    return data[:j] + piece + data[j:]


def insert(data, anchor, at, fragment):
    ends = [m.end() for m in re.finditer(re.escape(anchor), data)] if anchor else []
    i = ends[at % len(ends)] if ends else _at(data, at)
    return data[:i] + fragment + data[i:]


def prolog(data, fragment):
    """Before the root: after the XML declaration when there is one."""
    declaration = re.match(rb"\s*<\?xml[^>]*\?>", data)
    i = declaration.end() if declaration else 0
    return data[:i] + fragment + data[i:]


def encoding(data, name):
    if name.startswith("declare-"):  # the declaration lies about the bytes
        said = {"declare-utf-16": b"UTF-16", "declare-latin-1": b"ISO-8859-1",
                "declare-unknown": b"x-no-such-encoding"}[name]
        changed = re.sub(rb'encoding=["\'][^"\']*["\']', b'encoding="' + said + b'"', data,
                         count=1)
        return changed if changed != data else b'<?xml version="1.0" encoding="' + said + \
            b'"?>' + data
    return data.decode("utf-8", "replace").encode(name, "replace")


def number(data, at, digits):
    runs = list(re.finditer(rb"\d+", data))
    if not runs:
        return data
    m = runs[at % len(runs)]
    return data[:m.start()] + digits + data[m.end():]


def json_value(data, at, key, value):
    """A hostile value in place of the ``at``-th value of the document (or of the first one
    named ``at``), or under ``key`` in its ``at``-th object; JSON with lone surrogates escaped,
    as ``json.dumps`` writes them."""
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        return data
    slots, stack = [], [doc]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) \
            if isinstance(node, list) else ()
        for k, v in items:
            slots.append((node, k))
            stack.append(v)
    if key is not None:
        objects = [doc] * isinstance(doc, dict) + [v for n, k in slots
                                                   if isinstance(v := n[k], dict)]
        if not objects:
            return data
        objects[at % len(objects)][key] = value
    elif isinstance(at, str):
        node, k = next(((n, k) for n, k in slots if k == at), (None, None))
        if node is None:
            return data
        node[k] = value
    elif slots:
        node, k = slots[at % len(slots)]
        node[k] = value
    return json.dumps(doc).encode()


def _tree(data):
    """(root, how to write it back) of a well-formed XML document or an HTML page, else None."""
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
        return root, lambda: etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    except (etree.XMLSyntaxError, ValueError):
        pass
    if not is_html(data):
        return None
    try:
        root = lxml.html.document_fromstring(data)
    except (etree.ParserError, ValueError):
        return None
    return root, lambda: etree.tostring(root, method="html", encoding="UTF-8")


def xml_text(data, at, attribute, value):
    """A hostile text (or attribute value) on the ``at``-th element of a well-formed document
    or a page, or on the first one named ``at``."""
    tree = _tree(data)
    if tree is None:
        return data
    root, written = tree
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    if isinstance(at, str):
        elements = [e for e in elements if etree.QName(e).localname == at][:1]
        if not elements:
            return data
    element = elements[at % len(elements) if isinstance(at, int) else 0]
    if attribute is None:
        element.text = value
    else:
        element.set(attribute, value)
    return written()


def xml_copy(data, at):
    """The ``at``-th element twice (a repeated course, id or property)."""
    tree = _tree(data)
    if tree is None:
        return data
    root, written = tree
    elements = [e for e in root.iter() if isinstance(e.tag, str) and e.getparent() is not None]
    if not elements:
        return data
    element = elements[at % len(elements)]
    element.addnext(deepcopy(element))
    return written()


def cell(data, at, value):
    """A hostile value in the ``at``-th cell of a UTF-8 CSV file (or in the first row's
    column named ``at``)."""
    try:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    except (UnicodeDecodeError, csv.Error):
        return data
    cells = [(r, c) for r, row in enumerate(rows) for c in range(len(row))]
    if not cells:
        return data
    if isinstance(at, str):
        if at not in rows[0] or len(rows) < 2:
            return data
        r, c = 1, rows[0].index(at)
    else:
        r, c = cells[at % len(cells)]
    rows[r][c] = value
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def zipped(data, at, mutations):
    """The ``at``-th member of a zip (a workbook's sheet, strings, styles...) mutated."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = {name: archive.read(name) for name in archive.namelist()}
    except Exception:  # not a zip, or one already damaged: left as it is
        return data
    if not members:
        return data
    name = list(members)[at % len(members)]
    members[name] = mutate(members[name], mutations)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as rebuilt:
        for member, content in members.items():
            rebuilt.writestr(member, content)
    return out.getvalue()


OPERATIONS = {"truncate": truncate, "flip": flip, "delete": delete, "duplicate": duplicate,
              "insert": insert, "prolog": prolog, "encoding": encoding, "number": number,
              "json": json_value, "xml": xml_text, "xml_copy": xml_copy, "cell": cell,
              "zipped": zipped}


def mutate(data: bytes, mutations) -> bytes:
    for name, *args in mutations:
        data = OPERATIONS[name](data, *args)
    return data


@contextmanager
def named(seed: Feed, target: int, mutations):
    """A failure names its example (long fragments cut), whatever Hypothesis prints."""
    def short(value):
        if isinstance(value, (str, bytes)) and len(value) > 40:
            return value[:30] + value[-6:]
        return [short(v) for v in value] if isinstance(value, (list, tuple)) else value
    try:
        yield
    except Exception as exc:
        raise AssertionError(f"{type(exc).__name__}: {seed!r}, document {target}, mutations "
                             f"{short(mutations)!r}: {exc}") from exc


def mutated(feed: Feed, target: int, mutations) -> Feed:
    """The feed with one of its documents mutated."""
    path = list(feed.documents)[target % len(feed.documents)]
    return Feed(feed.name, feed.fmt, {**feed.documents,
                                      path: mutate(feed.documents[path], mutations)},
                feed.query, feed.options, feed.country)


# --- gather and parse ----------------------------------------------------------------------------

def _source(feed: Feed, base: str) -> SimpleNamespace:
    """What gather reads of a source: no database."""
    return SimpleNamespace(id=1, format=feed.fmt, options=feed.options,
                           location=base + feed.path + feed.query,
                           provider=SimpleNamespace(country=feed.country))


def read_everything(feed: Feed, base: str = "https://feeds.example") -> int:
    """gather, then parse and check every record as the runner does; returns how many records
    were catalogued. Only SourceError (from gather), SkipRecord and InvalidRecord (from parse)
    may come out: anything else is a bug, which the runner would report as "unexpected"."""
    def fetch(url):
        data = feed.answer(url) if url.startswith(base) else None
        if data is None:
            raise SourceError(f"cannot read {url}: 404 Not Found")
        return data

    harvester, catalogued = registry.for_format(feed.fmt), 0
    try:
        records = list(harvester.gather(_source(feed, base), fetch))
    except SourceError:
        return 0
    for raw in records:
        if raw.deleted or not raw.remote_id or not _usable_id(raw.remote_id):
            continue  # the runner parses neither withdrawn records nor those without an id
        try:
            record = harvester.parse(raw)
        except (SkipRecord, InvalidRecord):
            continue
        clean_record(record)
        normalise(record)
        validate(record)
        record.content_hash()
        catalogued += 1
    return catalogued


def test_every_format_has_seeds(shared_data):
    assert set(FORMATS) == set(registry.harvesters)
    assert {fmt for fmt, seeds in feeds(shared_data).items() if seeds} == set(FORMATS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_intact_seeds_are_read(shared_data, fmt):
    """The seeds are feeds the harvesters read: mutations start from working documents."""
    for feed in feeds(shared_data)[fmt]:
        assert read_everything(with_base(feed, "https://feeds.example")) > 0, feed.name


@pytest.mark.parametrize("fmt", FORMATS)
def test_mutated_feeds_raise_only_the_seams_exceptions(shared_data, fmt):
    seeds = [with_base(f, "https://feeds.example") for f in feeds(shared_data)[fmt]]

    @settings(max_examples=EXAMPLES or 60, deadline=None, derandomize=EXAMPLES is None,
              database=None, suppress_health_check=list(HealthCheck))
    @given(seed=st.sampled_from(seeds), target=positions, mutations=MUTATIONS)
    def check(seed, target, mutations):
        with named(seed, target, mutations):
            read_everything(mutated(seed, target, mutations))

    for n, target, mutations in FOUND.get(fmt, ()):
        check = example(seed=seeds[n], target=target, mutations=mutations)(check)
    check()


# --- through the runner --------------------------------------------------------------------------

class FeedServer(BaseHTTPRequestHandler):
    feed: Feed | None = None

    def log_message(self, *args):
        pass

    def do_GET(self):
        data = FeedServer.feed.answer(self.path) if FeedServer.feed else None
        self.send_response(404 if data is None else 200)
        self.send_header("Content-Length", str(len(data or b"")))
        self.end_headers()
        self.wfile.write(data or b"")


@pytest.fixture(scope="module")
def feed_server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FeedServer)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def active(session, source_id) -> dict[str, str]:
    return dict(session.execute(select(Opportunity.remote_id, Opportunity.content_hash).where(
        Opportunity.source_id == source_id, Opportunity.status == Status.ACTIVE)).all())


def check_run(session, source_id: int, harvest: HarvestRun, caplog) -> None:
    """Closed, the lease released, and no harvester bug caught by the runner's safety nets: a
    source that failed otherwise than by SourceError is logged, a record by its message."""
    session.expire_all()
    row = session.get(HarvestRun, harvest.id)
    assert row.status in (RunStatus.SUCCEEDED, RunStatus.PARTIAL, RunStatus.FAILED)
    assert row.finished_at is not None
    assert session.get(Source, source_id).lease_run_id is None
    stopped = [r.getMessage() for r in caplog.records if r.name == "harvesters.runner"]
    assert not stopped, (row.message, stopped)
    caught = [e.message for e in row.errors if e.message.startswith(SAFETY_NETS)]
    assert not caught, caught


def harvest_twice(session, make_source, tmp_path, caplog, base: str, seed: Feed,
                  bad: Feed) -> None:
    """The intact feed, then the mutated one, into one source; see the test below."""
    served = len(seed.documents) > 1 or seed.fmt == "oai-pmh"
    path = tmp_path / seed.path.lstrip("/")
    source = make_source(base + seed.path + seed.query if served else path,
                         country=seed.country, fmt=seed.fmt)
    source.options = seed.options
    session.commit()
    for feed in (seed, bad):
        FeedServer.feed = feed
        path.write_bytes(feed.documents[seed.path])
        caplog.clear()
        harvest = run(session, source, fetch=local(), full=True)
        check_run(session, source.id, harvest, caplog)
        if feed is seed:
            assert harvest.status is not RunStatus.FAILED and harvest.added, harvest.message
            before = active(session, source.id)
    after = active(session, source.id)
    if harvest.status is RunStatus.FAILED:
        assert after == before
        return
    items = session.execute(select(HarvestItem.remote_id, HarvestItem.outcome,
                                   HarvestItem.position).where(HarvestItem.run_id == harvest.id))
    items = [(rid, outcome, position) for rid, outcome, position in items]
    retired = {rid for rid, outcome, _ in items if outcome is ItemOutcome.RETIRED}
    assert set(before) - set(after) == retired & set(before)
    if not harvest.complete:  # what it did not read, it did not retire
        assert all(position is not None for _, outcome, position in items
                   if outcome is ItemOutcome.RETIRED)
    rejected = {rid for rid, outcome, _ in items if outcome is ItemOutcome.REJECTED}
    for rid in rejected & set(before):  # a record that turned bad keeps its last good version
        assert after[rid] == before[rid]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_mutated_feed_after_the_intact_one_loses_no_record(session, make_source, shared_data,
                                                              tmp_path, feed_server, caplog, fmt):
    """Served from 127.0.0.1 (a sitemap's pages, an OAI-PMH endpoint) or registered as a local
    file: the intact feed loads; the mutated one fails with every record still active as it was,
    or it succeeds, and each record it no longer holds was retired by that run, on its record."""
    seeds = [with_base(f, feed_server) for f in feeds(shared_data)[fmt]]

    @settings(max_examples=EXAMPLES or 12, deadline=None, derandomize=EXAMPLES is None,
              database=None, suppress_health_check=list(HealthCheck))
    @given(seed=st.sampled_from(seeds), target=positions, mutations=MUTATIONS)
    def check(seed, target, mutations):
        with named(seed, target, mutations):
            harvest_twice(session, make_source, tmp_path, caplog, feed_server, seed,
                          mutated(seed, target, mutations))

    for n, target, mutations in FOUND.get(fmt, ()):
        check = example(seed=seeds[n], target=target, mutations=mutations)(check)
    check()
