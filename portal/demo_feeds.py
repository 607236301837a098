"""The demo's feeds: some demo providers publish their CSV content in a feed format (ELM JSON-LD,
XCRI-CAP 1.2, schema.org pages with a sitemap, an OAI-PMH repository), served on loopback while the
demo loads, so that the real harvesters read them through the real fetch path.

Each writer is its harvester read backwards: it states what that harvester maps, in the places it
looks. What a format cannot carry is listed field by field in tests/portal/test_demo_feeds.py.
The CSV files' dates are moved to the day of the load first (demo_dates), and the providers that
publish CSV are served their moved file the same way.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from copy import deepcopy
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode

import lxml.html
from babel.core import get_global
from lxml import etree
from lxml.html import builder as E
from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.middleware.shared_data import SharedDataMiddleware
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from catalogue import vocabularies as vocab
from catalogue.models import Source
from catalogue.record import OpportunityRecord
from harvesters.csv_feed import CsvHarvester
from harvesters.elm import ECTS, NUTS
from harvesters.fetch import read_file

from . import demo_dates

XCRI, DC = "http://xcri.org/profiles/1.2/catalog", "http://purl.org/dc/elements/1.1/"
MLO, CM = "http://purl.org/net/mlo", "http://purl.org/net/cm"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
XCRI_NS = {None: XCRI, "dc": DC, "mlo": MLO, "credit": CM, "geo": GEO}
OAI = "http://www.openarchives.org/OAI/2.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EU = "http://publications.europa.eu/resource/authority/"
ELM_CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"
# the EU authority's language codes (ISO 639-2/T) for the official languages; others via CLDR
EU_LANGUAGES = dict(zip(
    "bg cs da de el en es et fi fr ga hr hu it lt lv mt nl pl pt ro sk sl sv".split(),
    "BUL CES DAN DEU ELL ENG SPA EST FIN FRA GLE HRV HUN ITA LIT LAV MLT NLD POL POR RON SLK SLV "
    "SWE".split(), strict=True))
ISO_UNITS = {"hour": "H", "day": "D", "week": "W", "month": "M", "year": "Y"}
# XCRI attendanceMode 2.1 terms for the Annex I forms of participation
ATTENDANCE = {"online": ("ON", "Online (no attendance)"), "onsite": ("CM", "Campus"),
              "blended": ("MM", "Mixed mode")}
OAI_PREFIX = "xcri_cap"  # oai_pmh.DELEGATE_PREFIXES hands it to the XCRI-CAP harvester
FEEDS = {"elm-jsonld": "opportunities.jsonld", "xcri-cap": "xcri-cap.xml",
         "schemaorg": "sitemap.xml", "oai-pmh": f"oai?metadataPrefix={OAI_PREFIX}"}


def csv_records(path: Path, day: dt.date | None = None) -> list[OpportunityRecord]:
    """A demo CSV's offers as the CSV harvester reads them, dated for a load on ``day`` (as
    written without one): the content's single source."""
    def read(location: str) -> bytes:
        data = read_file(location)
        return data if day is None else demo_dates.shift(data, day)
    harvester = CsvHarvester()
    return [harvester.parse(raw) for raw in harvester.gather(Source(location=str(path)), read)]


def remote_id(fmt: str, slug: str, record: OpportunityRecord) -> str:
    """The identifier the harvester of ``fmt`` gives an offer: an IRI where the format wants one
    (JSON-LD @id), the offer's own id where it takes any string (XCRI, OAI-PMH)."""
    if fmt == "elm-jsonld":
        return urn(slug, "opportunity", record.remote_id)
    if fmt == "schemaorg":  # the harvester resolves @id against the page: give an absolute one
        return record.url or urn(slug, "course", record.remote_id)
    return record.remote_id


def urn(slug: str, kind: str, rid: str) -> str:
    return f"urn:learncat:{slug}:{kind}:{quote(rid, safe='')}"


