"""European Learning Model v3: JSON-LD documents (incl. credentials) and the LOQ XML binding.

Both bindings use ELM's property names, so the XML is first turned into the node dictionaries the
JSON-LD has (ids, language maps, references) and one mapper reads either. ELM properties learncat
has no field for, and values it cannot map, go to ``extras`` with one notice per property.
A value of the wrong type (an ``id`` given as a list) rejects its record with the reason, and a
document nested deeper than any ELM document is refused as a whole.
"""
from __future__ import annotations

import base64
import json
import re
from collections import defaultdict
from collections.abc import Iterator

from babel.core import get_global
from lxml import etree

from catalogue import credits as credit_schemes
from catalogue import vocabularies as vocab
from catalogue.numbers import optional
from catalogue.record import OpportunityRecord
from catalogue.validation import FieldError, validate

from .base import Fetch, Harvester, InvalidRecord, RawRecord, SourceError, registry
from .json_doc import load_json
from .outcomes import statements
from .xml import lang_of, lines, parse_xml, text

LOQ_NS = "http://data.europa.eu/snb/model/ap/loq"
# Which nodes become records: opportunities; else (a credential) what was achieved; else activities.
TIERS = ({"LearningOpportunity"}, {"LearningAchievementSpecification", "Qualification"},
         {"LearningActivitySpecification"})
ECTS = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
ECVET = "http://data.europa.eu/snb/education-credit/60b314e826"
CREDIT_SYSTEMS = {ECTS: "ECTS", ECVET: "ECVET"}  # the Commission's credit-system concepts
# A framework level's label as the Commission's list writes it: "RQF Level 6", "AT: NQF Level 5"
LEVEL_LABEL = re.compile(r"(?P<framework>.+?)[\s:]+level\s+(?P<level>\S.*)", re.I)
ESCO, NUTS = "http://data.europa.eu/esco/", "http://data.europa.eu/nuts/code/"
SKILL_KEYS = ("relatedESCOSkill", "relatedSkill")
MULTILINE = {"noteLiteral", "description"}  # XML texts whose line breaks are kept (lists)
XML_NAMES = {"EQFLevel": "eqfLevel", "ISCEDFCode": "thematicArea", "NQFLevel": "nqfLevel",
             "contentUrl": "contentURL", "type": "dcType"}  # XML element -> JSON-LD term
LANG_TAG = re.compile(r"[a-z]{2,3}(-[a-z0-9]{1,8})*", re.I)
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_DURATION = re.compile(r"P(?:([\d.]+)Y)?(?:([\d.]+)M)?(?:([\d.]+)W)?(?:([\d.]+)D)?"
                          r"(?:T(?:([\d.]+)H)?(?:([\d.]+)M)?(?:([\d.]+)S)?)?")
UNITS = ("year", "month", "week", "day", "hour", "minute", "second")


class ElmHarvester(Harvester):
    """Gathers the record nodes of one document; ``read`` turns the bytes into a Graph."""
    wanted = ("LearningOpportunity, LearningAchievementSpecification, Qualification or "
              "LearningActivitySpecification")

    def read(self, data: bytes) -> Graph:
        raise NotImplementedError

    def gather(self, source, fetch: Fetch) -> Iterator[RawRecord]:
        graph = self.read(fetch(source.location))
        for tier in TIERS:
            nodes = [n for n in graph.typed if tier & types(n)]
            if nodes:
                break
        else:  # a document of another kind: name what it holds
            self.found.update(str(t) for n in graph.typed for t in types(n))
            raise SourceError(self.nothing_found())
        for position, node in enumerate(nodes, start=1):
            nid = node.get("id")
            if nid is not None and not isinstance(nid, str):  # named in the report as given
                nid = json.dumps(nid, ensure_ascii=False, default=str)[:200]
            yield RawRecord(remote_id=nid if nid and nid.strip() else None,
                            data=(graph, node), position=position)

    def parse(self, raw: RawRecord) -> OpportunityRecord:
        graph, node = raw.data
        if not ident(node):
            raise InvalidRecord([FieldError("id", "the identifier must be one text, not "
                                            f"{describe(node.get('id'))}")])
        return Mapper(self, graph, node).record()

    def notice(self, key: str, field: str, message: str) -> None:
        self.notice_once(key, field, message)


