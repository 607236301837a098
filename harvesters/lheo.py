"""LHEO 2.2 / 2.3 (Langage Harmonisé d'Échange d'informations sur l'Offre de formation): the XML
of French regional training catalogues (Carif-Oref, Intercariforef, Onisep). One record per action.

A learner enrols on an action (a place, a mode, a price, its sessions), so each ``action``
becomes an offer carrying its ``formation``'s title, objectives, outcomes, codes and level.
Codes and values follow the LHEO dictionary (lheo/lheo-schema, ``definition/lheo-gml.xml``, 2.3.0).
As in the XCRI-CAP harvester, every element without a learncat field, and every value that cannot
be mapped, is kept in ``extras`` and named once in a notice, never dropped silently.
"""
from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from functools import cache

from lxml import etree

from catalogue import prices, sanitize, vocabularies as vocab
from catalogue.numbers import decimal, optional, whole
from catalogue.record import OpportunityRecord
from catalogue.validation import FieldError

from .base import Fetch, Harvester, InvalidRecord, RawRecord, SourceError, registry
from .base import coordinates as read_coordinates
from .xcri_cap import web_url
from .outcomes import statements
from .xml import lang_of, lines, parse_xml, text

# http://www.lheo.org/2.2 (2.2 and earlier) and http://lheo.gouv.fr/2.3 (2.3); none is accepted too
NAMESPACE = re.compile(r"https?://(?:www\.)?lheo\.(?:org|gouv\.fr)/\d+(?:\.\d+)*/?")
ROOT = re.compile(r"<(?![?!])(?:([\w.-]+):)?([\w.-]+)([^>]*)>")  # the first element's start tag
UNKNOWN_DATES = {"00000000", "99999999"}  # LHEO's "date not known"
EMPTY = {"", "-"}  # a required text left empty by the generator
# dict-modalites-enseignement: 0 entirely onsite, 1 mixed, 2 entirely at a distance
TEACHING = {"0": "onsite", "1": "blended", "2": "online"}
# dict-niveaux -> France's 2019 national levels (décret n° 2019-14 du 8 janvier 2019, art. 1:
# V -> 3, IV -> 4, III -> 5, II -> 6, I -> 7); 11-18 are the 2019 levels 1-8 themselves.
# 0 (not stated), 1 (no specific level), 2 (VI) and 3 (V bis) have no 2019 level.
LEVELS = {"4": 3, "5": 4, "6": 5, "7": 6, "8": 7, **{str(10 + n): n for n in range(1, 9)}}
# dict-etat-recrutement: kept in extras with its label, per session
RECRUITMENT = {"1": "ouvert", "2": "fermé", "3": "suspendu"}
# dict-financeurs -> learncat funding: State, regions, departments, communes, EU funds and other
# public bodies subsidise; Pôle emploi funds job seekers; companies and OPCOs are employer funding
FUNDERS = {**dict.fromkeys(("2", "3", "6", "7", "8", "9", "11", "12", "13", "14", "15", "17",
                            "18", "19", "20"), "public-grant"),
           "4": "pes-voucher", "5": "employer", "16": "employer"}
# INSEE region codes (COG: the 2016 regions and the 1982-2015 ones they merged) -> NUTS 1/2
REGIONS = {"11": "FR1", "24": "FRB", "27": "FRC", "26": "FRC", "43": "FRC", "28": "FRD",
           "23": "FRD", "25": "FRD", "32": "FRE", "22": "FRE", "31": "FRE", "44": "FRF",
           "21": "FRF", "41": "FRF", "42": "FRF", "52": "FRG", "53": "FRH", "75": "FRI",
           "54": "FRI", "72": "FRI", "74": "FRI", "76": "FRJ", "73": "FRJ", "91": "FRJ",
           "84": "FRK", "82": "FRK", "83": "FRK", "93": "FRL", "94": "FRM", "01": "FRY1",
           "02": "FRY2", "03": "FRY3", "04": "FRY4", "06": "FRY5"}
DURATION = re.compile(r"(\d+(?:[.,]\d+)?)\s*(heures?|h|jours?|semaines?|mois|ans?|années?)\b\.?",
                      re.I)
UNITS = (("h", "hour"), ("j", "day"), ("s", "week"), ("m", "month"), ("a", "year"))