def num(value: float) -> str:
    """A number as text without a needless '.0' (6.0 -> '6', 0.5 -> '0.5')."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def iso_duration(value: float | None, unit: str | None) -> str | None:
    if value is None or unit not in ISO_UNITS:
        return None
    return f"P{'T' if unit == 'hour' else ''}{num(value)}{ISO_UNITS[unit]}"


def prune(value):
    """Without empty values, so that a document states only what the offer says."""
    if isinstance(value, dict):
        value = {k: prune(v) for k, v in value.items()}
        return {k: v for k, v in value.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [v for v in map(prune, value) if v not in (None, "", [], {})]
    return value


def dumps(document) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def xml_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def add(parent: etree._Element, ns: str, name: str, text: str | None = None,
        lang: str | None = None, **attributes) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{name}",
                               {k: v for k, v in attributes.items() if v is not None})
    if lang:
        element.set(XML_LANG, lang)
    element.text = text
    return element


# --- ELM v3 JSON-LD (harvesters/elm.py) ----------------------------------------------------------

def concept(uri: str) -> dict:
    return {"id": uri, "type": "Concept"}


def concepts(vocabulary: str, codes: Iterable[str]) -> list[dict]:
    """Concepts for the codes that have an ELM URI; the others have no ELM equivalent."""
    terms = vocab.get(vocabulary).terms
    return [concept(terms[c].uri) for c in codes if c in terms and terms[c].uri]


def eu_language(code: str) -> str:
    aliases = get_global("language_aliases")
    three = EU_LANGUAGES.get(code) or next(
        (k for k, v in aliases.items() if v == code and len(k) == 3), code)
    return f"{EU}language/{three.upper()}"


def eu_country(code: str) -> str:
    three = next((k for k, v in get_global("territory_aliases").items()
                  if len(k) == 3 and k.isalpha() and v == [code]), code)
    return f"{EU}country/{three}"


def elm_jsonld(slug: str, records: Iterable[OpportunityRecord]) -> bytes:
    """One LearningOpportunity per offer, linked to its LearningAchievementSpecification."""
    graph = []
    for r in records:
        spec = urn(slug, "specification", r.remote_id)
        graph += [elm_opportunity(slug, r, spec), elm_specification(slug, r, spec)]
    return dumps({"@context": ELM_CONTEXT, "@graph": prune(graph)})


def elm_opportunity(slug: str, r: OpportunityRecord, spec: str) -> dict:
    lang = next(iter(r.title), "en")
    return {
        "id": remote_id("elm-jsonld", slug, r), "type": "LearningOpportunity",
        "title": r.title, "description": r.description, "learningAchievementSpecification": spec,
        "homepage": r.further_info_url and {"type": "WebResource",
                                            "contentURL": r.further_info_url},
        "duration": iso_duration(r.duration_value, r.duration_unit),
        "temporal": [{"type": "PeriodOfTime", "startDate": f"{d}T00:00:00"} for d in r.start_dates],
        "applicationDeadline": r.application_deadline and f"{r.application_deadline}T23:59:59",
        "location": [elm_location(p, lang) for p in r.places],
        "priceDetail": None if r.price is None else {"type": "PriceDetail", "amount": {
            "type": "Amount", "value": r.price,
            "unit": r.currency and concept(f"{EU}currency/{r.currency}")}},
        # the programme it stacks towards; untyped, or the harvester would catalogue it too
        "isPartOf": {"id": urn(slug, "stacks-towards", r.remote_id), "title": r.stacks_towards}
        if r.stackability == "stackable" else None,
    }


def elm_location(place: dict, lang: str) -> dict:
    return {"type": "Location", "geographicName": place["city"] and {lang: place["city"]},
            "spatialCode": place["nuts"] and concept(NUTS + place["nuts"]),
            "geometry": None if place["lat"] is None else {
                "type": "Geometry", "latitude": place["lat"], "longitude": place["lon"]},
            "address": place["country"] and {"type": "Address",
                                             "countryCode": concept(eu_country(place["country"]))}}


def elm_specification(slug: str, r: OpportunityRecord, spec: str) -> dict:
    rid, lang = r.remote_id, next(iter(r.title), "en")
    count = max(map(len, r.learning_outcomes.values()), default=0)
    return {
        "id": spec, "type": "LearningAchievementSpecification", "title": r.title,
        "learningOutcome": [{"id": urn(slug, "outcome", f"{rid}-{n + 1}"),
                             "type": "LearningOutcome",
                             "title": {tag: items[n] for tag, items in r.learning_outcomes.items()
                                       if n < len(items)}} for n in range(count)],
        "relatedESCOSkill": [concept(uri) for uri in r.esco_skills],
        "eqfLevel": next(iter(concepts("eqf", [str(r.eqf_level)])), None),
        "nqfLevel": r.nqf_level and {"type": "Concept", "prefLabel": {lang: r.nqf_level}},
        "thematicArea": concepts("isced_f", r.isced_f),
        "creditPoint": None if r.ects is None else {
            "type": "CreditPoint", "point": num(r.ects), "framework": {**concept(ECTS), "prefLabel": {
                "en": "European Credit Transfer and Accumulation System"}}},
        "volumeOfLearning": iso_duration(r.workload_hours, "hour"),
        "mode": concepts("participation_forms", [r.participation_form]),
        "language": [concept(eu_language(code)) for code in r.languages],
        "targetGroup": concepts("target_groups", r.target_groups),
        "entryRequirement": r.prerequisites and {"type": "Note", "noteLiteral": r.prerequisites},
        "awardingOpportunity": r.awarding_body and {"type": "AwardingOpportunity", "awardingBody": {
            "type": "Organisation", "legalName": {lang: r.awarding_body},
            "location": r.country and {"type": "Location", "address": {
                "type": "Address", "countryCode": concept(eu_country(r.country))}}}},
        "accreditation": [{"type": "Accreditation", "dcType": c}
                          for c in concepts("qa_types", r.qa_types)],
        "provenBy": (r.assessment_types or r.assessment or r.grading) and {
            "id": urn(slug, "assessment", rid), "type": "LearningAssessmentSpecification",
            "title": r.assessment, "dcType": concepts("assessment_types", r.assessment_types),
            "gradingScheme": r.grading and {"type": "GradingScheme", "description": r.grading}},
    }


# --- XCRI-CAP 1.2 (harvesters/xcri_cap.py) -------------------------------------------------------

def xcri_catalog(entry: dict, records: Iterable[OpportunityRecord],
                 generated: dt.datetime) -> etree._Element:
    """A catalog of one provider: one course per offer, with one presentation."""
    catalog = etree.Element(f"{{{XCRI}}}catalog", nsmap=XCRI_NS,
                            generated=generated.astimezone(dt.timezone.utc)
                            .strftime("%Y-%m-%dT%H:%M:%SZ"))
    provider = add(catalog, XCRI, "provider")
    add(provider, DC, "identifier", entry.get("website") or entry["slug"])
    for lang, name in entry["name"].items():
        add(provider, DC, "title", name, lang)
    if entry.get("website"):
        add(provider, MLO, "url", entry["website"])
    for r in records:
        xcri_course(provider, r)
    return catalog


def xcri_course(provider: etree._Element, r: OpportunityRecord) -> None:
    """Elements in the XSD's order: the course's own, then its presentation's."""
    course = add(provider, XCRI, "course")
    for lang, text in r.description.items():
        add(course, DC, "description", text, lang)
    add(course, DC, "identifier", r.remote_id)
    for lang, text in r.title.items():
        add(course, DC, "title", text, lang)
    if r.url:
        add(course, MLO, "url", r.url)
    for lang, text in r.assessment.items():
        add(course, MLO, "assessment", text, lang)
    for lang, items in r.learning_outcomes.items():
        for item in items:
            add(course, XCRI, "learningOutcome", item, lang)
    for lang, text in r.prerequisites.items():
        add(course, MLO, "prerequisite", text, lang)
    for level in (r.eqf_level and f"EQF level {r.eqf_level}", r.nqf_level):
        if level:
            add(course, MLO, "level", level)
    if r.awarding_body:
        add(add(course, MLO, "qualification"), XCRI, "awardedBy", r.awarding_body)
    for scheme, value in (("ECTS", r.ects), ("Notional learning hours", r.workload_hours)):
        if value is not None:
            credit = add(course, MLO, "credit")
            add(credit, CM, "scheme", scheme)
            add(credit, CM, "value", num(value))
    presentation = add(course, XCRI, "presentation")
    # XCRI-CAP 1.2 allows one mlo:start per presentation, and the harvester makes every
    # presentation an offer of its own: an offer's later start dates cannot be carried
    if r.start_dates:
        add(presentation, MLO, "start", r.start_dates[0], dtf=r.start_dates[0])
    else:  # mandatory in 1.2; text without a date is kept in extras
        add(presentation, MLO, "start", "Any time" if r.start_anytime else "To be announced")
    interval = iso_duration(r.duration_value, r.duration_unit)
    if interval:
        add(presentation, MLO, "duration", f"{num(r.duration_value)} {r.duration_unit}"
            f"{'' if r.duration_value == 1 else 's'}", interval=interval)
    if r.application_deadline:
        add(presentation, XCRI, "applyUntil", r.application_deadline, dtf=r.application_deadline)
    if r.application_url:
        add(presentation, XCRI, "applyTo", r.application_url)
    if r.participation_form in ATTENDANCE:
        code, label = ATTENDANCE[r.participation_form]
        add(presentation, XCRI, "attendanceMode", label, identifier=code)
    for code in r.languages:
        add(presentation, MLO, "languageOfInstruction", code)
    if r.price is not None:
        add(presentation, MLO, "cost", "Free" if r.price == 0 else
            " ".join(filter(None, (r.currency, num(r.price)))))
    for place in r.places:
        venue = add(add(presentation, XCRI, "venue"), XCRI, "provider")
        location = add(venue, MLO, "location")
        add(location, MLO, "town", place["city"])
        if place["lat"] is not None:
            add(location, GEO, "lat", num(place["lat"]))
            add(location, GEO, "long", num(place["lon"]))