@registry.register
class ElmJsonLdHarvester(ElmHarvester):
    name = "elm-jsonld"

    def read(self, data: bytes) -> Graph:
        return Graph(walk(normalise(unwrap(load_json(data)))))


@registry.register
class ElmLoqXmlHarvester(ElmHarvester):
    name = "elm-loq-xml"

    def read(self, data: bytes) -> Graph:
        root = parse_xml(data)
        if not (etree.QName(root).namespace or "").startswith(LOQ_NS):
            raise SourceError(f"not an ELM LOQ document: the root element is {root.tag!r}")
        nodes = []  # every element with an id is a node; the others are its properties
        for element in root.iter():
            if isinstance(element.tag, str) and element.get("id"):
                node = xml_node(element)
                name = etree.QName(element).localname
                node["type"] = [name[:1].upper() + name[1:]]
                nodes.append(node)
        return Graph(walk(nodes))


# --- reading the two bindings into plain nodes ---------------------------------------------------

def unwrap(doc):
    """A signed credential (JWS JSON serialisation) carries the credential as its payload."""
    while isinstance(doc, dict) and isinstance(doc.get("payload"), str) and "signatures" in doc:
        payload = doc["payload"]
        if not payload.lstrip().startswith(("{", "[")):
            try:
                payload = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
            except ValueError as exc:
                raise SourceError(f"the signed credential's payload is not base64: {exc}") \
                    from exc
        doc = load_json(payload)
    return doc


def norm_key(key: str) -> str:
    """'@id' -> 'id', 'elm:title' or a full IRI -> 'title': the context's short terms."""
    if key in ("@id", "@type"):
        return key[1:]
    return key if key.startswith("@") else re.split(r"[/#:]", key)[-1]


def normalise(value):
    """JSON-LD with its keys and types as the context's short terms, lists unwrapped."""
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "@list" in value or "@set" in value:
        return normalise(value.get("@list", value.get("@set")))
    node = {}
    for key, item in value.items():
        if key == "@context":
            continue
        key = norm_key(key)
        if key == "type":
            item = [norm_key(t) for t in (item if isinstance(item, list) else [item])
                    if isinstance(t, str)]
        node[key] = normalise(item)
    return node


def xml_node(element) -> dict:
    """An element as a node: id/idref/uri as its id, child elements as property lists."""
    node = {}
    ref = element.get("id") or element.get("idref") or element.get("uri")
    if ref:
        node["id"] = ref
    for child in element:
        if isinstance(child.tag, str):
            name = etree.QName(child).localname
            node.setdefault(XML_NAMES.get(name, name), []).append(xml_value(child))
    return node


def xml_value(element):
    """A leaf with a language is a one-entry language map, as JSON-LD writes text."""
    if len(element) or element.get("idref") or element.get("uri"):
        return xml_node(element)
    lang = element.get("language") or lang_of(element)
    value = lines(element) if etree.QName(element).localname in MULTILINE else text(element)
    return {lang.lower(): value} if lang else value


def walk(value) -> Iterator[dict]:
    if isinstance(value, list):
        for item in value:
            yield from walk(item)
    elif isinstance(value, dict):
        yield value
        for item in value.values():
            yield from walk(item)


def types(node: dict) -> set[str]:
    return set(node.get("type") or [])


def ident(node: dict | None) -> str | None:
    """A node's id when it is one non-empty text (a list or a number is no identifier)."""
    nid = (node or {}).get("id")
    return nid if isinstance(nid, str) and nid.strip() else None


def describe(value) -> str:
    """What a value of the wrong type is, for a report: 'a list of 2 values', 'the number 5'."""
    if isinstance(value, list):
        return f"a list of {len(value)} values"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return f"the number {value}" if isinstance(value, (int, float)) else repr(value)


