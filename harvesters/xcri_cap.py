"""XCRI-CAP 1.2 course feeds (UK colleges and universities): one record per course presentation.

A learner enrols on a presentation (a start, a place, a mode of attendance), so each presentation
becomes an offer that carries its course's description, outcomes, credits and qualification.
XCRI-CAP says more than learncat stores: every element without a learncat field, and every value
that cannot be mapped, is kept in ``extras`` and named once in a notice, never dropped silently.
"""
from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from copy import deepcopy
from functools import cache

from babel.numbers import get_territory_currencies
from lxml import etree

from catalogue import credits, prices, sanitize, vocabularies as vocab
from catalogue.numbers import decimal, optional, whole
from catalogue.record import OpportunityRecord
from catalogue.validation import FieldError, is_web_url as web_url

from .base import Fetch, Harvester, InvalidRecord, RawRecord, SourceError, coordinates, registry
from .xml import lang_of, lines, parse_xml, text

XCRI = "http://xcri.org/profiles/1.2/catalog"
MLO = "http://purl.org/net/mlo"
DC = "http://purl.org/dc/elements/1.1/"
DCT = "http://purl.org/dc/terms/"
CM = "http://purl.org/net/cm"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"

# Dublin Core and MLO element names that broken generators emit in the XCRI namespace instead
BORROWED = {**dict.fromkeys(("contributor", "date", "description", "identifier", "subject",
                             "title", "type"), "dc"),
            **dict.fromkeys(("url", "start", "duration", "cost", "places", "qualification",
                             "credit", "location", "level", "objective", "prerequisite",
                             "assessment", "languageOfInstruction", "engagement", "hasPart",
                             "isPartOf"), "mlo")}
CONTAINERS = {"catalog", "provider", "course", "presentation", "venue", "qualification", "credit"}
DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")
FULL_DATE = re.compile(r"(\d{4}-\d\d-\d\d)(?:T\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?")
PARTIAL_DATE = re.compile(r"\d{4}(?:-\d\d)?")  # W3C-DTF year or year-month: no day to store
NUM = r"(\d+(?:[.,]\d+)?)"
ISO_DURATION = re.compile(rf"P(?=\d|T\d)(?:{NUM}Y)?(?:{NUM}M)?(?:{NUM}W)?(?:{NUM}D)?"
                          rf"(?:T(?=\d)(?:{NUM}H)?(?:{NUM}M)?(?:{NUM}S)?)?")
ISO_UNITS = ("year", "month", "week", "day", "hour", "minute", "second")
TEXT_DURATION = re.compile(rf"{NUM}\s*(hour|day|week|month|year)s?\b", re.I)
EQF = re.compile(r"(?:EQF[\s:-]*(?:level)?[\s:-]*|http://data\.europa\.eu/snb/eqf/)(\d{1,3})", re.I)
# XCRI attendanceMode 2.1 (codes and labels) -> Annex I form of participation
ATTENDANCE = {
    "cm": "onsite", "campus": "onsite", "nc": "onsite", "face-to-face non-campus": "onsite",
    "wb": "onsite", "work-based": "onsite", "da": "blended", "distance with attendance": "blended",
    "mm": "blended", "mixed mode": "blended", "ds": "online",
    "distance without attendance": "online", "on": "online", "online (no attendance)": "online",
}
ATTENDANCE_WORDS = (("blended", "blended"), ("mixed", "blended"), ("online", "online"),
                    ("distance", "online"), ("campus", "onsite"), ("work-based", "onsite"),
                    ("face-to-face", "onsite"))
NQF_LENGTH = 40  # the catalogue's nqf_level column
# a start with no date that says learners may begin whenever they like
ANYTIME = re.compile(r"\b(any ?time|at any point|rolling|flexible|on demand|all year|"
                     r"year[- ]round|continuous(?:ly)?|ongoing|open start)\b", re.I)