# --- schema.org pages and sitemap (harvesters/schemaorg.py) --------------------------------------

def schemaorg_course(r: OpportunityRecord, slug: str) -> dict:
    """A Course with one CourseInstance per start date. The harvester files every `teaches` and
    the prerequisites under the first language of instruction, so only that language is given."""
    primary = r.languages[0] if r.languages else "en"
    offer = None if r.price is None else {
        "@type": "Offer", "price": int(r.price) if float(r.price).is_integer() else r.price,
        "priceCurrency": r.currency, "category": "Free" if r.price == 0 else "Paid"}
    instance = {"@type": "CourseInstance", "courseMode": r.participation_form,
                "courseWorkload": iso_duration(r.workload_hours, "hour"), "offers": offer,
                "location": [{"@type": "Place", "name": p["city"],
                              "address": {"@type": "PostalAddress", "addressLocality": p["city"],
                                          "addressCountry": p["country"]},
                              "geo": None if p["lat"] is None else {
                                  "@type": "GeoCoordinates", "latitude": p["lat"],
                                  "longitude": p["lon"]}} for p in r.places]}
    levels = [{"@type": "DefinedTerm", "@id": term.uri, "termCode": term.code,
               "name": f"EQF level {term.code}",
               "inDefinedTermSet": "http://data.europa.eu/snb/eqf"}
              for term in [vocab.get("eqf").terms.get(str(r.eqf_level))] if term]
    if r.nqf_level:
        levels.append({"@type": "DefinedTerm", "name": r.nqf_level, "inDefinedTermSet": {
            "@type": "DefinedTermSet", "name": "National qualifications framework"}})
    return prune({
        "@context": "https://schema.org", "@type": "Course",
        "@id": remote_id("schemaorg", slug, r), "url": r.url,
        "name": [{"@language": lang, "@value": text} for lang, text in r.title.items()],
        "description": [{"@language": lang, "@value": text}
                        for lang, text in r.description.items()],
        "provider": r.awarding_body and {
            "@type": "Organization", "name": r.awarding_body,
            "address": r.country and {"@type": "PostalAddress", "addressCountry": r.country}},
        "inLanguage": r.languages,
        "teaches": r.learning_outcomes.get(primary, []) + [
            {"@type": "DefinedTerm", "@id": uri} for uri in r.esco_skills],
        "coursePrerequisites": r.prerequisites.get(primary),
        "educationalLevel": levels,
        "numberOfCredits": None if r.ects is None else {
            "@type": "StructuredValue", "value": r.ects, "unitText": "ECTS"},
        "occupationalCategory": r.esco_occupations,
        "applicationDeadline": r.application_deadline,
        "timeToComplete": iso_duration(r.duration_value, r.duration_unit),
        "hasCourseInstance": [{**instance, "startDate": d} for d in r.start_dates] or [instance],
    })


