"""Credential Engine's CTDL: JSON-LD with ``ceterms:`` terms, as providers publish it and as the
Credential Registry serves it (a resource, an ``@graph``, an envelope, a search result).

Courses, learning programs, learning opportunities, credentials of every class and assessments
become records; organisations and other nodes of the document only resolve references (owners,
offerers, QA bodies, offerings, parts). Terms are read by their local names (``ceterms:name`` and
``https://purl.org/ctdl/terms/name`` are both ``name``); no remote context or reference is fetched.
CTDL properties learncat has no field for, and values it cannot map, go to ``extras`` with one
notice per property; a value of the wrong kind (a number where text belongs) rejects its record.
"""
from __future__ import annotations

import base64
import re
from collections import defaultdict
from collections.abc import Iterator


from catalogue import vocabularies as vocab
from catalogue.numbers import optional
from catalogue.prices import currency_of
from catalogue.record import OpportunityRecord
from catalogue.credits import scheme_code, schemes
from catalogue.validation import FieldError

from .base import Fetch, Harvester, InvalidRecord, RawRecord, SourceError, registry
from .json_doc import load_json
from .elm import (ESCO, LANG_TAG, Graph, as_list, is_lang_map, iso_date, normalise,
                  walk)
from .schemaorg import iso_duration, language_code
from .xcri_cap import web_url

OPPORTUNITIES = {"Course", "LearningProgram", "LearningOpportunityProfile", "AssessmentProfile"}
CREDENTIAL_CLASSES = ("Credential", "Degree", "Certificate", "Certification", "Diploma", "Badge",
                      "Doctorate", "License", "GeneralEducationDevelopment")  # subclass endings
WRAPPERS = ("data", "results", "envelopes", "items")  # registry search results and envelope lists
CONTEXT = ("extra", "RelatedItems", "relatedItems")   # what a search result adds for references
CTID = re.compile(r"ce-[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}", re.I)
WITHDRAWN = {"ceased", "deprecated", "suspended"}  # LifeCycleStatus / CredentialStatus concepts
# Delivery concepts (deliveryType, learningDeliveryType) -> Annex I form of participation
DELIVERY = {"onlineonly": "online", "onlinedelivery": "online", "online": "online",
            "inperson": "onsite", "inpersononly": "onsite", "inpersondelivery": "onsite",
            "variablesite": "onsite", "blendeddelivery": "blended", "blended": "blended"}
# AssessmentMethod concepts with a learncat assessment type; "Exam" says too little (oral? written?)
ASSESSMENT_METHODS = {"artifact": "artefact-assessment", "performance": "practical-assessment"}
# classification frameworks by a piece of their URI -> scheme of subject_codes
FRAMEWORKS = (("bls.gov/soc", "SOC"), ("onetonline", "O*NET-SOC"), ("onetcenter", "O*NET-SOC"),
              ("nces.ed.gov", "CIP"), ("/cip", "CIP"), ("naics", "NAICS"), (ESCO, "ESCO"))
CLASSIFICATIONS = {"occupationType": "occupation", "industryType": "NAICS",
                   "instructionalProgramType": "CIP", "naics": "NAICS"}
QA_BODIES = ("accreditedBy", "approvedBy", "recognizedBy", "regulatedBy")
LIMIT = 300  # the awarding body column


def local(value) -> str:
    """'creditUnit:SemesterHour', a concept URI or an alignment object -> 'semesterhour'."""
    if isinstance(value, dict):
        value = value.get("targetNode") or value.get("id") or ""
    return re.sub(r"[^a-z0-9]", "", re.split(r"[/#:]", str(value))[-1].lower())


def types(node: dict) -> list[str]:
    return [t for t in as_list(node.get("type")) if isinstance(t, str)]


def kind(node: dict) -> str | None:
    """'opportunity', 'credential', 'organisation' or None (a profile, a manifest...)."""
    names = types(node)
    if OPPORTUNITIES & set(names):
        return "opportunity"
    if any(n.endswith(CREDENTIAL_CLASSES) for n in names):
        return "credential"
    if any(n.endswith("Organization") for n in names):
        return "organisation"
    return None