# XCRI studyMode 2.1 codes (FT, PT, PF part of a full-time programme, FL flexible; NK not known)
STUDY_MODES = {"ft": "full-time", "pf": "full-time", "pt": "part-time", "fl": "flexible"}
STUDY_MODE_WORDS = ((re.compile(r"\bfull[- ]?time\b", re.I), "full-time"),
                    (re.compile(r"\bpart[- ]?time\b", re.I), "part-time"),
                    (re.compile(r"\bflexib", re.I), "flexible"))
# dc:subject xsi:type (its local name) -> the scheme's name in subject_codes
SUBJECT_SCHEMES = (("jacs", "JACS"), ("hecos", "HECoS"), ("ldcs", "LDCS"), ("isced", "ISCED-F"))
UK_POSTCODE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$", re.I)
POSTCODE_TOWN = re.compile(r"(?:[A-Z]{1,2}-)?\d{4,5}\s+(\D+)")  # "80331 München", "L-1234 X"
STREET = re.compile(r"\b(?:road|rd|street|st|avenue|ave|lane|way|drive|close|place|square|"
                    r"terrace|crescent|court|row|walk|building|house|campus|floor|unit|box|"
                    r"rue|via|calle|ulica)\b\.?|(?:stra(?:ss|ß)e|str\.|weg|platz|allee|gasse)$",
                    re.I)