class Graph:
    """The document's nodes by id (the fullest copy of each), so references resolve anywhere."""

    def __init__(self, nodes: Iterator[dict]):
        self.nodes: dict[str, dict] = {}
        typed: dict[object, dict] = {}  # in document order; blank nodes each count
        for node in nodes:
            nid = ident(node)
            if nid is not None and len(node) > len(self.nodes.get(nid, ())):
                self.nodes[nid] = node
            if types(node):
                typed.setdefault(nid or object(), node)
        self.typed = [self.nodes.get(k, n) if isinstance(k, str) else n for k, n in typed.items()]
        self.instances: dict[str, list[dict]] = defaultdict(list)  # spec id -> what it specifies
        for node in self.nodes.values():
            for spec in self.all(node, "specifiedBy"):
                if ident(spec):
                    self.instances[ident(spec)].append(node)

    def resolve(self, value) -> dict | None:
        key = value.get("id") if isinstance(value, dict) else value
        if isinstance(key, str) and key in self.nodes:
            return self.nodes[key]
        if isinstance(value, dict):
            return value
        return {"id": value} if isinstance(value, str) else None

    def all(self, node: dict, key: str) -> list[dict]:
        return [n for n in map(self.resolve, as_list(node.get(key))) if n is not None]


def as_list(value) -> list:
    return [] if value is None else value if isinstance(value, list) else [value]


# --- values --------------------------------------------------------------------------------------

def is_lang_map(value: dict) -> bool:
    return bool(value) and "id" not in value and all(
        LANG_TAG.fullmatch(k) and isinstance(v, (str, list)) for k, v in value.items())


def texts(values, default: str = "und") -> dict[str, list[str]]:
    """{language: [text]} from language maps, @language/@value pairs, notes or plain strings."""
    out: dict[str, list[str]] = {}

    def add(lang, value):
        if not isinstance(lang, str):  # an "@language" that is not a tag
            lang = default
        for v in as_list(value):
            if isinstance(v, str) and v.strip() and v.strip() not in out.get(lang.lower(), []):
                out.setdefault(lang.lower(), []).append(v.strip())

    for value in as_list(values):
        if isinstance(value, str):
            add(default, value)
        elif isinstance(value, list):
            for lang, items in texts(value, default).items():
                add(lang, items)
        elif isinstance(value, dict):
            if "@value" in value:
                add(value.get("@language") or default, value["@value"])
            elif "noteLiteral" in value:
                for lang, items in texts(value["noteLiteral"], default).items():
                    add(lang, items)
            elif is_lang_map(value):
                for lang, items in value.items():
                    add(lang, items)
    return out


def first(found: dict[str, list[str]]) -> dict[str, str]:
    return {lang: items[0] for lang, items in found.items()}


def joined(found: dict[str, list[str]], sep: str = "\n") -> dict[str, str]:
    return {lang: sep.join(items) for lang, items in found.items()}


def best(found: dict[str, list[str]]) -> str | None:
    items = found.get("en") or next(iter(found.values()), None)
    return items[0] if items else None


def label(node: dict) -> str | None:
    return best(texts(node.get("legalName") or node.get("prefLabel") or node.get("title")
                      or node.get("altLabel")))


def compact(value):
    """A readable form of an unmapped value for extras: concepts and references as 'label <uri>'."""
    if isinstance(value, list):
        if value and all(isinstance(v, dict) and is_lang_map(v) for v in value):
            return joined(texts(value))  # the XML binding's one element per language
        items = [compact(v) for v in value]
        return items[0] if len(items) == 1 else items
    if not isinstance(value, dict) or is_lang_map(value):
        return value
    if "@value" in value:
        return value["@value"]
    name = best(texts(value.get("prefLabel")))
    if "id" in value and (name or set(value) <= {"id", "type", "inScheme", "notation"}):
        return f"{name} <{value['id']}>" if name else value["id"]
    return {k: compact(v) for k, v in value.items() if k not in ("type", "inScheme")}


def merge(target: dict[str, str], found: dict[str, str]) -> None:
    for lang, value in found.items():
        target[lang] = f"{target[lang]}; {value}" if lang in target else value


def iso_date(value) -> str | None:
    return value[:10] if isinstance(value, str) and DATE.match(value) else None


def duration(value) -> dict[str, float]:
    """The non-zero parts of an ISO 8601 duration ({} when it is not one)."""
    match = ISO_DURATION.fullmatch(value.strip()) if isinstance(value, str) else None
    if not match:
        return {}
    parts = {unit: optional(v) for unit, v in zip(UNITS, match.groups()) if v}
    return {unit: v for unit, v in parts.items() if v}