def looks_like_lheo(head: str) -> bool:
    """Whether a document's start has an <lheo> root without a namespace or in LHEO's
    (format detection and the harvester share this rule)."""
    match = ROOT.search(head)
    if not match or match[2] != "lheo":
        return False
    declared = re.search(rf"""xmlns{':' + match[1] if match[1] else ''}\s*=\s*["']([^"']*)""",
                         match[3])
    return declared is None or bool(NAMESPACE.fullmatch(declared[1]))


@cache
def code_labels() -> dict[tuple[str, str], str]:
    """(scheme, code) -> French label, for Formacode and NSF codes (data/formacode.csv)."""
    return {(r["scheme"], r["code"]): r["fr"] for r in vocab.read_data("formacode.csv")}


def french_level(code: str) -> str | None:
    level = LEVELS.get(code.strip())
    return f"FR {level}" if level else None


@registry.register
class LheoHarvester(Harvester):
    name = "lheo"

    def gather(self, source, fetch: Fetch) -> Iterator[RawRecord]:
        root = parse_xml(fetch(source.location))
        ns = check_lheo(root)
        formations = root.iterfind(f"{ns}offres/{ns}formation")
        position = 0
        for formation in formations:
            formation_id = identifier(formation)
            actions = formation.findall(f"{ns}action")
            if not actions:
                self.notice_once("formation-without-action", "action",
                                 f"formation {formation_id or '(no numero)'} has no <action>: "
                                 "nothing to enrol on, so no offer")
            for n, action in enumerate(actions, start=1):
                position += 1
                part = identifier(action) or (str(n) if len(actions) > 1 else None)
                remote_id = formation_id and (f"{formation_id}/{part}" if part else formation_id)
                yield RawRecord(remote_id, {"formation": formation, "action": action, "ns": ns},
                                position)

    def parse(self, raw: RawRecord) -> OpportunityRecord:
        return ActionParser(self, raw).record()


def check_lheo(root: etree._Element) -> str:
    """The ``{namespace}`` prefix of an LHEO document; anything else is refused before the
    catalogue is touched."""
    name = etree.QName(root)
    if name.localname != "lheo":
        raise SourceError(f"the root element is <{name.localname}>, not an LHEO <lheo>")
    if name.namespace and not NAMESPACE.fullmatch(name.namespace):
        raise SourceError(f"<lheo> is in the namespace {name.namespace}; learncat reads LHEO "
                          "2.2 (http://www.lheo.org/2.2) and 2.3 (http://lheo.gouv.fr/2.3)")
    ns = f"{{{name.namespace}}}" if name.namespace else ""
    if root.find(f"{ns}offres") is None:
        raise SourceError("the LHEO document has no <offres>: there is no training offer in it")
    return ns


def identifier(element: etree._Element) -> str | None:
    """LHEO's ``numero`` attribute (the producer's id), else its XML ``id``."""
    value = (element.get("numero") or element.get("id") or "").strip()
    return value or None


def value(element: etree._Element | None) -> str:
    """An element's text, '' for LHEO's '-' placeholder."""
    content = text(element)
    return "" if content in EMPTY else content


def flat(element: etree._Element) -> str | dict:
    """A structured element as data for extras: its text, or {child: text} (repeated children
    joined), so that nothing it says is lost."""
    children = [c for c in element if isinstance(c.tag, str)]
    if not children:
        return value(element)
    out: dict = {}
    for child in children:
        content = flat(child)
        if content in ("", {}):
            continue
        key = key_of(child)
        earlier = out.get(key)
        if earlier is None:
            out[key] = content
        elif isinstance(earlier, str) and isinstance(content, str):
            out[key] = f"{earlier}; {content}"
        else:
            out[key] = [*(earlier if isinstance(earlier, list) else [earlier]), content]
    return out


def key_of(element: etree._Element) -> str:
    """An element's name for extras; LHEO extension elements (extras, extra) add their info."""
    local = etree.QName(element).localname
    return f"{local}[{element.get('info')}]" if element.get("info") else local


def to_html(content: str) -> str:
    """LHEO text is plain text or (escaped) HTML: HTML goes to the sanitiser as it is, plain
    text keeps its paragraphs."""
    if sanitize.is_markup(content):
        return content.strip()
    return sanitize.paragraphs(html.escape(content, quote=False), always=True, by_line=True)


