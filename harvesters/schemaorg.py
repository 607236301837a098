"""schema.org: Course (with its CourseInstances), EducationalOccupationalProgram and
EducationalOccupationalCredential, read from a JSON-LD feed, from one course page or from a sitemap
of course pages (JSON-LD, microdata or RDFa Lite markup, harvesters/page_markup.py).

Many providers already publish this markup for search engines, so it is often the cheapest way into
the catalogue. The compact schema.org terms are read as plain JSON: no remote @context is fetched.
Properties learncat has no field for are kept in ``extras``, with one notice per property.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

from babel import Locale, UnknownLocaleError
from lxml import etree

from catalogue import prices
from catalogue import vocabularies as vocab
from catalogue.numbers import decimal, optional
from catalogue.record import OpportunityRecord
from catalogue.validation import FieldError

from .base import Fetch, Harvester, InvalidRecord, Notice, RawRecord, SourceError, registry
from .detect import is_html
from .json_doc import load_json
from .page_markup import page_documents
from .xml import parse_xml, text

RECORD_TYPES = {"Course", "EducationalOccupationalProgram", "WorkBasedProgram",
                "EducationalOccupationalCredential"}
SCHEMA_TYPE = re.compile(r"(?:https?://schema\.org/|schema:)?(\w+)")  # not 'ceterms:Course'
CREDENTIAL = "EducationalOccupationalCredential"
NESTING = ("mainEntity", "itemListElement", "item")  # where pages wrap the course (ItemList...)
MODES = {
    **dict.fromkeys(("online", "mooc", "elearning", "virtual", "virtuallocation",
                     "onlineeventattendancemode"), "online"),
    **dict.fromkeys(("onsite", "inperson", "facetoface", "classroom", "oncampus", "offline",
                     "offlineeventattendancemode"), "onsite"),
    **dict.fromkeys(("blended", "hybrid", "mixed", "mixedeventattendancemode"), "blended"),
}
# properties read from a Course, Program or Credential, and from each CourseInstance
SHARED = {"@type", "@id", "courseMode", "eventAttendanceMode", "startDate", "location", "offers",
          "inLanguage", "availableLanguage", "courseWorkload", "timeRequired"}
MAPPED = SHARED | {
    "@context", "url", "name", "description", "provider", "hasCourseInstance", "teaches",
    "competencyRequired", "coursePrerequisites", "programPrerequisites", "timeToComplete",
    "numberOfCredits", "educationalLevel", "applicationDeadline", "occupationalCategory",
    "isAccessibleForFree"}
NUMBER = r"(\d+(?:[.,]\d+)?)"
ISO_DURATION = re.compile(rf"P(?:{NUMBER}Y)?(?:{NUMBER}M)?(?:{NUMBER}W)?(?:{NUMBER}D)?"
                          rf"(?:T(?:{NUMBER}H)?(?:{NUMBER}M)?(?:{NUMBER}S)?)?")
ECTS = re.compile(r"\bects\b|european credit transfer", re.I)
ESCO = "http://data.europa.eu/esco/"


@dataclass
class _Node:
    node: dict
    base: str  # the page or feed URL: relative @id and url resolve against it


@dataclass
class _Broken:
    problems: list[str]


@registry.register
class SchemaOrgHarvester(Harvester):
    name = "schemaorg"
    wanted = "Course, EducationalOccupationalProgram or EducationalOccupationalCredential"

    def gather(self, source, fetch: Fetch) -> Iterator[RawRecord]:
        data = fetch(source.location)
        if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
            try:
                document = load_json(data.decode("utf-8-sig"))  # depth-limited, as mapped
            except UnicodeDecodeError as exc:
                raise SourceError(f"not a readable JSON-LD feed: {exc}") from exc
            pages, feed = [(source.location, [document], [])], True
        elif is_html(data):  # one course page, registered on its own
            pages, feed = self._pages([source.location], lambda _: data), False
        else:
            pages, feed = self._pages(self._sitemap(data, fetch, source.location), fetch), False
        records: dict[str, RawRecord] = {}
        broken, other = [], 0
        for number, (page, documents, problems) in enumerate(pages, start=1):
            nodes = [n for d in documents for n in _catalogue_nodes(d)]
            if documents and not nodes:
                other += 1
                self.found.update(t for d in documents for t in outline(d))
            for k, node in enumerate(nodes, start=1):
                rid = _id(node, page) or f"{page}#{k}"
                kept = records.get(rid)  # the same course marked up on two pages: keep the fuller
                if kept is None or len(json.dumps(node)) > len(json.dumps(kept.data.node)):
                    position = kept.position if kept else k if feed else number
                    records[rid] = RawRecord(rid, _Node(node, page), position)
            if problems:
                broken.append(RawRecord(page, _Broken(problems), number))
        if broken:  # what those pages held is unknown: retire nothing this time
            self.complete = False
        yield from records.values()
        yield from broken
        if other and records:  # with no record at all, the runner says what was found
            self.notices.append(Notice(None, f"{other} pages or feeds have structured data but "
                                       f"no {self.wanted}"))

    def _sitemap(self, data: bytes, fetch: Fetch, location: str, depth: int = 0) -> list[str]:
        root = parse_xml(data)
        kind = etree.QName(root).localname
        locs = [text(loc) for loc in root.iterfind("{*}url/{*}loc" if kind == "urlset"
                                                   else "{*}sitemap/{*}loc")]
        if kind == "sitemapindex" and depth == 0:
            return list(dict.fromkeys(p for loc in locs for p in
                                      self._sitemap(fetch(loc), fetch, loc, depth + 1)))
        if kind != "urlset":
            raise SourceError(f"{location} is neither a sitemap (urlset) nor a JSON-LD feed")
        return list(dict.fromkeys(loc for loc in locs if loc))

    def _pages(self, urls: list[str], fetch: Fetch):
        """(page, documents, problems) for each page: its JSON-LD, microdata and RDFa."""
        without = 0
        for url in urls:
            try:
                documents, problems = page_documents(fetch(url))
            except SourceError as exc:
                yield url, [], [f"cannot read the page: {exc}"]
                continue
            without += not documents and not problems
            yield url, documents, problems
        if without:
            self.notices.append(Notice(None, f"{without} of {len(urls)} pages have no structured "
                                       "data (JSON-LD, microdata or RDFa)"))

    def parse(self, raw: RawRecord) -> OpportunityRecord:
        if isinstance(raw.data, _Broken):
            raise InvalidRecord([FieldError("json-ld", p) for p in raw.data.problems])
        return NodeMapper(self, raw.data.node, raw.data.base, raw.remote_id).record()

    def unmapped(self, prop: str) -> None:
        self.notice_once(prop, prop, "schema.org property learncat has no field for (or values "
                         "it could not read): kept as extras")


def outline(document, schema: bool = True) -> Iterator[str]:
    """The types of a document's top-level nodes (and of its @graph's), for the warning of a run
    that found nothing to catalogue: 'schema.org Event', or another vocabulary's as written
    ('ceterms:Course'; a bare term counts as schema.org unless an @context says otherwise)."""
    for node in as_list(document):
        if not isinstance(node, dict):
            continue
        context = node.get("@context")
        here = schema if context is None else "schema.org" in json.dumps(context)
        if "@graph" in node:
            yield from outline(node["@graph"], here)
        for t in as_list(node.get("@type")):
            if isinstance(t, str) and t.strip():
                m = SCHEMA_TYPE.fullmatch(t.strip())
                yield f"schema.org {m.group(1)}" if m and (here or m.group(1) != t) else t


def _catalogue_nodes(document) -> Iterator[dict]:
    """Course, Program and Credential nodes at the top of a document (or in @graph, an
    ItemList or a page's mainEntity); credentials nested in a course are not records."""
    for node in as_list(document):
        if not isinstance(node, dict):
            continue
        if types(node) & RECORD_TYPES:
            yield node
            continue
        for key in ("@graph", *NESTING):
            yield from _catalogue_nodes(node.get(key))


class NodeMapper:
    """One node to one record; what has no field goes to extras (instance values in lists)."""

    def __init__(self, harvester: SchemaOrgHarvester, node: dict, base: str, remote_id: str):
        self.harvester, self.node, self.base, self.remote_id = harvester, node, base, remote_id
        self.extras: dict = {}
        self.modes: set[str] = set()
        self.starts: list[str] = []
        self.places: list[dict] = []
        self.offers: list[dict] = []
        self.languages: list[str] = []
        self.durations: list[tuple[float, str]] = []
        self.hours: list[float] = []

    def record(self) -> OpportunityRecord:
        n, credential = self.node, CREDENTIAL in types(self.node)
        self.collect(n, "")
        for instance in as_list(n.get("hasCourseInstance")):
            if isinstance(instance, dict):
                self.collect(instance, "hasCourseInstance.")
            else:
                self.keep("hasCourseInstance", instance, listed=True)
        lang = self.languages[0] if self.languages else "en"
        r = OpportunityRecord(remote_id=self.remote_id)
        r.title, r.description = texts(n.get("name"), lang), texts(n.get("description"), lang)
        r.url = next(iter(self.urls(n.get("url")) + self.urls(n.get("@id"))), None)
        provider = first(n.get("provider"))
        r.awarding_body = label(provider)
        if isinstance(provider, dict):
            r.country = country_of(provider.get("address"))
        outcomes = [label(v) for v in as_list(n.get("teaches"))
                    if not (isinstance(v, str) and v.startswith(ESCO))]
        required = [label(v) for v in as_list(n.get("competencyRequired"))]
        if credential:  # what a holder has shown is what the credential certifies
            outcomes += required
            required = []
        r.learning_outcomes = {lang: [o for o in outcomes if o]} if any(outcomes) else {}
        prerequisites = required + [label(v) for key in ("coursePrerequisites",
                                                         "programPrerequisites")
                                    for v in as_list(n.get(key))]
        if any(prerequisites):
            r.prerequisites = {lang: "; ".join(p for p in prerequisites if p)}
        r.esco_skills = [u for v in as_list(n.get("teaches")) for u in self.urls(v)
                         if u.startswith(ESCO + "skill/")]
        self.level(r, n.get("educationalLevel"))
        self.credits(r, n.get("numberOfCredits"))
        self.occupations(r, n.get("occupationalCategory"))
        deadline = date_of(n.get("applicationDeadline"))
        if deadline or n.get("applicationDeadline") is None:
            r.application_deadline = deadline
        else:
            self.keep("applicationDeadline", n["applicationDeadline"])
        program = iso_duration(n.get("timeToComplete"))
        if program is None and n.get("timeToComplete") is not None:
            self.keep("timeToComplete", n["timeToComplete"])
        r.duration_value, r.duration_unit = program or (self.durations or [(None, None)])[0]
        r.workload_hours = self.hours[0] if self.hours else None
        forms = self.modes
        r.participation_form = ("blended" if "blended" in forms or {"online", "onsite"} <= forms
                                else next(iter(forms), None))
        r.start_dates = sorted(set(self.starts))
        r.places = list({tuple(p.items()): p for p in self.places}.values())
        r.languages = list(dict.fromkeys(self.languages))
        priced = [o for o in self.offers if o["price"] is not None]
        if priced:
            if len({(o["price"], o["currency"]) for o in priced}) > 1:
                self.extras["offers"] = priced  # the first offer is the catalogue's price
            prices.apply(r, [{"amount": o["price"], "currency": o["currency"],
                              "condition": _condition(o["category"])} for o in priced],
                         choose=prices.first)
        elif n.get("isAccessibleForFree") in (True, "true", "True"):
            prices.apply(r, [{"amount": 0.0, "currency": None, "condition": None}])
        for key, value in n.items():
            if key not in MAPPED:
                self.keep(key, value)
        r.extras = self.extras
        return r

    def collect(self, obj: dict, where: str) -> None:
        """The properties a Course and its instances share: modes, dates, places, offers..."""
        for key in ("courseMode", "eventAttendanceMode"):
            for value in as_list(obj.get(key)):
                mode = mode_of(value)
                if mode:
                    self.modes.add(mode)
                else:
                    self.keep(where + key, value, listed=True)
        for value in as_list(obj.get("startDate")):
            if start := date_of(value):
                self.starts.append(start)
            else:
                self.keep(where + "startDate", value, listed=True)
        for value in as_list(obj.get("location")):
            if isinstance(value, dict) and "VirtualLocation" in types(value):
                self.modes.add("online")
            elif place := place_of(value):
                self.places.append(place)
        for value in as_list(obj.get("offers")):
            if offer := offer_of(value):
                self.offers.append(offer)
            else:
                self.keep(where + "offers", value, listed=True)
        for key in ("inLanguage", "availableLanguage"):
            for value in as_list(obj.get(key)):
                if code := language_code(value):
                    self.languages.append(code)
                else:
                    self.keep(where + key, value, listed=True)
        for key in ("courseWorkload", "timeRequired"):
            for value in as_list(obj.get(key)):
                duration = iso_duration(value)
                if duration is None:
                    self.keep(where + key, value, listed=True)
                    continue
                self.durations.append(duration)
                if duration[1] == "hour":
                    self.hours.append(duration[0])
        if where:
            for key, value in obj.items():
                if key not in SHARED:
                    self.keep(where + key, value, listed=True)

    def keep(self, prop: str, value, listed: bool = False) -> None:
        if listed:
            self.extras.setdefault(prop, []).append(value)
        else:
            self.extras[prop] = value
        self.harvester.unmapped(prop)

    def level(self, r: OpportunityRecord, value) -> None:
        """EQF when it says so; a level of another framework (a DefinedTerm in a term set, or
        'level 7') as the national level; anything else ('Beginner') as an extra."""
        for item in as_list(value):
            name, said = label(item) or "", json.dumps(item).lower()
            parts = ([item.get("termCode"), item.get("name"), str(item.get("@id")).split("/")[-1]]
                     if isinstance(item, dict) else [item])
            digits = set(re.findall(r"\b([1-8])\b", " ".join(map(str, parts))))
            if "eqf" in said and len(digits) == 1:
                r.eqf_level = int(digits.pop())
            elif (isinstance(item, dict) and item.get("inDefinedTermSet") and name
                  or re.search(r"\blevel\s*\d", name, re.I)):
                r.nqf_level = name
            else:
                self.keep("educationalLevel", item, listed=True)

    def credits(self, r: OpportunityRecord, value) -> None:
        """numberOfCredits counts as ECTS only when its unit or type says so."""
        if value is None:
            return
        number = value.get("value") if isinstance(value, dict) else value
        said = json.dumps({k: v for k, v in value.items() if k != "value"}) \
            if isinstance(value, dict) else ""
        ects = optional(number)
        if ects is not None and ECTS.search(said):
            r.ects = ects
        else:
            self.keep("numberOfCredits", value)

    def occupations(self, r: OpportunityRecord, value) -> None:
        for item in as_list(value):
            uris = [u for u in self.urls(item) if u.startswith(ESCO + "occupation/")]
            r.esco_occupations += uris
            if not uris:
                self.keep("occupationalCategory", item, listed=True)

    def urls(self, value) -> list[str]:
        """Absolute http(s) addresses in a string, {"@id": ...} or a node's url/@id."""
        found = []
        for item in as_list(value):
            if isinstance(item, dict):
                found += self.urls(item.get("url")) + self.urls(item.get("@id"))
            elif isinstance(item, str) and item.strip() and not item.startswith("_:"):
                url = _resolved(self.base, item.strip())
                if url and _is_web(url):
                    found.append(url)
        return found


def _id(node: dict, base: str) -> str | None:
    """@id (unless a blank node) or url, resolved against the page."""
    for value in (node.get("@id"), node.get("url")):
        value = value.get("@id") if isinstance(value, dict) else value
        if isinstance(value, str) and value.strip() and not value.startswith("_:"):
            return _resolved(base, value.strip()) or value.strip()
    return None


def _resolved(base: str, reference: str) -> str | None:
    """``reference`` resolved against the page; None when it cannot be ("http://[::1": an
    unclosed IPv6 bracket makes urljoin raise)."""
    try:
        return urljoin(base, reference)
    except ValueError:
        return None


def _is_web(url: str) -> bool:
    return url.startswith(("http://", "https://"))


def as_list(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def first(value):
    return next(iter(as_list(value)), None)


def types(node: dict) -> set[str]:
    """schema.org type names: 'schema:Course' and 'https://schema.org/Course' are 'Course';
    another vocabulary's ('ceterms:Course', 'http://purl.org/ctdl/terms/Course') are none."""
    return {m.group(1) for t in as_list(node.get("@type")) if isinstance(t, str)
            and (m := SCHEMA_TYPE.fullmatch(t.strip()))}


def texts(value, lang: str) -> dict[str, str]:
    """{language: text} from strings or {"@value", "@language"} objects."""
    out: dict[str, str] = {}
    for item in as_list(value):
        tag = lang
        if isinstance(item, dict):
            tag = language_code(item.get("@language")) or lang
            item = item.get("@value")
        if isinstance(item, (str, int, float)) and str(item).strip():
            out.setdefault(tag, str(item).strip())
    return out


def label(value) -> str | None:
    """A readable name of a string, DefinedTerm, Organization, Credential, Course..."""
    if isinstance(value, (str, int, float)):
        return " ".join(str(value).split()) or None
    if isinstance(value, list):
        return "; ".join(filter(None, map(label, value))) or None
    if isinstance(value, dict):
        for key in ("name", "credentialCategory", "targetName", "termCode", "description",
                    "@value"):
            if value.get(key):
                return label(value[key])
    return None


def language_code(value) -> str | None:
    """An ISO 639-1 code (or 639-2 where there is none) from 'en-GB', 'ger', 'English' or a
    schema.org Language."""
    values = ([value.get("alternateName"), value.get("name"), value.get("@value")]
              if isinstance(value, dict) else [value])
    for item in values:
        if not isinstance(item, str) or not item.strip():
            continue
        try:
            code = Locale.parse(item.strip().replace("-", "_")).language
        except (ValueError, TypeError, UnknownLocaleError):
            code = vocab.language_of_name(item)
        if code and vocab.is_language(code):
            return code
    return None


def mode_of(value) -> str | None:
    value = value.get("@id") if isinstance(value, dict) else value
    return MODES.get(re.sub(r"[^a-z]", "", re.split(r"[/:#]", str(value))[-1].lower()))


def date_of(value) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        return None


def iso_duration(value) -> tuple[float, str] | None:
    """'P4Y' -> (4, 'year'), 'PT1H30M' -> (1.5, 'hour'), 'P1Y6M' -> (18, 'month')."""
    match = ISO_DURATION.fullmatch(value.strip().upper()) if isinstance(value, str) else None
    if not match or not any(match.groups()):
        return None
    try:
        y, mo, w, d, h, mi, s = (decimal(g) if g else 0.0 for g in match.groups())
    except ValueError:  # more digits than a float holds: no duration
        return None
    days = y * 365 + mo * 30 + w * 7 + d
    if h or mi or s:
        value, unit = days * 24 + h + mi / 60 + s / 3600, "hour"
    else:
        given = [(v, u) for v, u in ((y, "year"), (mo, "month"), (w, "week"), (d, "day")) if v]
        value, unit = (given[0] if len(given) == 1 else (y * 12 + mo, "month")
                       if not (w or d) else (days, "day")) if given else (0.0, "day")
    return (round(value, 2), unit) if value > 0 else None


def _condition(category: str | None) -> str | None:
    """An Offer's category as the condition of its price, unless it only says paid or free."""
    return None if (category or "").strip().lower() in ("", "paid", "free") else category


def offer_of(value) -> dict | None:
    """{price, currency, category} of an Offer (price on it or in its priceSpecification)."""
    if not isinstance(value, dict):
        return None
    spec = first(value.get("priceSpecification"))
    spec = spec if isinstance(spec, dict) else {}
    price = value.get("price", spec.get("price"))
    currency = value.get("priceCurrency") or spec.get("priceCurrency")
    currency = currency.strip().upper() if isinstance(currency, str) else None
    number = optional(price, thousands=True)
    if price is not None and number is None:  # text such as "£1,250" or "Free": its lowest
        low = prices.lowest(prices.parse(price, currency) if isinstance(price, str) else [])
        if not low:
            return None
        number, currency = low["amount"], low["currency"] or currency
    return {"price": number, "category": label(value.get("category")), "currency": currency}


def country_of(address) -> str | None:
    if not isinstance(address, dict):
        return None
    country = address.get("addressCountry")
    country = label(country) if isinstance(country, dict) else country
    return country.upper() if isinstance(country, str) and vocab.is_country(country) else None


def place_of(value) -> dict | None:
    """A place name (a string, a Place's address locality or name) with country and geo."""
    if isinstance(value, str):
        return {"city": value.strip(), "nuts": None, "country": None, "lat": None,
                "lon": None} if value.strip() else None
    if not isinstance(value, dict):
        return None
    address = value.get("address") if isinstance(value.get("address"), dict) else {}
    city = label(address.get("addressLocality")) or label(value.get("name"))
    geo = value.get("geo") if isinstance(value.get("geo"), dict) else {}
    lat, lon = optional(geo.get("latitude")), optional(geo.get("longitude"))
    if lat is None or lon is None:
        lat = lon = None
    if not city:
        return None
    return {"city": city, "nuts": None, "country": country_of(address), "lat": lat, "lon": lon}