def identity(node: dict) -> str | None:
    ctid = node.get("ctid")
    return ctid.strip() if isinstance(ctid, str) and ctid.strip() else \
        node.get("id") if isinstance(node.get("id"), str) else None


def jwt_payload(token: str):
    """A registry envelope's resource is a signed JWT: its payload is the CTDL document."""
    payload = token.split(".")[1]
    return load_json(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def top_nodes(doc, context: bool = False) -> Iterator[tuple[dict, bool]]:
    """(node, is_context) for each resource of a document, unwrapping lists, @graph, envelopes
    and search results; what a search result adds for references is context, never a record."""
    if isinstance(doc, list):
        for item in doc:
            yield from top_nodes(item, context)
    elif isinstance(doc, dict):
        if "@graph" in doc:
            yield from top_nodes(doc["@graph"], context)
        elif "decoded_resource" in doc:
            yield from top_nodes(doc["decoded_resource"], context)
        elif isinstance(doc.get("resource"), str) and "envelope_type" in doc:
            try:
                yield from top_nodes(jwt_payload(doc["resource"]), context)
            except (ValueError, IndexError, SourceError) as exc:
                raise SourceError(f"envelope {doc.get('envelope_id')!r}: its resource is not a "
                                  f"readable JWT ({exc})") from exc
        elif "@type" in doc:
            yield doc, context
        else:
            for key in WRAPPERS:
                yield from top_nodes(doc.get(key), context)
            for key in CONTEXT:
                yield from top_nodes(doc.get(key), True)


class CtdlGraph(Graph):
    """The document's nodes, found by @id, by CTID, or by a registry URI ending in a CTID; and
    for each resource the ones that contain it (hasPart) or require it (a credential's parts)."""

    def __init__(self, nodes: list[dict]):
        super().__init__(walk(nodes))
        for node in list(walk(nodes)):
            ctid = node.get("ctid")
            if isinstance(ctid, str) and len(node) > len(self.nodes.get(ctid, ())):
                self.nodes[ctid] = node
        self.parents: dict[str, list[dict]] = defaultdict(list)
        for node in self.nodes.values():
            targets = as_list(node.get("hasPart")) + [
                t for condition in self.all(node, "requires")
                for t in as_list(condition.get("targetLearningOpportunity"))
                + as_list(condition.get("targetAssessment"))]
            for target in map(self.find, targets):
                known = self.parents[identity(target)] if target is not None else [node]
                if not any(parent is node for parent in known):
                    known.append(node)

    def find(self, value) -> dict | None:
        """The node a reference names, when this document holds it."""
        if isinstance(value, dict) and len(value) > 1 and not set(value) <= {"id", "type"}:
            return value
        key = value.get("id") if isinstance(value, dict) else value
        if not isinstance(key, str):
            return None
        ctid = CTID.search(key)
        return self.nodes.get(key) or (self.nodes.get(ctid[0]) if ctid else None)


@registry.register
class CtdlHarvester(Harvester):
    name = "ctdl"
    wanted = "CTDL Course, LearningProgram, LearningOpportunityProfile, Credential or " \
             "AssessmentProfile"

    def gather(self, source, fetch: Fetch) -> Iterator[RawRecord]:
        data = fetch(source.location)
        try:
            found = list(top_nodes(load_json(data)))
            # a resource that is an "@list" or "@set" normalises to what it holds: no node
            nodes = [(node, is_context) for node, is_context in (
                (normalise(n), c) for n, c in found) if isinstance(node, dict)]
            graph = CtdlGraph([node for node, _ in nodes])
        except (ValueError, RecursionError) as exc:
            raise SourceError(f"not valid JSON: {exc}") from exc
        records = [n for n, is_context in nodes if not is_context and kind(n) in
                   ("opportunity", "credential")]
        if not records:  # the runner warns, naming what the document held instead
            self.found.update(t for node, _ in found for t in as_list(node.get("@type"))
                              if isinstance(t, str))
        for position, node in enumerate(records, start=1):
            ctid, nid = node.get("ctid"), node.get("id")
            remote_id = ctid.strip() if isinstance(ctid, str) and ctid.strip() else \
                nid if isinstance(nid, str) and not nid.startswith("_:") else None
            status = [local(s) for key in ("lifeCycleStatusType", "credentialStatusType")
                      for s in as_list(node.get(key))]
            yield RawRecord(remote_id, (graph, node), position,
                            deleted=bool(WITHDRAWN & set(status)))

    def parse(self, raw: RawRecord) -> OpportunityRecord:
        return Mapper(self, *raw.data, raw.remote_id).record()


# --- values --------------------------------------------------------------------------------------

def compact(value):
    """A readable form of an unmapped value for extras: concepts as 'label <node>'."""
    if isinstance(value, list):
        items = [compact(v) for v in value]
        return items[0] if len(items) == 1 else items
    if not isinstance(value, dict):
        return value
    if is_lang_map(value):
        return {lang: compact(v) for lang, v in value.items()}
    if "@value" in value:
        return value["@value"]
    if "targetNode" in value or "targetNodeName" in value:
        name = best_text(value.get("targetNodeName"))
        node = value.get("targetNode") or value.get("codedNotation")
        return f"{name} <{node}>" if name and node else name or node
    return {k: compact(v) for k, v in value.items() if k != "type"}


def best_text(value) -> str | None:
    """The English (else first) text of a string, a language map or a list of them."""
    for item in as_list(value):
        if isinstance(item, str) and item.strip():
            return item.strip()
        if isinstance(item, dict) and is_lang_map(item):
            for lang in sorted(item, key=lambda tag: not tag.lower().startswith("en")):
                found = best_text(item[lang])
                if found:
                    return found
        if isinstance(item, dict) and isinstance(item.get("@value"), str):
            return item["@value"].strip() or None
    return None


def org_name(node: dict | None) -> str | None:
    return best_text(node.get("name")) if node else None


def credit_scheme(unit) -> str:
    """A CreditUnit concept ('creditUnit:SemesterHour', its name, a unitText) -> learncat's
    scheme code ('US-SEMESTER', 'CEU', 'ECTS'...), else the unit's own name."""
    term = re.split(r"[/#:]", str(unit.get("targetNode") or "") if isinstance(unit, dict)
                    else str(unit or ""))[-1]
    name = best_text(unit.get("targetNodeName")) if isinstance(unit, dict) else None
    names = [name, re.sub(r"(?<=[a-z])(?=[A-Z])", " ", term)]
    return next((code for code in map(scheme_code, filter(None, names)) if code in schemes()),
                next(filter(None, names), None) or "credits")


def concept_label(value) -> str | None:
    """An alignment object's name, else its concept's term ('creditUnit:DegreeCredit' ->
    'DegreeCredit')."""
    name = best_text(value.get("targetNodeName")) if isinstance(value, dict) else None
    node = value.get("targetNode") if isinstance(value, dict) else value
    return name or (re.split(r"[/#:]", node)[-1] or None if isinstance(node, str) else None)


# --- mapping -------------------------------------------------------------------------------------

class Mapper:
    """One CTDL resource -> a record; wrong kinds of value are collected, then reject it."""

    def __init__(self, harvester: CtdlHarvester, graph: CtdlGraph, node: dict, remote_id):
        self.h, self.g, self.node = harvester, graph, node
        self.r = OpportunityRecord(remote_id=remote_id)
        self.errors: list[FieldError] = []
        self.used = {"id", "type", "ctid", "lifeCycleStatusType", "credentialStatusType"}
        self.offering_costs: list[tuple[dict, str | None]] = []  # (CostProfile, offering name)
        languages = [language_code(v) for v in as_list(node.get("inLanguage"))
                     if isinstance(v, str)]
        self.lang = next(filter(None, languages), "en")

    # --- bookkeeping ---------------------------------------------------------------------------

    def get(self, key: str, node: dict | None = None) -> list:
        if node is None:
            self.used.add(key)
        return as_list((self.node if node is None else node).get(key))

    def nodes(self, key: str, node: dict | None = None, what: str = "a node") -> list[dict]:
        """The nodes ``key`` refers to; references to nodes not in this document go to extras."""
        found = []
        for value in self.get(key, node):
            target = self.g.find(value)
            if target is None:
                self.keep(key, value, f"points to {what} not in this document")
            else:
                found.append(target)
        return found

    def keep(self, key: str, value, why: str = "has no catalogue field") -> None:
        value = compact(value)
        if value in (None, [], {}, ""):
            return
        extras = self.r.extras
        extras[key] = as_list(extras[key]) + as_list(value) if key in extras else value
        self.h.notice_once(key, key, f"CTDL {key!r} {why}: kept in extras")

    def error(self, key: str, message: str) -> None:
        self.errors.append(FieldError(key, f"ceterms:{key}: {message}"))

    def texts(self, key: str, node: dict | None = None,
              strict: bool = True) -> dict[str, list[str]]:
        """{language: [text]} of a string, language map or @value list; anything else that
        stands where text belongs (a number, an object) is an error, unless the node is another
        resource's (``strict`` false): then it is left out."""
        out: dict[str, list[str]] = {}

        def add(lang: str, value) -> None:
            for item in value if isinstance(value, list) else [value]:
                if not isinstance(item, str):
                    if strict:
                        self.error(key, f"expected text, not {type(item).__name__} "
                                        f"{item!r:.60}")
                elif item.strip() and item.strip() not in out.get(lang, []):
                    out.setdefault(lang, []).append(item.strip())

        for value in self.get(key, node):
            if isinstance(value, dict) and "@value" in value:
                add(language_code(value.get("@language")) or self.lang, value["@value"])
            elif isinstance(value, dict) and value and "id" not in value and all(
                    LANG_TAG.fullmatch(tag) for tag in value):  # a language map, maybe of junk
                for tag, item in value.items():
                    add(language_code(tag) or self.lang, item)
            elif isinstance(value, dict) and value:
                if strict:
                    self.error(key, f"expected text or a language map, not "
                                    f"{compact(value)!r:.60}")
            else:
                add(self.lang, value)
        return out

    def string(self, key: str, node: dict | None = None) -> list[str]:
        """Plain string values (URLs, dates, codes); others are errors."""
        values = self.get(key, node)
        for value in values:
            if not isinstance(value, str):
                self.error(key, f"expected text, not {type(value).__name__} {value!r:.60}")
        return [v.strip() for v in values if isinstance(v, str) and v.strip()]

    # --- the record ----------------------------------------------------------------------------

    def record(self) -> OpportunityRecord:
        r, node = self.r, self.node
        nid = node.get("ctid")
        if nid is not None and not isinstance(nid, str):
            self.error("ctid", f"expected text, not {type(nid).__name__} {nid!r:.60}")
        r.title = {lang: items[0] for lang, items in self.texts("name").items()}
        r.description = {lang: "\n\n".join(items)
                         for lang, items in self.texts("description").items()}
        if kind(node) == "credential":
            r.qualification_title = dict(r.title)
            self.keep("type", [t for t in types(node)], "is the credential's CTDL class")
        for url in self.string("subjectWebpage"):
            if web_url(url) and r.url is None:
                r.url = url
            else:
                self.keep("subjectWebpage", url, "is a second or non-web address")
        r.languages = self.languages()
        self.organisations()
        self.outcomes()
        self.conditions()
        self.classifications()
        self.assessment()
        self.stacking()
        self.credits()
        session = self.when_where_how(node)
        if "start" in session or "end" in session:
            r.sessions.append(session)
        for offering in self.nodes("hasOffering", what="an offering"):
            self.offering(offering)
        self.prices()
        for key, value in node.items():
            if key not in self.used:
                self.keep(key, value)
        if self.errors:
            raise InvalidRecord(self.errors)
        if not r.title:
            raise InvalidRecord([FieldError("name", "the resource has no ceterms:name")])
        if len(r.remote_id) > 300:
            raise InvalidRecord([FieldError("ctid", "the identifier is longer than 300 "
                                                    "characters")])
        return r

    def languages(self) -> list[str]:
        found = []
        for value in self.string("inLanguage"):
            code = language_code(value)
            if code is None:
                self.keep("inLanguage", value, "is not a language code")
            elif code not in found:
                found.append(code)
        return found

    def organisations(self) -> None:
        """Owners award (else the offerers); the first owner's country is the record's."""
        owners = self.nodes("ownedBy", what="an organisation")
        offerers = self.nodes("offeredBy", what="an organisation")
        bodies = owners or offerers
        names = list(dict.fromkeys(filter(None, map(org_name, bodies))))
        self.r.awarding_bodies = [n for n in names if len(n) <= LIMIT]
        self.r.awarding_body = next(iter(self.r.awarding_bodies), None)
        self.keep("ownedBy", [n for n in names if len(n) > LIMIT], "is too long a name")
        self.keep("offeredBy", [n for n in map(org_name, offerers) if n and n not in names],
                  "names providers besides the owner")
        for body in bodies:
            for address in as_list(body.get("address")):
                if isinstance(address, dict) and self.r.country is None:
                    self.r.country = vocab.country_code(best_text(address.get("addressCountry")))
        for key in QA_BODIES:
            qa_bodies = self.nodes(key, what="an organisation")
            if key == "accreditedBy" and qa_bodies:
                self.r.qa_types = ["programme-qa"]  # the resource itself is accredited
            self.keep(key, [org_name(b) or compact(b) for b in qa_bodies], "names QA bodies")

    def alignment_texts(self, concept: dict) -> dict[str, list[str]]:
        """A competency's statement: an alignment object's name (else its description), or a
        Competency node's text."""
        for key in ("targetNodeName", "competencyText", "competencyLabel", "name",
                    "targetNodeDescription", "description"):
            found = self.texts(key, concept)
            if found:
                return found
        return {}

    def outcomes(self) -> None:
        """What it teaches, and the competencies its requirements name (the holder has them)."""
        concepts = self.nodes("teaches", what="a competency") + [
            c for condition in self.nodes("requires", what="a condition")
            for c in self.nodes("targetCompetency", condition, "a competency")]
        for concept in concepts:
            statements = self.alignment_texts(concept)
            for lang, items in statements.items():
                bucket = self.r.learning_outcomes.setdefault(lang, [])
                bucket.extend(i for i in items if i not in bucket)
            node = concept.get("targetNode") or concept.get("id")
            if isinstance(node, str) and node.startswith(ESCO):
                target = self.r.esco_occupations if "/occupation/" in node else self.r.esco_skills
                target.extend([node] if node not in target else [])
                self.r.concept_labels[node] = {lang: items[0] for lang, items in
                                               statements.items()}

    def conditions(self) -> None:
        """Entry conditions are prerequisites; other requirements are kept as stated."""
        conditions = self.nodes("entryCondition", what="a condition") + [
            c for m in self.nodes("commonConditions", what="a condition manifest")
            for c in self.nodes("entryCondition", m, "a condition")]
        for condition in conditions:
            parts: dict[str, list[str]] = {}
            for key in ("description", "condition"):
                for lang, items in self.texts(key, condition).items():
                    parts.setdefault(lang, []).extend(items)
            for target in self.nodes("targetLearningOpportunity", condition, "a resource"):
                for lang, items in self.texts("name", target, strict=False).items():
                    parts.setdefault(lang, []).extend(items[:1])
            for concept in self.nodes("targetCompetency", condition, "a competency"):
                for lang, items in self.alignment_texts(concept).items():
                    parts.setdefault(lang, []).extend(items)
            if not parts:
                parts = self.texts("name", condition)
            for lang, items in parts.items():
                before = self.r.prerequisites.get(lang)
                self.r.prerequisites[lang] = "\n".join(([before] if before else []) + items)
            self.keep("entryCondition", {k: v for k, v in condition.items() if k not in (
                "type", "name", "description", "condition", "targetLearningOpportunity",
                "targetCompetency")}, "says more than the prerequisites")
        for condition in self.nodes("requires", what="a condition"):
            self.keep("requires", {k: v for k, v in condition.items()
                                   if k not in ("type", "targetCompetency")},
                      "states requirements to complete or earn it")

    def classifications(self) -> None:
        """Occupation, industry and programme (CIP) codes as stated: no crosswalk to ISCED-F
        is published with learncat, so CIP codes are kept, not translated."""
        for key, default in CLASSIFICATIONS.items():
            for concept in self.get(key):
                if isinstance(concept, str):  # older CTDL: bare codes
                    self.r.subject_codes.append({"scheme": default, "code": concept,
                                                 "label": None})
                    continue
                if not isinstance(concept, dict):
                    self.error(key, f"expected a CredentialAlignmentObject, not {concept!r:.60}")
                    continue
                framework = str(concept.get("framework") or "")
                node = concept.get("targetNode")
                scheme = next((name for part, name in FRAMEWORKS
                               if part in framework or part in str(node or "")), None)
                code = concept.get("codedNotation") or (node if node and not web_url(
                    str(node)) else None)
                label = best_text(concept.get("targetNodeName"))
                if isinstance(node, str) and node.startswith(ESCO):
                    target = self.r.esco_occupations if "/occupation/" in node \
                        else self.r.esco_skills
                    target.extend([node] if node not in target else [])
                    self.r.concept_labels[node] = {
                        lang: items[0] for lang, items in self.texts("targetNodeName",
                                                                     concept).items()}
                if code or label:
                    self.r.subject_codes.append({
                        "scheme": scheme or best_text(concept.get("frameworkName")) or default,
                        "code": str(code) if code else None, "label": label})

    def assessment(self) -> None:
        descriptions = self.texts("assessmentMethodDescription")
        for concept in self.get("assessmentMethodType"):
            code = ASSESSMENT_METHODS.get(local(concept))
            if code and code not in self.r.assessment_types:
                self.r.assessment_types.append(code)
            elif not code and concept_label(concept):
                descriptions.setdefault(self.lang, []).append(concept_label(concept))
        self.r.assessment = {lang: "; ".join(items) for lang, items in descriptions.items()}

    def stacking(self) -> None:
        """Part of a program in this document, or required by a credential in it: stackable
        towards its name; a program made of parts is stackable too."""
        parents = self.g.parents.get(self.r.remote_id, []) + self.nodes(
            "isPartOf", what="a resource")
        if parents or self.get("hasPart"):
            self.r.stackability = "stackable"
        for parent in parents:
            for lang, items in self.texts("name", parent, strict=False).items():
                before = self.r.stacks_towards.get(lang)
                if items[0] != before:
                    self.r.stacks_towards[lang] = f"{before}; {items[0]}" if before else items[0]
        self.keep("hasPart", [org_name(self.g.find(p)) or p for p in self.get("hasPart")],
                  "lists its parts")

    def credits(self) -> None:
        """Credits as stated, with learncat's scheme codes: the runner's central conversion
        (catalogue.credits) fills ``ects`` from ECTS and hours from the schemes it has ratios
        for; US semester and quarter hours stay as stated."""
        for value in self.nodes("creditValue", what="a credit value"):
            scheme = credit_scheme(next(iter(as_list(value.get("creditUnitType")) + as_list(
                value.get("unitText"))), None))
            raw = value.get("value")
            amount = optional(raw)
            if raw is not None and amount is None:
                self.error("creditValue", f"{raw!r:.60} is not a number")
                continue
            if amount is None:
                self.keep("creditValue", value, "is a range or has no value")
                continue
            self.r.credits.append({"value": amount, "scheme": scheme})
            self.keep("creditValue", {k: v for k, v in value.items() if k not in (
                "type", "value", "creditUnitType", "unitText")}, "says more than the credits")

    def when_where_how(self, node: dict) -> dict:
        """Duration, places, delivery, dates of the resource or one of its offerings; returns
        the offering's session."""
        own = node is self.node
        at = None if own else node  # the record's own keys count as used
        session: dict = {}
        for profile in self.nodes("estimatedDuration", at, "a duration"):
            self.duration(profile)
        for place in self.nodes("availableAt", at, "a place"):
            venue = self.place(place)
            if venue and "venue" not in session:
                session["venue"] = venue
        forms = [DELIVERY.get(local(t)) for key in ("deliveryType", "learningDeliveryType")
                 for t in self.get(key, at)]
        for concept in [t for key in ("deliveryType", "learningDeliveryType")
                        for t in self.get(key, at) if DELIVERY.get(local(t)) is None]:
            self.keep("deliveryType", concept, "is not a delivery type learncat knows")
        known = list(dict.fromkeys(f for f in forms if f))
        if known and self.r.participation_form is None:
            self.r.participation_form = "blended" if "blended" in known or len(known) > 1 \
                else known[0]
        for key, name in (("startDate", "start"), ("endDate", "end")):
            for value in self.string(key, at):
                day = iso_date(value)
                if day is None:
                    self.error(key, f"{value!r:.60} is not a date (YYYY-MM-DD)")
                    continue
                session.setdefault(name, day)
                if key == "startDate" and day not in self.r.start_dates:
                    self.r.start_dates.append(day)
        return session

    def duration(self, profile: dict) -> None:
        """exactDuration, else the longest of a range; a range or description is kept too."""
        parts = {}
        for key in ("exactDuration", "maximumDuration", "minimumDuration"):
            for value in self.string(key, profile):
                parsed = iso_duration(value)
                if parsed is None:
                    self.keep("estimatedDuration", value, "is not an ISO 8601 duration")
                else:
                    parts.setdefault(key, parsed)
        chosen = next((parts[k] for k in ("exactDuration", "maximumDuration", "minimumDuration")
                       if k in parts), None)
        if chosen and self.r.duration_value is None:
            self.r.duration_value, self.r.duration_unit = chosen
        rest = {k: v for k, v in profile.items() if k not in ("type", "exactDuration")}
        self.keep("estimatedDuration", rest, "gives a range or a description of the duration")

    def place(self, place: dict) -> str | None:
        """A Place as {city, nuts, country, lat, lon}; its name and address lines are the
        venue (kept in extras and in the offering's session)."""
        city = best_text(place.get("addressLocality"))
        country = vocab.country_code(best_text(place.get("addressCountry")))
        lat, lon = place.get("latitude"), place.get("longitude")
        geo = [optional(v) for v in (lat, lon)]
        if (lat is not None or lon is not None) and None in geo:
            self.errors.append(FieldError("place_geo", f"ceterms:latitude/longitude: {lat!r:.30}"
                                                       f" {lon!r:.30} is not a latitude and "
                                                       "longitude"))
            geo = [None, None]
        lines = [best_text(place.get(k)) for k in ("name", "streetAddress", "addressLocality",
                                                   "addressRegion", "postalCode")]
        venue = ", ".join(line for line in lines if line) or None
        self.keep("availableAt", venue, "names venues and addresses")
        if city or geo[0] is not None:
            self.r.places.append({"city": city, "nuts": None, "country": country,
                                  "lat": geo[0], "lon": geo[1]})
        return venue

    def offering(self, offering: dict) -> None:
        """A ScheduledOffering: one session, with its own places, delivery and costs."""
        session = self.when_where_how(offering)
        if session:
            self.r.sessions.append(session)
        self.offering_costs.extend((p, org_name(offering)) for p in self.nodes(
            "estimatedCost", offering, "a cost"))
        self.keep("hasOffering", {k: v for k, v in offering.items() if k not in (
            "type", "id", "ctid", "startDate", "endDate", "availableAt", "deliveryType",
            "learningDeliveryType", "estimatedDuration", "estimatedCost")},
            "describes offerings beyond dates, places and costs")

    def prices(self) -> None:
        """Every CostProfile with an amount, its cost type and audiences as the condition
        (catalogue.normalise makes the lowest the record's price)."""
        profiles = [(p, None) for p in self.nodes("estimatedCost", what="a cost")] + [
            (p, None) for m in self.nodes("commonCosts", what="a cost manifest")
            for p in self.nodes("estimatedCost", m, "a cost")] + self.offering_costs
        for profile, where in profiles:
            raw = profile.get("price")
            if raw is None:
                self.keep("estimatedCost", profile, "has no amount")
                continue
            amount = optional(raw, thousands=True)
            currency = currency_of(profile.get("currency"))
            if amount is None or amount < 0:
                self.error("price", f"{raw!r:.60} is not an amount")
                continue
            if currency is None and amount:
                self.keep("estimatedCost", profile, "names no currency learncat knows")
                continue
            labels = [where] + [concept_label(c) for key in (
                "directCostType", "audienceType", "residencyType")
                for c in as_list(profile.get(key))]
            self.r.prices.append({"amount": amount, "currency": currency if amount else None,
                                  "condition": ", ".join(filter(None, labels)) or None})
            self.keep("estimatedCost", {k: v for k, v in profile.items() if k not in (
                "type", "price", "currency", "directCostType", "audienceType", "residencyType",
                "name")}, "gives cost details")