def lheo_date(raw: str) -> tuple[str | None, bool]:
    """AAAAMMJJ -> (ISO date or None, well formed); 00000000 and 99999999 mean 'not known',
    and a 00 month or day is a partial date (well formed, no day to store)."""
    raw = raw.strip()
    if raw in UNKNOWN_DATES:
        return None, True
    if not re.fullmatch(r"\d{8}", raw):
        return None, False
    try:
        return dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:])).isoformat(), True
    except ValueError:
        return None, raw[4:6] == "00" or raw[6:] == "00"


class ActionParser:
    """One action with its formation -> a record; collects every bad value before rejecting."""

    def __init__(self, harvester: LheoHarvester, raw: RawRecord):
        self.harvester, self.raw, self.ns = harvester, raw, raw.data["ns"]
        self.formation, self.action = raw.data["formation"], raw.data["action"]
        self.r = OpportunityRecord(remote_id=raw.remote_id)
        self.errors: list[FieldError] = []
        self.descriptions: list[str] = []
        self.urls: dict[str, str] = {}
        self.certifying = value(self.child(self.formation, "certifiante")) == "1"
        self.venues: list[str] = []
        self.study_mode: str | None = None
        self.hours_by_kind: dict[str, float | None] = {}

    def child(self, element, name: str):
        return element.find(self.ns + name)

    def record(self) -> OpportunityRecord:
        r = self.r
        for element in (self.formation, self.action):
            for child in element:
                if isinstance(child.tag, str) and child.tag != self.ns + "action":
                    local = etree.QName(child).localname
                    if child.tag == self.ns + local and local in HANDLERS:
                        getattr(self, HANDLERS[local])(child)
                    elif local != "session":
                        self.other(child)
        for session in self.action.iterfind(self.ns + "session"):
            self.session(session)
        r.description = {"fr": "".join(dict.fromkeys(self.descriptions))} if self.descriptions \
            else {}
        r.workload_hours = self.workload()
        r.url = self.urls.get("url-action") or self.urls.get("url-formation")
        if len(r.sessions) == 1 and self.urls.get("url-session"):
            r.application_url = self.urls["url-session"]
        r.start_dates = sorted({s["start"] for s in r.sessions if "start" in s})
        deadlines = [s.get("apply_until") for s in r.sessions]
        if len(deadlines) == 1 and deadlines[0]:
            r.application_deadline = deadlines[0]
        if len(self.venues) == 1:
            for s in r.sessions:
                s["venue"] = self.venues[0]
        if self.study_mode:
            for s in r.sessions:
                s["study_mode"] = self.study_mode
        if self.errors:
            raise InvalidRecord(self.errors)
        return r

    # --- bookkeeping ---------------------------------------------------------------------------

    def keep(self, key: str, content, why: str = "learncat has no field for it") -> None:
        if content in (None, "", {}) or self.errors:  # a rejected record keeps nothing
            return
        bucket = self.r.extras.setdefault(key, [])
        if content not in bucket:
            bucket.append(content)
        self.harvester.notice_once(key, key, f"{why}; kept as extras (first in "
                                             f"{self.raw.remote_id}: {str(content)[:80]!r})")

    def other(self, element, why: str = "learncat has no field for it"):
        self.keep(key_of(element), flat(element), why)

    def coded(self, element, labels: dict[str, str]):
        code = value(element)
        self.keep(etree.QName(element).localname,
                  {"code": code, "label": labels[code]} if code in labels else code,
                  "a coded value with no learncat field" if code in labels else
                  "a code that is not in the LHEO dictionary")

    def funding(self, code: str):
        if code not in self.r.funding:
            self.r.funding.append(code)

    # --- formation ---------------------------------------------------------------------------

    def title(self, element):
        if value(element):
            self.r.title[lang_of(element, "fr")] = value(element)
            if self.certifying:  # LHEO: a certifying formation is titled as its certification
                self.r.qualification_title[lang_of(element, "fr")] = value(element)

    def description(self, element):
        if value(element):
            self.descriptions.append(to_html(lines(element)))

    def outcomes(self, element):
        if value(element):
            self.r.learning_outcomes.setdefault(lang_of(element, "fr"), []).extend(
                statements(lines(element)))

    def domain(self, element):
        labels = code_labels()
        for code_element in element:
            if not isinstance(code_element.tag, str):
                continue
            local, code = etree.QName(code_element).localname, value(code_element)
            scheme = {"code-FORMACODE": "FORMACODE", "code-NSF": "NSF",
                      "code-ROME": "ROME"}.get(local)
            if not scheme:
                self.other(code_element)
            elif code:
                label = labels.get((scheme, code[:3] if scheme == "NSF" else code))
                entry = {"scheme": scheme, "code": code, "label": label}
                if entry not in self.r.subject_codes:
                    self.r.subject_codes.append(entry)

    def certifiante(self, element):
        if value(element) not in ("0", "1"):
            self.keep("certifiante", value(element), "not 0 or 1")

    def level_out(self, element):
        level = french_level(value(element))
        if level:
            self.r.nqf_level = level
        elif value(element) not in ("", "0"):
            self.keep("code-niveau-sortie", value(element), "a level with no 2019 national level")

    def level_in(self, element):
        if value(element) not in ("", "0"):
                self.keep("code-niveau-entree", french_level(value(element)) or value(element),
                      "an entry level (a prerequisite) with no learncat field")

    def certification(self, element):
        found = flat(element)
        if isinstance(found, dict):
            if found.get("code-RNCP") or found.get("code-RS"):
                self.funding("national-registry")  # France's national registers (RNCP, RS)
            if found.get("code-CPF"):
                self.funding("ila")  # CPF: France's individual learning account
        self.keep(etree.QName(element).localname, found, "certification and training-type codes")

    def url(self, element):
        link = value(self.child(element, "urlweb"))
        if web_url(link):
            self.urls.setdefault(etree.QName(element).localname, link)
        else:
            self.keep(etree.QName(element).localname, link, "not a web address")

    def organisation(self, element):
        name = value(self.child(element, "nom-organisme")) or \
            value(self.child(element, "raison-sociale"))
        if name and not self.certifying:  # a non-certifying formation's attestation is its own
            self.r.awarding_body = name
            self.r.awarding_bodies = [name]
        self.other(element, "the responsible organisation's identity and contacts")

    # --- action ------------------------------------------------------------------------------

    def rhythm(self, element):
        words = value(element).lower()
        self.study_mode = "part-time" if "partiel" in words else \
            "full-time" if "temps plein" in words or "temps complet" in words else None
        self.other(element, "the rhythm in words (full or part time goes to each session)")

    def teaching(self, element):
        form = TEACHING.get(value(element))
        if form:
            self.r.participation_form = form
        else:
            self.keep("modalites-enseignement", value(element),
                      "not a dict-modalites-enseignement code (0, 1 or 2)")

    def entries(self, element):
        if value(element) == "1":  # entrées/sorties permanentes: start when you like
            self.r.start_anytime = True
        elif value(element) != "0":
            self.keep("modalites-entrees-sorties", value(element), "not 0 or 1")

    def prerequisites(self, element):
        if value(element):
            self.r.prerequisites[lang_of(element, "fr")] = lines(element)

    def accessibility(self, element):
        if value(element):
            self.r.accessibility[lang_of(element, "fr")] = value(element)

    def language(self, element):
        code = value(element).lower()
        if vocab.is_language(code):
            if code not in self.r.languages:
                self.r.languages.append(code)
        else:
            self.keep("langue-formation", value(element), "not a language code")

    def price(self, element):
        raw = value(element)
        found = prices.parse(raw, "EUR")
        if not found:
            self.keep("prix-total-TTC", raw, "a price that is not an amount in euros")
            return
        self.r.prices.extend(found)

    def hours(self, element):
        name, raw = etree.QName(element).localname, value(element)
        try:
            self.hours_by_kind[name] = decimal(raw) if raw else None
        except ValueError:
            self.errors.append(FieldError("workload_hours", f"<{name}>{raw}</{name}> is not a "
                                                            "number of hours"))
            return
        if name != "nombre-heures-total":
            self.keep(name, self.hours_by_kind[name], "hours in the centre or in the company")

    def workload(self) -> float | None:
        """The total hours; without one, the centre's plus the company's (what the total is)."""
        hours = self.hours_by_kind
        parts = [hours.get(n) for n in ("nombre-heures-centre", "nombre-heures-entreprise")]
        return hours.get("nombre-heures-total") or sum(h for h in parts if h) or None

    def duration(self, element):
        raw = value(element)
        match = DURATION.fullmatch(raw)
        if match and optional(match[1]) is not None:  # not 400 digits, more than a float holds
            self.r.duration_value = optional(match[1])
            self.r.duration_unit = next(u for first, u in UNITS if match[2].lower()[0] == first)
        else:
            self.keep("duree-indicative", raw, "a duration that is not a number of hours to years")

    def place(self, element):
        coordinates = self.child(element, "coordonnees")
        address = coordinates.find(self.ns + "adresse") if coordinates is not None else None
        self.other(element, "the full address (a place keeps its town, region and coordinates)")
        if address is None:
            return
        names = [value(self.child(address, "denomination"))] + \
            [value(line) for line in coordinates.iterfind(self.ns + "ligne")] + \
            [value(line) for line in address.iterfind(self.ns + "ligne")]
        city = value(self.child(address, "ville")) or None
        postcode = value(self.child(address, "codepostal"))
        self.venues.append(", ".join(dict.fromkeys(
            n for n in (*names, f"{postcode} {city or ''}".strip()) if n)))
        country = value(self.child(address, "pays")).upper() or None
        place = {"city": city, "nuts": REGIONS.get(value(self.child(address, "region"))),
                 "country": country if country and vocab.is_country(country) else None,
                 "lat": None, "lon": None}
        geo = self.child(address, "geolocalisation")
        lat, lon = (value(self.child(geo, n)) if geo is not None else "" for n in
                    ("latitude", "longitude"))
        if lat or lon:
            place["lat"], place["lon"] = read_coordinates(lat, lon, self.errors)
        if city or place["lat"] is not None:
            self.r.places.append(place)

    def public(self, element):
        code = value(element)
        label = code_labels().get(("FORMACODE", code))
        self.keep("code-public-vise", {"code": code, "label": label} if label else code,
                  "target publics (Formacode codes) with no learncat target group")

    def financer(self, element):
        code = value(self.child(element, "code-financeur"))
        if code in FUNDERS:
            self.funding(FUNDERS[code])
        self.other(element, "funders (mapped to funding where the code says how)")

    # --- session -----------------------------------------------------------------------------

    def period(self, element, keys: tuple[str, str], out: dict, field: str) -> None:
        for name, key in zip(("debut", "fin"), keys):
            raw = value(self.child(element, name))
            if not raw:
                continue
            day, well_formed = lheo_date(raw)
            if day:
                out[key] = day
            elif not well_formed:
                self.errors.append(FieldError(field, f"<{name}>{raw}</{name}> is not a date "
                                                     "(AAAAMMJJ)"))
            elif raw not in UNKNOWN_DATES:
                self.keep(name, raw, "a date without a day")

    def session(self, element):
        found: dict = {}
        period = self.child(element, "periode")
        if period is not None:
            self.period(period, ("start", "end"), found, "start_dates")
        for child in element:
            if not isinstance(child.tag, str) or child.tag == self.ns + "periode":
                continue
            local = etree.QName(child).localname
            if local == "periode-inscription" and self.child(child, "periode") is not None:
                self.period(self.child(child, "periode"), ("apply_from", "apply_until"), found,
                            "application_deadline")
            elif local == "etat-recrutement":
                self.coded(child, RECRUITMENT)
            elif local == "url-session":
                self.url(child)
            elif local == "recrutement":
                places = whole(value(child.find(self.ns + "nb-places")))
                if places is not None:
                    found["places"] = places
                self.other(child)
            else:
                self.other(child)
        self.r.sessions.append(found)


HANDLERS = {
    "intitule-formation": "title", "objectif-formation": "description",
    "contenu-formation": "description", "resultats-attendus": "outcomes",
    "domaine-formation": "domain", "certifiante": "certifiante", "code-niveau-sortie": "level_out",
    "code-niveau-entree": "level_in", "certification": "certification",
    "code-type-formation": "certification",
    "url-formation": "url", "url-action": "url", "organisme-formation-responsable": "organisation",
    "rythme-formation": "rhythm", "modalites-enseignement": "teaching",
    "modalites-entrees-sorties": "entries", "conditions-specifiques": "prerequisites",
    "acces-handicapes": "accessibility", "langue-formation": "language",
    "prix-total-TTC": "price", "nombre-heures-total": "hours", "nombre-heures-centre": "hours",
    "nombre-heures-entreprise": "hours", "duree-indicative": "duration",
    "lieu-de-formation": "place", "organisme-financeur": "financer",
    "code-public-vise": "public",
}