BLOCKS = {"p", "div", "li", "br", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr"}


def q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


@registry.register
class XcriCapHarvester(Harvester):
    name = "xcri-cap"
    wanted = "XCRI-CAP course"

    def gather(self, source, fetch: Fetch) -> Iterator[RawRecord]:
        root = parse_xml(fetch(source.location))
        check_catalog(root)
        currency = territory_currency(source.provider.country)
        courses = (course for provider in root.iterfind(q(XCRI, "provider"))
                   for course in provider.iterfind(q(XCRI, "course")))
        for position, course in enumerate(courses, start=1):
            course_id = identifier(course)
            presentations = course.findall(q(XCRI, "presentation")) or [None]
            for n, presentation in enumerate(presentations, start=1):
                # an unidentified presentation is told apart by its place in the course
                part = identifier(presentation) if presentation is not None else None
                if part is None and presentation is not None and len(presentations) > 1:
                    part = str(n)
                remote_id = course_id and (f"{course_id}/{part}" if part else course_id)
                yield RawRecord(remote_id, {"course": course, "presentation": presentation,
                                            "currency": currency}, position)

    def parse(self, raw: RawRecord) -> OpportunityRecord:
        return OfferParser(self, raw).record()

    def notice(self, key: str, why: str, value, remote_id: str) -> None:
        """One notice per element name for the whole run, with the first value as an example."""
        self.notice_once(key, key, f"{why}; kept as extras (first in {remote_id}: "
                                   f"{str(value)[:80]!r})")


def check_catalog(root: etree._Element) -> None:
    """Refuse what is not an XCRI-CAP 1.2 catalog before touching the catalogue: a wrong root,
    namespace or timestamp means a broken generator, and every record would come out wrong."""
    name = etree.QName(root)
    if name.localname != "catalog":
        raise SourceError(f"the root element is <{name.localname}>, not an XCRI-CAP <catalog>")
    if name.namespace != XCRI:
        raise SourceError(f"<catalog> is in the namespace {name.namespace or '(none)'}; learncat "
                          f"reads XCRI-CAP 1.2, whose namespace is {XCRI}")
    generated = (root.get("generated") or "").strip()
    try:
        dt.datetime.fromisoformat(generated.replace("Z", "+00:00"))
        well_formed = bool(DATETIME.fullmatch(generated))
    except ValueError:
        well_formed = False
    if not well_formed:
        raise SourceError("the catalog's 'generated' attribute must be a date and time such as "
                          f"2012-09-07T07:10:05Z, not {generated!r}")
    for element in root.iter(q(XCRI, "*")):
        local, parent = etree.QName(element).localname, element.getparent()
        if local in BORROWED and parent is not None and etree.QName(parent).localname in CONTAINERS:
            prefix = BORROWED[local]
            raise SourceError(f"line {element.sourceline}: <{local}> is in the XCRI namespace, "
                              f"but XCRI-CAP 1.2 takes it from {prefix}: "
                              f"({DC if prefix == 'dc' else MLO}); check the feed's namespace "
                              "declarations")


def identifier(element: etree._Element) -> str | None:
    """The first dc:identifier without xsi:type (XCRI's own id), else the first one at all."""
    ids = [i for i in element.iterfind(q(DC, "identifier")) if text(i)]
    chosen = next((i for i in ids if not i.get(XSI_TYPE)), ids[0] if ids else None)
    return text(chosen) if chosen is not None else None


@cache
def territory_currency(country: str | None) -> str | None:
    """XCRI-CAP costs rarely name a currency: a bare amount is in the provider's country's."""
    if not country:
        return None
    currencies = get_territory_currencies(country.upper())
    return currencies[0] if len(currencies) == 1 else None


def language_code(value: str) -> str | None:
    """'en', 'EN', 'en-GB' or 'English' -> 'en'."""
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if vocab.is_language(code) else vocab.language_of_name(value)


def plain(element: etree._Element) -> str:
    """Text with XHTML paragraphs and list items on lines of their own (``text`` runs them on)."""
    copy = deepcopy(element)
    for node in copy.iter():
        if isinstance(node.tag, str) and etree.QName(node).localname in BLOCKS:
            node.tail = "\n" + (node.tail or "")
    lines = ("".join(copy.itertext())).splitlines()
    return "\n".join(" ".join(line.split()) for line in lines if line.strip())


def markup(element: etree._Element) -> str:
    """An element's XHTML content as HTML (the sanitiser decides which tags survive)."""
    if not len(element):  # plain text: its line breaks stay, for the paragraph rule
        return html.escape(lines(element), quote=False)
    copy = deepcopy(element)
    for node in copy.iter():
        if isinstance(node.tag, str):
            node.tag = etree.QName(node).localname
            for attribute in [a for a in node.attrib if a.startswith("{")]:
                del node.attrib[attribute]
    etree.cleanup_namespaces(copy)
    inner = html.escape(copy.text or "", quote=False) + "".join(
        etree.tostring(child, method="html", encoding="unicode") for child in copy)
    return " ".join(inner.split())


@cache
def jacs_names() -> dict[str, str]:
    """JACS 3 code -> name, for feeds that give a code without its name (data/jacs.csv)."""
    return {r["code"]: r["name"] for r in vocab.read_data("jacs.csv")}


def distinct(parts: list[str]) -> list[str]:
    """Parts whose text differs (compared without tags, spacing or case), first ones kept."""
    if len(parts) < 2:
        return parts
    seen, kept = set(), []
    for part in parts:
        key = " ".join(sanitize.plain(part).split()).casefold()
        if key not in seen:
            seen.add(key)
            kept.append(part)
    return kept


def address_town(location: etree._Element) -> str | None:
    """The town of a venue without mlo:town: the last locality-like address line before the
    postcode, a city of the gazetteer first ("University Road, Poppleton, PP99 1PP")."""
    from indexer.places import lookup

    postcode = text(location.find(q(MLO, "postcode"))).upper()
    candidates = []
    for part in (p.strip() for line in location.iterfind(q(MLO, "address"))
                 for p in text(line).split(",")):
        town = POSTCODE_TOWN.fullmatch(part)  # "80331 München": the postcode, then the town
        uk = UK_POSTCODE.search(part)
        code = postcode if postcode and part.upper().endswith(postcode) else uk and uk[0]
        if town or code:
            candidates.append(town[1].strip() if town else part[:len(part) - len(code)].strip())
            break
        candidates.append(part)
    names = [c for c in candidates if c and not any(ch.isdigit() for ch in c)
             and not STREET.search(c) and not vocab.is_place_name(c)]
    return next((c for c in reversed(names) if lookup(c)), names[-1] if names else None)


class OfferParser:
    """One presentation with its course -> a record; collects every bad value before rejecting."""

    def __init__(self, harvester: XcriCapHarvester, raw: RawRecord):
        self.harvester, self.raw = harvester, raw
        self.course, self.presentation = raw.data["course"], raw.data["presentation"]
        self.r = OpportunityRecord(remote_id=raw.remote_id)
        self.errors: list[FieldError] = []
        self.parts: dict[str, dict[str, list[str]]] = {}  # field -> lang -> parts, course first
        self.seen: set[tuple] = set()
        self.procedure_url: str | None = None
        self.session: dict = {}  # this presentation's dates, mode, places and venue

    def record(self) -> OpportunityRecord:
        r = self.r
        for self.at, element in (("course", self.course), ("presentation", self.presentation)):
            if element is None:
                continue
            self.own_id, self.descriptions, self.abstracts = identifier(element), {}, {}
            for child in element:
                if isinstance(child.tag, str) and child.tag != q(XCRI, "presentation"):
                    handler = HANDLERS.get(child.tag)
                    getattr(self, handler)(child) if handler else self.other(child)
            for lang, abstracts in self.abstracts.items():  # a summary stands in for a description
                if lang in self.descriptions:
                    self.keep("abstract", "\n".join(abstracts), "a summary besides dc:description")
                else:
                    self.descriptions[lang] = abstracts
            for lang, parts in self.descriptions.items():  # the course's, then its presentation's
                self.parts.setdefault("description", {}).setdefault(lang, []).extend(parts)
        for name, by_lang in self.parts.items():
            if name == "learning_outcomes":
                r.learning_outcomes = {lang: distinct(items) for lang, items in by_lang.items()}
            else:
                setattr(r, name, {lang: self.join(name, parts) for lang, parts in by_lang.items()})
        r.application_url = r.application_url or self.procedure_url
        if self.session:
            r.sessions = [self.session]
        if self.errors:
            raise InvalidRecord(self.errors)
        return r

    @staticmethod
    def join(name: str, parts: list[str]) -> str:
        """Distinct parts once each (a presentation often repeats its course's description)."""
        parts = distinct(parts)
        if name != "description" or len(parts) == 1:
            return "\n\n".join(parts)
        return "".join(p if sanitize.is_markup(p) else sanitize.paragraphs(p, always=True)
                       for p in parts)

    # --- bookkeeping ---------------------------------------------------------------------------

    def keep(self, key: str, value, why: str = "learncat has no field for it") -> None:
        if value in (None, "", {}) or self.errors:  # a rejected record keeps nothing
            return
        self.r.extras.setdefault(key, []).append(value)
        self.harvester.notice(key, why, value, self.raw.remote_id)

    def add(self, name: str, element: etree._Element, value: str | list[str]) -> None:
        if value:
            lang = lang_of(element, "en")
            bucket = self.parts.setdefault(name, {}).setdefault(lang, [])
            bucket.extend(value) if isinstance(value, list) else bucket.append(value)

    def first(self, key: tuple) -> bool:
        """True the first time at this level: a presentation's value overrides its course's."""
        if (*key, self.at) in self.seen:
            return False
        self.seen.add((*key, self.at))
        return True

    def other(self, element: etree._Element) -> None:
        local = etree.QName(element).localname
        self.keep(local, plain(element) or element.get("href") or element.get("src"))

    # --- what a course or presentation says about itself --------------------------------------

    def title(self, element):
        lang = lang_of(element, "en")
        if text(element) and self.first(("title", lang)):
            self.r.title[lang] = text(element)

    def other_identifier(self, element):
        if text(element) != self.own_id:
            self.keep("identifier", text(element))

    def description(self, element):
        kind = element.get(XSI_TYPE)
        if kind:  # XCRI Terms refinements (careerOutcome, leadsTo, topic...) have no field
            self.keep(f"description[{kind.split(':')[-1]}]", plain(element))
        elif markup(element):
            self.descriptions.setdefault(lang_of(element, "en"), []).append(markup(element))

    def abstract(self, element):
        if text(element):
            self.abstracts.setdefault(lang_of(element, "en"), []).append(markup(element))

    def url(self, element):
        if text(element) and self.first(("url",)):
            self.r.url = text(element)

    def learning_outcome(self, element):
        items = [plain(li) for li in element.iter("{*}li")] or [plain(element)]
        self.add("learning_outcomes", element, [i for i in items if i])

    def assessment(self, element):
        self.add("assessment", element, plain(element))

    def prerequisite(self, element):
        self.add("prerequisites", element, plain(element))

    def application_procedure(self, element):
        href = element.get("href")
        if href and web_url(href):
            self.procedure_url = self.procedure_url or href
        self.keep("applicationProcedure", plain(element) or href)

    def subject(self, element):
        """A coded subject (xsi:type names its scheme) -> subject_codes; free words -> extras."""
        label, code = text(element), (element.get("identifier") or "").strip()
        kind = (element.get(XSI_TYPE) or "").split(":")[-1]
        if not (kind and code):
            self.keep("subject", label or code)
            return
        scheme = next((name for word, name in SUBJECT_SCHEMES if word in kind.lower()), kind)
        if scheme == "JACS":
            code = code.upper()
        label = label if label and label != code else (
            jacs_names().get(code) if scheme == "JACS" else None)
        entry = {"scheme": scheme, "code": code, "label": label}
        if entry not in self.r.subject_codes:
            self.r.subject_codes.append(entry)
        if scheme == "ISCED-F" and code in vocab.get("isced_f") and code not in self.r.isced_f:
            self.r.isced_f.append(code)

    # --- course: level, qualification, credits -------------------------------------------------

    def mlo_level(self, element):
        """An EQF level when it says so; otherwise the provider's own (national) level."""
        value = text(element)
        if not value or self.eqf(value):
            return
        if self.r.nqf_level is None and len(value) <= NQF_LENGTH:
            self.r.nqf_level = credits.framework_level(value) or value
        else:
            self.keep("level", value, "a second level, or one too long for a level")

    def eqf(self, value: str) -> bool:
        match = EQF.fullmatch(value.strip())
        if match and self.r.eqf_level is None:
            self.r.eqf_level = int(match[1])  # validation rejects a level outside 1-8
        elif match and self.r.eqf_level != int(match[1]):
            self.keep("level", value, "a second EQF level")
        return bool(match)

    def qualification(self, element):
        for child in element:
            if not isinstance(child.tag, str) or not text(child):
                continue
            local = etree.QName(child).localname
            if local == "awardedBy":
                self.r.awarding_body = self.r.awarding_body or text(child)
            elif local == "title":
                self.r.qualification_title.setdefault(lang_of(child, "en"), text(child))
            elif local == "educationLevel" and self.eqf(text(child)):
                continue
            else:
                self.keep(f"qualification/{local}", text(child))

    def credit(self, element):
        """cm:scheme, cm:level, cm:value as stated (catalogue.credits converts them centrally);
        a level in a framework learncat knows is also the offer's national level."""
        scheme, level, value = (text(element.find(q(CM, n))) for n in ("scheme", "level", "value"))
        if not (scheme or level or value):
            return
        amount = None
        if value:
            try:
                amount = decimal(value)
            except ValueError:
                self.errors.append(FieldError("credit", f"credit value {value!r} is not a number"))
        code = credits.scheme_code(scheme)
        framework = credits.framework_level(level, code)
        if framework and self.r.nqf_level is None:
            self.r.nqf_level = framework
        if code not in credits.schemes() and re.search(r"\bhours?\b", scheme, re.I):  # workload
            self.r.workload_hours = amount
            return
        if code == "ECTS":
            self.r.ects = amount
        if amount is not None or level:
            self.r.credits.append({"value": amount, "scheme": code,
                                   "level": framework or level or None})

    # --- presentation: when, how long, how, where, how much ------------------------------------

    def date(self, element, field: str) -> str | None:
        """The dtf attribute (W3C-DTF), else ISO text; a malformed dtf is a bad value."""
        dtf = element.get("dtf")
        value = (dtf if dtf is not None else text(element)).strip()
        match = FULL_DATE.fullmatch(value)
        if match:
            try:
                return dt.date.fromisoformat(match[1]).isoformat()
            except ValueError:
                pass
        if dtf is not None and (match or not PARTIAL_DATE.fullmatch(value)):
            self.errors.append(FieldError(field, f"dtf={dtf!r} is not a date (YYYY-MM-DD)"))
        return None

    def start(self, element):
        day = self.date(element, "start_dates")
        if day:
            self.r.start_dates.append(day)
            self.session.setdefault("start", day)
        elif element.get("dtf") is None and ANYTIME.search(text(element)):
            self.r.start_anytime = True  # "Any time", "Rolling start", "Flexible start dates"
        else:
            self.keep("start", element.get("dtf") or text(element),
                      "a start that is not a full date")

    def end(self, element):
        day = self.date(element, "end")
        if day:
            self.session["end"] = day
        else:
            self.keep("end", element.get("dtf") or text(element), "an end that is not a full date")

    def apply_from(self, element):
        day = self.date(element, "applyFrom")
        if day:
            self.session["apply_from"] = day
        else:
            self.keep("applyFrom", element.get("dtf") or text(element),
                      "an application opening that is not a full date")

    def apply_until(self, element):
        day = self.date(element, "application_deadline")
        if day:
            self.r.application_deadline = self.session["apply_until"] = day
        else:
            self.keep("applyUntil", element.get("dtf") or text(element),
                      "a deadline that is not a full date")

    def apply_to(self, element):
        value = text(element)
        if web_url(value):
            self.r.application_url = value
        else:
            self.keep("applyTo", value, "not a web address")

    def duration(self, element):
        interval, label = element.get("interval"), text(element)
        if interval is not None:
            match = ISO_DURATION.fullmatch(interval.strip())
            parts = {u: optional(v) for u, v in zip(ISO_UNITS, match.groups())
                     if v is not None} if match else {}
            if not match or None in parts.values():  # None: more digits than a float holds
                self.errors.append(FieldError("duration", f"interval={interval!r} is not an ISO "
                                              "8601 duration such as P6W"))
                return
            if len(parts) == 1 and next(iter(parts)) not in ("minute", "second"):
                (unit, value), = parts.items()
            elif set(parts) == {"year", "month"}:
                unit, value = "month", 12 * parts["year"] + parts["month"]
            elif set(parts) == {"week", "day"}:
                unit, value = "day", 7 * parts["week"] + parts["day"]
            else:
                self.keep("duration", interval, "a duration mixing units")
                return
        else:
            match = TEXT_DURATION.match(label)
            value = optional(match[1]) if match else None  # None: too many digits for a float
            if value is None:
                self.keep("duration", label, "a duration that is not a number of hours to years")
                return
            unit = match[2].lower()
            if label[match.end():].strip():  # "4 months (approx); ..." keeps its qualification
                self.keep("duration", label, "a duration with words around it")
        self.r.duration_value, self.r.duration_unit = value, unit

    def attendance_mode(self, element):
        value = text(element)
        code = (element.get("identifier") or "").lower()
        form = ATTENDANCE.get(code) or ATTENDANCE.get(value.lower()) or next(
            (form for word, form in ATTENDANCE_WORDS if word in value.lower()), None)
        if form:
            self.r.participation_form = form
        else:
            self.keep("attendanceMode", value or code, "not an XCRI attendanceMode term")

    def study_mode(self, element):
        value, code = text(element), (element.get("identifier") or "").lower()
        words = [mode for pattern, mode in STUDY_MODE_WORDS if pattern.search(value)]
        mode = STUDY_MODES.get(code) or (
            "flexible" if {"full-time", "part-time"} <= set(words) else next(iter(words), None))
        if mode:
            self.session["study_mode"] = mode
        elif code != "nk":
            self.keep("studyMode", value or code, "not an XCRI studyMode term")

    def places_available(self, element):
        value = text(element)
        if whole(value) is not None:
            self.session["places"] = whole(value)
        else:
            self.keep("places", value, "a number of places that is not a whole number")

    def language(self, element):
        code = language_code(text(element))
        if code and code not in self.r.languages:
            self.r.languages.append(code)
        elif not code:
            self.keep("languageOfInstruction", text(element), "not a language code or name")

    def cost(self, element):
        """Text such as "UK fee: GBP170.00; Ireland fee: GBP360.00": every amount is a price."""
        value = text(element)
        found = prices.parse(value, self.raw.data["currency"])
        if found:
            prices.apply(self.r, self.r.prices + found)
        else:
            self.keep("cost", value, "a cost with no amount in a known currency")

    def venue(self, element):
        location = element.find(f"{q(XCRI, 'provider')}/{q(MLO, 'location')}")
        name = text(element.find(f"{q(XCRI, 'provider')}/{q(DC, 'title')}"))
        fields = [name] + ([text(c) for c in location if isinstance(c.tag, str)
                            and etree.QName(c).localname not in ("lat", "long")]
                           if location is not None else [])
        self.keep("venue", ", ".join(f for f in fields if f), "venue names and addresses")
        lines = [name] + ([text(location.find(q(MLO, n))) for n in ("street",)]
                          + [text(a) for a in location.iterfind(q(MLO, "address"))]
                          + [text(location.find(q(MLO, n))) for n in ("town", "postcode")]
                          if location is not None else [])
        unique: dict[str, str] = {}
        for line in filter(None, lines):
            unique.setdefault(line.casefold(), line)
        address = ", ".join(unique.values())
        if address:
            self.session["venue"] = "; ".join(v for v in (self.session.get("venue"), address) if v)
        if location is None:
            return
        city = text(location.find(q(MLO, "town"))) or address_town(location)
        lat, lon = (text(location.find("{*}" + n)) for n in ("lat", "long"))
        place = {"city": city, "nuts": None, "country": None, "lat": None, "lon": None}
        if lat or lon:
            place["lat"], place["lon"] = coordinates(lat, lon, self.errors)
        if not city and place["lat"] is not None:
            from indexer.places import nearest

            near = nearest(place["lat"], place["lon"])
            if near:
                place["city"], place["country"] = near.name, near.country
        if place["city"] or place["lat"] is not None:
            self.r.places.append(place)


HANDLERS = {
    q(DC, "title"): "title", q(DC, "identifier"): "other_identifier",
    q(DC, "description"): "description", q(DCT, "description"): "description",
    q(DC, "subject"): "subject", q(MLO, "url"): "url",
    q(XCRI, "abstract"): "abstract", q(XCRI, "learningOutcome"): "learning_outcome",
    q(MLO, "assessment"): "assessment", q(MLO, "prerequisite"): "prerequisite",
    q(XCRI, "applicationProcedure"): "application_procedure", q(MLO, "level"): "mlo_level",
    q(MLO, "qualification"): "qualification", q(MLO, "credit"): "credit",
    q(MLO, "start"): "start", q(XCRI, "end"): "end", q(MLO, "duration"): "duration",
    q(XCRI, "applyFrom"): "apply_from", q(XCRI, "applyUntil"): "apply_until",
    q(XCRI, "applyTo"): "apply_to", q(XCRI, "attendanceMode"): "attendance_mode",
    q(XCRI, "studyMode"): "study_mode", q(MLO, "places"): "places_available",
    q(MLO, "languageOfInstruction"): "language", q(MLO, "cost"): "cost", q(XCRI, "venue"): "venue",
}
