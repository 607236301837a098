"""Every label the portal shows for facets, vocabulary values and Annex I elements, in one place."""
from __future__ import annotations

from functools import lru_cache

from babel.units import format_unit
from flask_babel import gettext, lazy_gettext as _l, ngettext

from catalogue import vocabularies as vocab
from indexer.protocol import ECTS_RANGES

from . import i18n

FACET_TITLES = {
    "eqf": _l("EQF level"), "ects": _l("ECTS credits"), "country": _l("Country"),
    "region": _l("Region"), "language": _l("Language of instruction"),
    "form": _l("Form of participation"), "isced": _l("Field of education"),
    "provider": _l("Provider"), "qa": _l("Quality assurance"), "price": _l("Cost"),
    "stackable": _l("Stackability"), "funding": _l("Funding you may use"),
    "audience": _l("Meant for"),
}
FACET_VOCABULARY = {"form": "participation_forms", "isced": "isced_f", "qa": "qa_types",
                    "stackable": "stackability", "region": "nuts", "funding": "funding",
                    "audience": "target_groups"}
ECTS_LABELS = {"0-2": _l("up to 2"), "2-5": _l("more than 2, up to 5"),
               "5-10": _l("more than 5, up to 10"), "10+": _l("more than 10")}
PRICE_LABELS = {"free": _l("Free"), "paid": _l("Paid")}
assert set(ECTS_LABELS) == {code for code, _, _ in ECTS_RANGES}

# Annex I elements: (label, plain-language explanation)
ELEMENTS = {
    "title": (_l("Title"), _l("The name of the course or micro-credential.")),
    "country": (_l("Country and region of the issuer"),
                _l("Where the organisation that awards the credential is established.")),
    "awarding_body": (_l("Awarding body"),
                      _l("The organisation that issues the credential when you pass.")),
    "learning_outcomes": (_l("Learning outcomes"),
                          _l("What you will know and be able to do at the end.")),
    "workload": (_l("Notional workload"),
                 _l("How much work it takes: in ECTS credits (one credit is about 25 to 30 hours "
                    "of study) or in hours.")),
    "level": (_l("Level"),
              _l("The level on the European Qualifications Framework, from 1 (basic) to 8 "
                 "(doctorate), so that courses can be compared across countries.")),
    "assessment": (_l("Type of assessment"), _l("How what you learned is checked.")),
    "participation_form": (_l("Form of participation"),
                           _l("Whether you take part online, on site or both (blended).")),
    "quality_assurance": (_l("Type of quality assurance"),
                          _l("Who checks the quality of the course or of the provider.")),
    "prerequisites": (_l("Prerequisites"), _l("What you need before you can enrol.")),
    "supervision": (_l("Supervision and identity verification"),
                    _l("Whether the assessment is supervised and your identity checked.")),
    "grading": (_l("Grading"), _l("How results are graded.")),
    "stackability": (_l("Integration and stackability"),
                     _l("Whether it stands alone or counts towards a larger credential.")),
    "further_info": (_l("Further information"), _l("Where the provider tells more.")),
}


# A harvest run's outcome and the stage of a harvest where a problem was found, in plain words
# (catalogue.models.RunStatus and Stage); the problems themselves are the harvester's English
RUN_STATUSES = {"running": _l("running"), "succeeded": _l("succeeded"),
                "partial": _l("partly succeeded"), "failed": _l("failed")}
STAGES = {"fetch": _l("Downloading"), "gather": _l("Listing the records"),
          "parse": _l("Reading a record"), "validate": _l("Checking a record"),
          "store": _l("Saving a record")}


def run_status(status) -> str:
    return str(RUN_STATUSES.get(status.value, status.value))


def stage(value) -> str:
    return str(STAGES.get(value.value, value.value))


STUDY_MODES = {"full-time": _l("Full time"), "part-time": _l("Part time"),
               "flexible": _l("Full or part time")}