def last_segment(uri) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1] if isinstance(uri, str) else ""


def country(uri: str | None) -> str | None:
    """An EU authority country URI (.../country/IRL) as ISO 3166 alpha-2."""
    return vocab.country_code(last_segment(uri))


def language(uri: str | None) -> str | None:
    """An EU authority language URI (.../language/ENG) as the ISO 639 code CLDR knows."""
    code = last_segment(uri).lower()
    code = get_global("language_aliases").get(code, code)
    return code if vocab.is_language(code) else None


def framework_level(name: str | None) -> str | None:
    """A level's label -> '<FRAMEWORK> <level>': the frameworks catalogue/credits.py knows as it
    writes them ('IE NQF Level 8' -> 'NFQ-IE 8'), any other as the Commission's list
    abbreviates it ('LTQF Level 6' -> 'LTQF 6'); None when it names no level."""
    known = credit_schemes.framework_level(name)
    match = LEVEL_LABEL.fullmatch((name or "").strip())
    if known or not match:
        return known
    framework = re.sub(r"[\s:]+", " ", match["framework"]).strip()
    return f"{framework} {match['level'].strip()}"


def credit_scheme(framework: dict) -> str | None:
    """learncat's code for a credit framework concept, else the label the feed gives it."""
    if ident(framework) in CREDIT_SYSTEMS:
        return CREDIT_SYSTEMS[ident(framework)]
    return credit_schemes.scheme_code(label(framework)) or ident(framework)


def same_text(a: str, b: str) -> bool:
    """Equal but for case, spaces and punctuation: an outcome 'title' that repeats the course's."""
    def key(text):
        return " ".join(re.findall(r"\w+", text.casefold()))
    return key(a) == key(b)


# --- mapping -------------------------------------------------------------------------------------

INVALID_ATTRS = {"price": ("price", "currency"), "currency": ("price", "currency"),
                 "duration": ("duration_value", "duration_unit"),
                 "duration_value": ("duration_value", "duration_unit"),
                 "place_nuts": ("places",), "place_country": ("places",), "place_geo": ("places",),
                 "esco_skills": ("esco_skills", "esco_occupations")}
LIMITS = {"nqf_level": 40, "awarding_body": 300, "further_info_url": 1000}  # the columns' sizes