def schemaorg_page(r: OpportunityRecord, slug: str) -> bytes:
    lang = r.languages[0] if r.languages else "en"
    title = r.title.get(lang) or next(iter(r.title.values()), r.remote_id)
    # "</" inside the JSON would end the script element early; "<\/" is the same JSON string
    markup = dumps(schemaorg_course(r, slug)).decode("utf-8").replace("</", "<\\/")
    page = E.HTML(E.HEAD(E.META(charset="utf-8"), E.TITLE(title),
                         E.SCRIPT(markup, type="application/ld+json")),
                  E.BODY(E.H1(title), *[E.P(text) for text in r.description.values()]), lang=lang)
    return lxml.html.tostring(page, doctype="<!DOCTYPE html>", encoding="utf-8")


def schemaorg_site(folder: Path, base_url: str, slug: str,
                   records: Iterable[OpportunityRecord]) -> None:
    """One page per offer and the sitemap.xml listing them, at ``base_url``."""
    urlset = etree.Element(f"{{{SITEMAP}}}urlset", nsmap={None: SITEMAP})
    for r in records:
        name = f"{quote(r.remote_id, safe='')}.html"
        (folder / name).write_bytes(schemaorg_page(r, slug))
        add(add(urlset, SITEMAP, "url"), SITEMAP, "loc", f"{base_url}/{quote(name)}")
    (folder / "sitemap.xml").write_bytes(xml_bytes(urlset))