def session_facts(session: dict) -> list[str]:
    """One presentation of an offer in plain words: its dates, when to apply, study mode,
    number of places and venue (each only when the provider stated it)."""
    start, end = i18n.date(session.get("start")), i18n.date(session.get("end"))
    mode = session.get("study_mode")
    facts = [
        gettext("%(start)s to %(end)s", start=start, end=end) if start and end
        else gettext("Starts %(date)s", date=start) if start
        else gettext("Ends %(date)s", date=end) if end else "",
        gettext("Apply from %(date)s", date=i18n.date(session["apply_from"]))
        if session.get("apply_from") else "",
        gettext("Apply by %(date)s", date=i18n.date(session["apply_until"]))
        if session.get("apply_until") else "",
        str(STUDY_MODES.get(mode, mode or "")),
        gettext("Places: %(n)s", n=i18n.number(session["places"]))
        if session.get("places") is not None else "",
        session.get("venue") or "",
    ]
    return [fact for fact in facts if fact]


# Credit schemes (catalogue.credits' codes) as units after a number; other schemes show as named
CREDIT_UNITS = {"ECTS": _l("ECTS credits"), "UK": _l("UK credits"), "SCQF": _l("SCQF credits"),
                "ECVET": _l("ECVET points"), "CEU": _l("CEU"),
                "US-SEMESTER": _l("US semester credit hours"),
                "US-QUARTER": _l("US quarter credit hours")}


def credit(value, scheme: str | None) -> str:
    """'20 SCQF credits': a credit value in its scheme."""
    return gettext("%(n)s %(unit)s", n=i18n.number(value), unit=CREDIT_UNITS.get(scheme, scheme))


def origin(o, field: str) -> str:
    """'from 20 SCQF credits' when learncat derived ``field`` from what the provider stated."""
    source = (o.extras or {}).get("derived", {}).get(field)
    if not source:
        return ""
    stated = source["level"] if "level" in source else credit(source["value"], source["scheme"])
    return gettext("from %(origin)s", origin=stated)


def term(vocabulary: str, code: str | None) -> str:
    """A vocabulary value's label in the reader's language."""
    if not code:
        return ""
    label = vocab.get(vocabulary).label(code)
    return gettext(label) if label != code else code


concept = vocab.concept_labels


def term_description(vocabulary: str, code: str) -> str:
    description = vocab.get(vocabulary).terms[code].description if code in vocab.get(vocabulary) else ""
    return gettext(description) if description else ""


def eqf(level) -> str:
    return gettext("EQF %(level)s", level=level)


def facet_value(facet: str, value: str, providers: dict[str, str] | None = None,
                locale: str | None = None) -> str:
    """The label of a facet value (a page of facets passes its locale once)."""
    if facet == "provider":
        return (providers or {}).get(value, value)
    return _vocabulary_value(locale or i18n.locale_code(), facet, value)


@lru_cache(maxsize=50_000)
def _vocabulary_value(locale: str, facet: str, value: str) -> str:
    """Labels from fixed vocabularies, cached per reader's language (``locale`` is the key)."""
    if facet == "eqf":
        return eqf(value)
    if facet == "ects":
        return str(ECTS_LABELS.get(value, value))
    if facet == "price":
        return str(PRICE_LABELS.get(value, value))
    if facet == "country":
        return i18n.country(value)
    if facet == "language":
        return i18n.language(value)
    if facet == "region":
        return f"{term('nuts', value)} ({value})"
    return term(FACET_VOCABULARY[facet], value)


def duration(value, unit) -> str:
    """CLDR's words for the unit where it has them (some languages lack some units)."""
    for length in ("long", "short"):
        text = format_unit(value, f"duration-{unit}", length=length, locale=i18n.locale_code())
        if "duration-" not in text:
            return text
    n = i18n.number(value)
    count = int(value) if float(value).is_integer() else 2
    return {
        "hour": lambda: ngettext("%(n)s hour", "%(n)s hours", count, n=n),
        "day": lambda: ngettext("%(n)s day", "%(n)s days", count, n=n),
        "week": lambda: ngettext("%(n)s week", "%(n)s weeks", count, n=n),
        "month": lambda: ngettext("%(n)s month", "%(n)s months", count, n=n),
        "year": lambda: ngettext("%(n)s year", "%(n)s years", count, n=n),
    }[unit]()