class Mapper:
    """One opportunity (with the specification it points to) or one specification -> a record."""

    def __init__(self, harvester: ElmHarvester, graph: Graph, node: dict):
        self.h, self.g, self.node = harvester, graph, node
        self.spec = next(iter(graph.all(node, "learningAchievementSpecification")), None)
        self.layers = [node] + ([self.spec] if self.spec else [])
        self.used = {"id", "type", "learningAchievementSpecification"}
        self.spec_extras: dict = {"id": ident(self.spec)} if self.spec else {}
        self.r = OpportunityRecord(remote_id=ident(node))
        # what instances (achievements, activities) of this specification say, in a credential
        self.instances = [i for layer in self.layers
                          for i in graph.instances.get(ident(layer), [])]
        self.lang = next(filter(None, map(language, self.uris("defaultLanguage") + self.uris(
            "language"))), "und")

    def get(self, key: str) -> list:
        """The values of ``key`` on the opportunity, else on its specification; a specification's
        value that the opportunity overrides is kept in extras."""
        self.used.add(key)
        found = [as_list(layer.get(key)) for layer in self.layers]
        if len(found) == 2 and found[0] and found[1] and found[0] != found[1]:
            self.spec_extras[key] = compact(found[1])
        return next((f for f in found if f), [])

    def nodes(self, key: str) -> list[dict]:
        return [n for n in map(self.g.resolve, self.get(key)) if n is not None]

    def uris(self, key: str) -> list[str]:
        return [n["id"] for n in self.nodes(key) if ident(n)]

    def keep(self, key: str, value, why: str = "has no catalogue field", extras=None) -> None:
        if value in (None, [], {}, ""):
            return
        extras = self.r.extras if extras is None else extras
        value = compact(value)
        extras[key] = as_list(extras[key]) + as_list(value) if key in extras else value
        self.h.notice(key, key, f"ELM {key!r} {why}: kept in extras")

    def codes(self, key: str, vocabulary: str, concepts: list[dict] | None = None) -> list[str]:
        """Codes of a learncat vocabulary for concept URIs; the ones it lacks go to extras."""
        found = []
        for concept in self.nodes(key) if concepts is None else concepts:
            term = vocab.get(vocabulary).by_uri(concept.get("id"))
            if term is None:
                self.keep(key, concept, f"value not in learncat's {vocabulary} list")
            elif term.code not in found:
                found.append(term.code)
        return found

    def single(self, key: str, values: list):
        if len(values) > 1:
            self.keep(key, values[1:], "has more values than the catalogue field holds")
        return values[0] if values else None

    def record(self) -> OpportunityRecord:
        r = self.r
        r.title = first(texts(self.get("title"), self.lang))
        r.description = joined(texts(self.get("description"), self.lang), "\n\n")
        r.prerequisites = joined(texts(self.get("entryRequirement"), self.lang))
        self.outcomes()
        # a specification (ELM v3, not a Qualification) states its EQF level as educationLevel
        eqf = self.codes("eqfLevel", "eqf") or self.codes("educationLevel", "eqf")
        r.eqf_level = int(eqf[0]) if eqf else None
        self.single("eqfLevel", eqf)
        r.isced_f = self.codes("thematicArea", "isced_f")
        levels = self.nodes("nqfLevel")
        r.nqf_level = self.single("nqfLevel", list(dict.fromkeys(
            filter(None, (framework_level(label(n)) for n in levels)))))
        self.keep("nqfLevel", [n for n in levels if not framework_level(label(n))],
                  "has no label naming a framework and level ('RQF Level 6')")
        r.participation_form = self.single("mode", self.codes("mode", "participation_forms"))
        r.target_groups = self.codes("targetGroup", "target_groups")
        r.languages = self.languages()
        self.credits()
        self.durations()
        self.stacking()
        self.awarding()
        self.assessment()
        r.places = [p for p in map(self.place, self.nodes("location")) if p]
        self.dates()
        self.price()
        urls = [u for n in self.nodes("homepage")
                for u in as_list(n.get("contentURL") or n.get("id"))]
        r.further_info_url = self.single("homepage", [u for u in urls if isinstance(u, str)])
        for layer, extras in ((self.node, r.extras), (self.spec, self.spec_extras)):
            for key, value in (layer or {}).items():
                if key not in self.used:
                    self.keep(key, value, extras=extras)
        if self.spec:
            r.extras["specification"] = self.spec_extras
        self.set_aside_invalid()
        if not r.title:
            raise InvalidRecord([FieldError("title", "the node has no title in any language")])
        if len(r.remote_id) > 300:
            raise InvalidRecord([FieldError("id", "the identifier is longer than 300 characters")])
        return r

    def outcomes(self) -> None:
        """Statements from the summary and each outcome's notes, split where they are a list;
        an outcome's title too, unless it only repeats the course title."""
        r = self.r
        course = [t for layer in self.layers
                  for ts in texts(layer.get("title"), self.lang).values() for t in ts]

        def add(lang: str, items) -> None:
            found = r.learning_outcomes.setdefault(lang, [])
            found.extend(i for i in dict.fromkeys(items) if i not in found)

        for lang, notes in texts(self.get("learningOutcomeSummary"), self.lang).items():
            add(lang, [s for note in notes for s in statements(note)])
        skills = []
        for outcome in self.nodes("learningOutcome"):
            titles = texts(outcome.get("title"), self.lang)
            notes = texts(as_list(outcome.get("description")) +
                          as_list(outcome.get("additionalNote")), self.lang)
            for lang in dict.fromkeys([*titles, *notes]):
                add(lang, [t for t in titles.get(lang, [])
                           if not any(same_text(t, c) for c in course)])
                add(lang, [s for note in notes.get(lang, []) for s in statements(note)])
            skills += [(k, s) for k in SKILL_KEYS for s in self.g.all(outcome, k)]
        r.learning_outcomes = {lang: items for lang, items in r.learning_outcomes.items() if items}
        skills += [(k, s) for k in SKILL_KEYS for s in self.nodes(k)]  # stated on the node itself
        for key, skill in skills:
            uri = ident(skill)
            if not (uri and uri.startswith(ESCO)):
                self.keep(key, skill, "is not an ESCO concept")
                continue
            target = r.esco_occupations if "/occupation/" in uri else r.esco_skills
            target.extend([uri] if uri not in target else [])
            self.concept_label(skill)

    def concept_label(self, concept: dict) -> None:
        """The labels the file gives a concept the record names, for where learncat has none."""
        names = first(texts(concept.get("prefLabel"), self.lang))
        if names:
            self.r.concept_labels[ident(concept)] = {
                **names, **self.r.concept_labels.get(ident(concept), {})}

    def languages(self) -> list[str]:
        found = []
        for concept in self.nodes("language"):
            code = language(concept.get("id"))
            if code is None:
                self.keep("language", concept, "is not a language CLDR knows")
            elif code not in found:
                found.append(code)
        return found

    def credits(self) -> None:
        """Every credit as stated (catalogue/credits.py converts other systems); ECTS also
        as the record's ECTS value."""
        for credit in self.nodes("creditPoint"):
            framework = next(iter(self.g.all(credit, "framework")), {})
            scheme = credit_scheme(framework)
            points = as_list(credit.get("point"))
            value = optional(points[0]) if len(points) == 1 and isinstance(
                points[0], (str, int, float)) and not isinstance(points[0], bool) else None
            if scheme is None or value is None or value < 0:
                self.keep("creditPoint", {"framework": ident(framework) or label(framework),
                                          "point": credit.get("point")},
                          "has no credit system or no readable number of credits")
                continue
            self.r.credits.append({"value": value, "scheme": scheme})
            if scheme == "ECTS" and self.r.ects is None:
                self.r.ects = value

    def durations(self) -> None:
        r = self.r
        for volume in self.get("volumeOfLearning"):
            parts = duration(volume)
            if parts and set(parts) <= {"hour", "minute", "second"} and r.workload_hours is None:
                r.workload_hours = round(parts.get("hour", 0) + parts.get("minute", 0) / 60
                                         + parts.get("second", 0) / 3600, 2)
            else:
                self.keep("volumeOfLearning", volume, "is not a number of hours")
        for key in ("duration", "maximumDuration"):
            for value in self.get(key):
                parts = duration(value)
                if len(parts) == 1 and r.duration_value is None and "second" not in parts:
                    (unit, amount), = parts.items()
                    r.duration_value, r.duration_unit = (amount / 60, "hour") if unit == "minute" \
                        else (amount, unit)
                else:
                    self.keep(key, value, "is not a single-unit duration")

    def stacking(self) -> None:
        """Part of something larger, or made of parts: stackable, towards the parent's title."""
        parents, parts = self.nodes("isPartOf"), self.get("hasPart")
        if parents or parts:
            self.r.stackability = "stackable"
        for parent in parents:
            titles = first(texts(parent.get("title"), self.lang))
            if not titles:
                self.keep("isPartOf", parent.get("id"), "points to a node not in this document")
            merge(self.r.stacks_towards, titles)

    def awarding(self) -> None:
        """The awarding body (else the provider); its country is the issuer's country."""
        bodies = [b for o in self.nodes("awardingOpportunity")
                  for b in self.g.all(o, "awardingBody")]
        bodies += [b for i in self.instances for p in self.g.all(i, "awardedBy")
                   for b in self.g.all(p, "awardingBody")]
        bodies = bodies or self.nodes("providedBy")
        names = list(dict.fromkeys(filter(None, map(label, bodies))))
        self.r.awarding_bodies = names  # a joint award names several
        self.r.awarding_body = names[0] if names else None
        for body in bodies:
            for loc in self.g.all(body, "location"):
                for address in self.g.all(loc, "address"):
                    for code in self.g.all(address, "countryCode"):
                        self.r.country = self.r.country or country(code.get("id"))
        accreditations = self.nodes("accreditation") + [
            a for b in bodies for a in self.g.all(b, "accreditation")]
        self.r.qa_types = self.codes("accreditation", "qa_types", [
            t for a in accreditations for t in self.g.all(a, "dcType")])

    def assessment(self) -> None:
        specs = self.nodes("provenBy") + [s for i in self.instances
                                          for a in self.g.all(i, "provenBy")
                                          for s in self.g.all(a, "specifiedBy")]
        specs = list({id(s): s for s in specs}.values())
        self.r.assessment_types = self.codes("assessmentType", "assessment_types", [
            t for s in specs for t in self.g.all(s, "dcType")])
        for spec in specs:
            merge(self.r.assessment, first(texts(spec.get("title"), self.lang)))
            for scheme in self.g.all(spec, "gradingScheme"):
                merge(self.r.grading, first(texts(scheme.get("description") or scheme.get("title"),
                                                  self.lang)))

    def place(self, loc: dict) -> dict | None:
        """A Location as {city, nuts, country, lat, lon}; what does not fit stays in extras."""
        nuts = [n["id"][len(NUTS):] for n in self.g.all(loc, "spatialCode")
                if str(n.get("id")).startswith(NUTS)]
        countries = [country(c.get("id")) for a in self.g.all(loc, "address")
                     for c in self.g.all(a, "countryCode")]
        geo = [(optional(next(iter(as_list(g.get("latitude"))), "")),
                optional(next(iter(as_list(g.get("longitude"))), "")))
               for g in self.g.all(loc, "geometry")]
        place = {"city": best(texts(loc.get("geographicName"), self.lang)),
                 "nuts": nuts[0] if nuts else None, "country": next(filter(None, countries), None),
                 "lat": geo[0][0] if geo and None not in geo[0] else None,
                 "lon": geo[0][1] if geo and None not in geo[0] else None}
        if (len(nuts) > 1 or len(set(countries)) > 1 or None in countries or len(geo) > 1
                or (geo and place["lat"] is None)
                or len(as_list(loc.get("spatialCode"))) > len(nuts)):
            self.keep("location", loc, "has more than one place or values learncat cannot read")
        return place if any(place.values()) else None

    def dates(self) -> None:
        r = self.r
        for period in self.nodes("temporal"):
            for start in as_list(period.get("startDate")):
                date = iso_date(start)
                if date and date not in r.start_dates:
                    r.start_dates.append(date)
                elif not date:
                    self.keep("temporal", start, "start is not a date")
            self.keep("endDate", period.get("endDate"))
        deadlines = self.get("applicationDeadline")
        self.keep("applicationDeadline", [d for d in deadlines if not iso_date(d)], "is not a date")
        r.application_deadline = self.single("applicationDeadline",
                                             sorted({iso_date(d) for d in deadlines} - {None}))

    def price(self) -> None:
        """One price in one currency; several price details cannot share the catalogue's field."""
        details = self.nodes("priceDetail")
        prices = []
        for detail in details:
            amount = next(iter(self.g.all(detail, "amount")), {})
            unit = last_segment(ident(next(iter(self.g.all(amount, "unit")), {})))
            value = next(iter(as_list(amount.get("value"))), "")
            if isinstance(value, dict):  # a typed literal: {"@value": "50", "@type": "xsd:decimal"}
                value = value.get("@value", "")
            value = optional(value, thousands=True)
            prices.append((value, unit.upper() or None))
        if len(prices) == 1 and prices[0][0] is not None:
            self.r.price, self.r.currency = prices[0]
        elif details:
            self.keep("priceDetail", [{"value": v, "currency": c} for v, c in prices],
                      "holds several prices or no readable amount")

    def set_aside_invalid(self) -> None:
        """Values the catalogue would refuse move to extras, so the rest of the record loads."""
        errors = validate(self.r).errors + [
            FieldError(attr, f"longer than {limit} characters") for attr, limit in LIMITS.items()
            if len(getattr(self.r, attr) or "") > limit]
        for error in errors:
            for attr in INVALID_ATTRS.get(error.field, (error.field,)):
                value = getattr(self.r, attr, None)
                if attr == "remote_id" or value in (None, [], {}):
                    continue
                self.r.extras.setdefault("invalid", {})[attr] = value
                setattr(self.r, attr, type(value)() if isinstance(value, (list, dict)) else None)
                self.h.notice(f"invalid:{attr}", attr, f"{error.message}: kept in extras")