# --- OAI-PMH 2.0 (harvesters/oai_pmh.py) ---------------------------------------------------------

class OaiError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def oai_time(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def oai_date(value: str | None, until: bool = False) -> dt.datetime | None:
    """An OAI-PMH date argument (day or second granularity); a day as `until` means its end."""
    if value is None:
        return None
    for pattern, span in (("%Y-%m-%dT%H:%M:%SZ", dt.timedelta()),
                          ("%Y-%m-%d", dt.timedelta(days=1, seconds=-1))):
        try:
            parsed = dt.datetime.strptime(value, pattern).replace(tzinfo=dt.timezone.utc)
        except ValueError:
            continue
        return parsed + span if until else parsed
    raise OaiError("badArgument", f"{value!r} is not a date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ)")


class OaiPmhRepository:
    """A WSGI OAI-PMH data provider for one provider's offers (Identify and ListRecords), each
    record an XCRI-CAP catalog of one course, stamped with the time its CSV last changed."""
    page = 5

    def __init__(self, entry: dict, records: Iterable[OpportunityRecord], changed: dt.datetime):
        self.entry = entry
        self.datestamp = changed.astimezone(dt.timezone.utc).replace(microsecond=0)
        self.records = [(r.remote_id, xcri_catalog(entry, [r], self.datestamp)) for r in records]

    def __call__(self, environ, start_response):
        request = Request(environ)
        root = etree.Element(f"{{{OAI}}}OAI-PMH", nsmap={None: OAI, "xsi": XSI})
        root.set(f"{{{XSI}}}schemaLocation",
                 f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd")
        add(root, OAI, "responseDate", oai_time(dt.datetime.now(dt.timezone.utc)))
        base_url = request.root_url.rstrip("/")  # where the repository is mounted
        asked = add(root, OAI, "request", base_url)
        try:
            verb = request.args.get("verb")
            if verb == "Identify":
                self.identify(root, base_url)
            elif verb == "ListRecords":
                self.list_records(root, request.args)
            else:
                raise OaiError("badVerb", "the verb is missing, or not Identify or ListRecords")
            for key, value in request.args.items():  # echoed only when they were legal
                asked.set(key, value)
        except OaiError as error:
            add(root, OAI, "error", str(error), code=error.code)
        return Response(xml_bytes(root), content_type="text/xml; charset=utf-8")(
            environ, start_response)

    def identify(self, root: etree._Element, base_url: str) -> None:
        identify = add(root, OAI, "Identify")
        name = self.entry["name"]
        for tag, text in (("repositoryName", name.get("en") or next(iter(name.values()))),
                          ("baseURL", base_url), ("protocolVersion", "2.0"),
                          ("adminEmail", self.entry.get("contact_email") or "admin@example.org"),
                          ("earliestDatestamp", oai_time(self.datestamp)),
                          ("deletedRecord", "no"), ("granularity", "YYYY-MM-DDThh:mm:ssZ")):
            add(identify, OAI, tag, text)

    def list_records(self, root: etree._Element, args) -> None:
        if "resumptionToken" in args:
            if set(args) != {"verb", "resumptionToken"}:
                raise OaiError("badArgument", "resumptionToken is an exclusive argument")
            params = dict(parse_qsl(args["resumptionToken"]))
            if not params.get("offset", "").isdigit():
                raise OaiError("badResumptionToken", "not a token of this repository")
        else:
            unknown = set(args) - {"verb", "metadataPrefix", "from", "until", "set"}
            if unknown or "metadataPrefix" not in args:
                raise OaiError("badArgument", "ListRecords takes metadataPrefix, and optionally "
                               "from, until and set")
            if "set" in args:
                raise OaiError("noSetHierarchy", "this repository has no sets")
            params = {k: args[k] for k in ("metadataPrefix", "from", "until") if k in args}
        if params.get("metadataPrefix") != OAI_PREFIX:
            raise OaiError("cannotDisseminateFormat", f"records are available as {OAI_PREFIX}")
        since, until = oai_date(params.get("from")), oai_date(params.get("until"), until=True)
        if since and until and since > until:
            raise OaiError("badArgument", "from is later than until")
        matching = [(rid, catalog) for rid, catalog in self.records
                    if (since is None or self.datestamp >= since)
                    and (until is None or self.datestamp <= until)]
        if not matching:
            raise OaiError("noRecordsMatch", "no record changed in that period")
        offset = int(params.pop("offset", 0))
        answer = add(root, OAI, "ListRecords")
        for rid, catalog in matching[offset:offset + self.page]:
            record = add(answer, OAI, "record")
            header = add(record, OAI, "header")
            add(header, OAI, "identifier", rid)
            add(header, OAI, "datestamp", oai_time(self.datestamp))
            add(record, OAI, "metadata").append(deepcopy(catalog))
        if len(matching) > self.page:  # a list in parts: the last part has an empty token
            rest = offset + self.page < len(matching)
            add(answer, OAI, "resumptionToken",
                urlencode({**params, "offset": offset + self.page}) if rest else None,
                completeListSize=str(len(matching)), cursor=str(offset))


# --- serving -------------------------------------------------------------------------------------

class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # the demo's own requests are not news
        pass


def serve(folder_or_app) -> tuple[str, Callable[[], None]]:
    """Serve a folder's files, or a WSGI app, on 127.0.0.1 at an ephemeral port from a daemon
    thread: (base URL, stop)."""
    app = folder_or_app if callable(folder_or_app) else static(Path(folder_or_app))
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="learncat-demo-feeds", daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()  # serve_forever closes the socket as it returns
        thread.join()

    return f"http://127.0.0.1:{server.server_port}", stop


def static(folder: Path):
    return SharedDataMiddleware(NotFound(), {"/": str(folder)})


def changed(path: Path) -> dt.datetime:
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc)


def publish(entry: dict, folder: Path, root: Path, base_url: str, mounts: dict,
            day: dt.date) -> str:
    """Write (or mount) one provider's feed, read from its CSV with the dates of a load on
    ``day``; returns the feed's URL."""
    fmt, slug, path = entry["source"]["format"], entry["slug"], folder / entry["source"]["file"]
    out = root / slug
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":  # the file itself, its dates moved
        (out / path.name).write_bytes(demo_dates.shift(read_file(str(path)), day))
        return f"{base_url}/{slug}/{quote(path.name)}"
    records = csv_records(path, day)
    if fmt == "elm-jsonld":
        (out / FEEDS[fmt]).write_bytes(elm_jsonld(slug, records))
    elif fmt == "xcri-cap":
        catalog = xcri_catalog(entry, records, dt.datetime.now(dt.timezone.utc))
        (out / FEEDS[fmt]).write_bytes(xml_bytes(catalog))
    elif fmt == "schemaorg":
        schemaorg_site(out, f"{base_url}/{slug}", slug, records)
    elif fmt == "oai-pmh":
        # the records changed when the file did, or when a load's dates last moved
        mounts[f"/{slug}/oai"] = OaiPmhRepository(entry, records,
                                                  max(changed(path), demo_dates.since(day)))
    else:
        raise ValueError(f"the demo cannot publish {fmt!r}")
    return f"{base_url}/{slug}/{FEEDS[fmt]}"


@contextlib.contextmanager
def published(entries: Iterable[dict], folder: Path,
              today: dt.date | None = None) -> Iterator[dict[str, str]]:
    """Serve the feeds of these providers.json entries on loopback while the block runs, dated
    for a load on ``today`` (demo_dates.today): {slug: feed URL}. The files live in a temporary
    folder; both go when the block ends."""
    day = demo_dates.today(today)
    with tempfile.TemporaryDirectory(prefix="learncat-feeds-") as tmp:
        app = DispatcherMiddleware(static(Path(tmp)), {})
        base_url, stop = serve(app)  # started first: pages and sitemaps name its address
        try:
            yield {e["slug"]: publish(e, folder, Path(tmp), base_url, app.mounts, day)
                   for e in entries}
        finally:
            stop()
