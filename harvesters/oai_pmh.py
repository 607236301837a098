"""OAI-PMH 2.0: ListRecords across resumption tokens, asking only for what changed since the last
error-free run; withdrawn records (``status="deleted"``) retire their offers.

Repositories expose course and OER metadata this way. The protocol is handled here; each payload
goes to a mapper for its format: a minimal one (title, description, address, language) for Dublin
Core, MODS and DataCite, or the registered harvester of a richer format (XCRI-CAP, ELM LOQ).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timezone
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree

from catalogue.record import OpportunityRecord
from catalogue.validation import FieldError

from .base import Fetch, Harvester, InvalidRecord, Notice, RawRecord, SourceError, registry
from .schemaorg import language_code
from .xml import lang_of, parse_xml, text

OAI = "{http://www.openarchives.org/OAI/2.0/}"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "{http://purl.org/dc/elements/1.1/}"
MODS = "http://www.loc.gov/mods/v3"
DATACITE = "http://datacite.org/schema/kernel-"  # -3, -4 ...
# payload namespaces (their start) and metadata prefixes of formats another harvester maps
DELEGATE_NAMESPACES = (("http://xcri.org/profiles/", "xcri-cap"),
                       ("http://data.europa.eu/snb/model/ap/loq", "elm-loq-xml"))
DELEGATE_PREFIXES = {"xcri": "xcri-cap", "xcri_cap": "xcri-cap", "loq": "elm-loq-xml",
                     "elm": "elm-loq-xml"}
LANGUAGE_MARK = re.compile(r"^\(([a-z]{2,3})\)\s*")  # "(de)Text...", as some repositories write


@dataclass
class _Payload:
    kind: str  # "dc", "mods", "datacite"
    element: etree._Element


@dataclass
class _Delegated:
    harvester: Harvester
    raw: RawRecord


@dataclass
class _Broken:
    problem: str


@registry.register
class OaiPmhHarvester(Harvester):
    name = "oai-pmh"
    wanted = "OAI-PMH record"
    incremental = True

    def __init__(self) -> None:
        super().__init__()
        self._delegates: dict[str, Harvester] = {}
        self._skipped: Counter[str] = Counter()

    def gather(self, source, fetch: Fetch) -> Iterator[RawRecord]:
        base, params = split_location(source.location)
        prefix = params.setdefault("metadataPrefix", "oai_dc")
        if self.since is not None:
            params["from"] = self._from(base, fetch)
        url, tokens, position = request_url(base, {"verb": "ListRecords", **params}), set(), 0
        while True:
            answer = self._request(url, fetch)
            if answer is None:  # noRecordsMatch: nothing (new) to harvest
                break
            for record in answer.iterfind(f"{OAI}record"):
                position += 1
                yield from self._raw(record, prefix, position, source)
            token = text(answer.find(f"{OAI}resumptionToken"))
            if not token:
                break
            if token in tokens:
                raise SourceError(f"the repository sent resumption token {token!r} twice: "
                                  "stopping rather than looping")
            tokens.add(token)
            url = request_url(base, {"verb": "ListRecords", "resumptionToken": token})
        for fmt, count in self._skipped.items():
            self.notices.append(Notice("metadata", f"{count} records in {fmt} skipped: no "
                                       "harvester for that format is registered"))

    def _from(self, base: str, fetch: Fetch) -> str:
        """The last clean run's start in the repository's granularity (days unless Identify
        says seconds: a day's overlap only re-reads unchanged records)."""
        since = self.since if self.since.tzinfo else self.since.replace(tzinfo=timezone.utc)
        since = since.astimezone(timezone.utc)
        try:
            identify = parse_xml(fetch(request_url(base, {"verb": "Identify"})))
            seconds = "hh:mm:ss" in text(identify.find(f"{OAI}Identify/{OAI}granularity"))
        except SourceError:
            seconds = False
        return since.strftime("%Y-%m-%dT%H:%M:%SZ") if seconds else since.date().isoformat()

    def _request(self, url: str, fetch: Fetch) -> etree._Element | None:
        root = parse_xml(fetch(url))
        if root.tag != f"{OAI}OAI-PMH":
            raise SourceError(f"not an OAI-PMH response: <{etree.QName(root).localname}>")
        errors = [(e.get("code") or "?", text(e)) for e in root.iterfind(f"{OAI}error")]
        if errors and all(code == "noRecordsMatch" for code, _ in errors):
            return None
        if errors:
            raise SourceError("the repository answered " + "; ".join(
                f"{code}: {message}" if message else code for code, message in errors))
        answer = root.find(f"{OAI}ListRecords")
        if answer is None:
            raise SourceError("the OAI-PMH response has no ListRecords")
        return answer

    def _raw(self, record, prefix: str, position: int, source) -> Iterator[RawRecord]:
        header = record.find(f"{OAI}header")
        rid = text(header.find(f"{OAI}identifier")) if header is not None else ""
        if header is not None and header.get("status") == "deleted":
            yield RawRecord(rid or None, None, position, deleted=True)
            return
        metadata = record.find(f"{OAI}metadata")
        payload = next(iter(metadata.iterchildren(etree.Element)), None) \
            if metadata is not None else None
        if payload is None:
            yield RawRecord(rid or None, _Broken("the record has no metadata"), position)
            return
        for element in payload.iter(etree.Element):
            namespace = etree.QName(element).namespace or ""
            kind = {OAI_DC: "dc", MODS: "mods"}.get(namespace) or (
                "datacite" if namespace.startswith(DATACITE) else None)
            if kind:
                yield RawRecord(rid or None, _Payload(kind, element), position)
                return
            if name := next((n for ns, n in DELEGATE_NAMESPACES if namespace.startswith(ns)),
                            None):
                yield from self._delegate(name, element, rid, position, source)
                return
        name = DELEGATE_PREFIXES.get(prefix, prefix)
        if name in registry.harvesters and name != self.name:
            yield from self._delegate(name, payload, rid, position, source)
        else:
            self._skipped[f"{prefix} ({etree.QName(payload).namespace or 'no namespace'})"] += 1

    def _delegate(self, name, element, rid, position, source) -> Iterator[RawRecord]:
        """The payload as a one-record document for the harvester of its format."""
        cls = registry.harvesters.get(name)
        if cls is None:
            self._skipped[name] += 1
            return
        delegate = self._delegates.setdefault(name, cls())
        payload = etree.tostring(element, encoding="UTF-8", xml_declaration=True)
        try:
            inner = list(delegate.gather(_PayloadSource(source, f"{source.location}#{rid}"),
                                         lambda _location: payload))
        except SourceError as exc:
            inner = [RawRecord(rid, _Broken(f"{name}: {exc}"))]
        finally:
            self._adopt(delegate)
        for n, raw in enumerate(inner, start=1):
            # one record keeps the OAI identifier, so that a later deleted header retires it
            inner_id = rid if len(inner) == 1 else f"{rid}#{raw.remote_id or n}"
            data = raw.data if isinstance(raw.data, _Broken) else _Delegated(delegate, raw)
            yield RawRecord(inner_id, data, position, deleted=raw.deleted)

    def _adopt(self, delegate: Harvester) -> None:
        for notice in delegate.notices:
            if notice not in self.notices:
                self.notices.append(notice)

    def parse(self, raw: RawRecord) -> OpportunityRecord:
        data = raw.data
        if isinstance(data, _Broken):
            raise InvalidRecord([FieldError("metadata", data.problem)])
        if isinstance(data, _Delegated):
            try:
                record = data.harvester.parse(data.raw)
            finally:
                self._adopt(data.harvester)
            record.remote_id = raw.remote_id
            return record
        return MAPPERS[data.kind](data.element, raw.remote_id)


class _PayloadSource:
    """The harvested source, seen by a delegate as if located at one record."""

    def __init__(self, source, location: str):
        self._source, self.location = source, location

    def __getattr__(self, name):
        return getattr(self._source, name)


def split_location(location: str) -> tuple[str, dict[str, str]]:
    """'https://repo/oai?metadataPrefix=mods&set=oer' -> base URL and its arguments."""
    parts = urlsplit(location)
    params = {k: v for k, v in parse_qsl(parts.query) if k != "verb"}
    return urlunsplit(parts._replace(query="")), params


def request_url(base: str, params: dict[str, str]) -> str:
    return f"{base}?{urlencode(params)}"


def _texts(elements, default: str, join: bool = False) -> dict[str, str]:
    """{language: text}: xml:lang, else an "(xx)" mark, else the record's language."""
    out: dict[str, str] = {}
    for element in elements:
        value = text(element)
        tag = language_code(lang_of(element)) if lang_of(element) else None
        mark = LANGUAGE_MARK.match(value)
        if mark and language_code(mark[1]):
            tag, value = tag or language_code(mark[1]), value[mark.end():]
        if not value:
            continue
        tag = tag or default
        out[tag] = f"{out[tag]}\n\n{value}" if join and tag in out else out.get(tag, value)
    return out


def _languages(values) -> list[str]:
    return list(dict.fromkeys(filter(None, (language_code(text(v)) for v in values))))


def _web(values) -> str | None:
    return next((v for v in values if v.startswith(("http://", "https://"))), None)


def map_dc(dc, rid: str) -> OpportunityRecord:
    languages = _languages(dc.iterfind(f"{DC}language"))
    default = languages[0] if languages else "und"
    return OpportunityRecord(
        remote_id=rid, languages=languages,
        title=_texts(dc.iterfind(f"{DC}title"), default),
        description=_texts(dc.iterfind(f"{DC}description"), default, join=True),
        url=_web(text(e) for e in dc.iterfind(f"{DC}identifier")))


def map_mods(mods, rid: str) -> OpportunityRecord:
    m = f"{{{MODS}}}"
    languages = _languages(mods.iterfind(f"{m}language/{m}languageTerm[@type='code']"))
    default = languages[0] if languages else "und"
    titles: dict[str, str] = {}
    for info in mods.iterfind(f"{m}titleInfo"):
        if info.get("type") in ("abbreviated", "alternative", "uniform"):
            continue
        title = " ".join(filter(None, (text(info.find(f"{m}nonSort")),
                                       text(info.find(f"{m}title")))))
        subtitle = text(info.find(f"{m}subTitle"))
        lang = language_code(lang_of(info)) or default
        if title:
            titles.setdefault(lang, f"{title}: {subtitle}" if subtitle else title)
    identifiers = [("https://doi.org/" + text(e)) if e.get("type") == "doi" else text(e)
                   for e in mods.iterfind(f"{m}identifier")]
    locations = [text(e) for e in mods.iterfind(f"{m}location/{m}url")
                 if e.get("access") == "object in context"]
    return OpportunityRecord(
        remote_id=rid, languages=languages, title=titles,
        description=_texts(mods.iterfind(f"{m}abstract"), default, join=True),
        url=_web(identifiers + locations + [text(e) for e in mods.iterfind(f"{m}location/{m}url")]))


def map_datacite(resource, rid: str) -> OpportunityRecord:
    d = f"{{{etree.QName(resource).namespace}}}"
    languages = _languages(resource.iterfind(f"{d}language"))
    identifiers = [("https://doi.org/" + text(e)) if e.get("identifierType") == "DOI" else text(e)
                   for e in resource.iterfind(f"{d}identifier")]
    description = _texts((e for e in resource.iterfind(f"{d}descriptions/{d}description")
                          if e.get("descriptionType") in (None, "Abstract")),
                         languages[0] if languages else "und", join=True)
    # no <language>: the abstract's "(xx)" mark is the best guess for the title too
    default = languages[0] if languages else next(iter(description), "und")
    title = _texts((e for e in resource.iterfind(f"{d}titles/{d}title")
                    if not e.get("titleType")), default)
    return OpportunityRecord(remote_id=rid, languages=languages, title=title,
                             description=description, url=_web(identifiers))


MAPPERS = {"dc": map_dc, "mods": map_mods, "datacite": map_datacite}
