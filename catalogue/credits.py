"""Credits in other schemes to ECTS and hours, national framework levels to EQF: one place for both.

Harvesters record credits and levels as the feed states them (``credits``, ``nqf_level``); the
runner then calls ``derive`` to fill ``ects``, ``workload_hours`` and ``eqf_level`` where the
provider left them out, with published ratios and EQF referencing reports only (the tables and
their sources are in vocabularies/data/credit_schemes.csv and nqf_eqf.csv). What was derived, and
from what, is kept in ``extras["derived"]`` so that pages say "10 ECTS (from 20 SCQF credits)";
a value the provider states always wins.
"""
from __future__ import annotations

import re
from functools import cache

from .record import OpportunityRecord
from .validation import MAX_ECTS
from .vocabularies import read_data

MAX_HOURS = 10_000  # validation's bound on workload_hours: a derived value never rejects a record
SCHEME_NAMES = (  # (pattern on a feed's scheme label, code)
    (r"\bECTS\b|european credit transfer", "ECTS"),
    (r"\bSCQF\b|scottish credit", "SCQF"),
    (r"\bCATS\b|credit accumulation and transfer|\bUK\b|\bRQF\b|\bQCF\b|\bFHEQ\b|\bCQFW\b",
     "UK"),
    (r"\bECVET\b|european credit system for vocational", "ECVET"),
    (r"\bCEUs?\b|continuing education units?", "CEU"),
    (r"quarter", "US-QUARTER"),
    (r"semester", "US-SEMESTER"),
)
FRAMEWORK_NAMES = {"scqf": "SCQF", "rqf": "RQF", "qcf": "QCF", "fheq": "FHEQ", "cqfw": "CQFW",
                   "nfq-ie": "NFQ-IE", "nfq ie": "NFQ-IE", "irish nfq": "NFQ-IE",
                   "ie nqf": "NFQ-IE", "dqr": "DQR",  # "IE NQF": the Commission's list
                   "fr": "FR", "cnc": "FR"}
LEVEL = re.compile(r"(?P<framework>SCQF|RQF|QCF|FHEQ|CQFW|NFQ[- ]IE|Irish NFQ|IE NQF|DQR|FR|CNC)?"
                   r"[\s:-]*(?:level|niveau|stufe)?[\s:-]*(?P<level>\d{1,2}|[CIHMD])", re.I)
# Levels of the UK credit frameworks: FHEQ numbers, or the letters it used before 2008
UK_LETTERS = {"C": "4", "I": "5", "H": "6", "M": "7", "D": "8"}


@cache
def schemes() -> dict[str, dict]:
    """{scheme code: {ects: per credit or None, hours: per credit or None}}."""
    def ratio(text):
        return float(text) if text else None
    return {r["scheme"]: {"ects": ratio(r["ects_per_credit"]), "hours": ratio(r["hours_per_credit"])}
            for r in read_data("credit_schemes.csv")}


@cache
def _eqf() -> dict[str, int]:
    return {f"{r['framework']} {r['level']}": int(r["eqf"]) for r in read_data("nqf_eqf.csv")}


def scheme_code(label: str | None) -> str | None:
    """A feed's name for a credit scheme -> learncat's code, or the label itself when none fits."""
    label = (label or "").strip()
    return next((code for pattern, code in SCHEME_NAMES if re.search(pattern, label, re.I)),
                label or None)


def framework_level(value: str | None, scheme: str | None = None) -> str | None:
    """'SCQF level 7', 'RQF Level 4', 'NFQ-IE 8', or '7' with scheme 'SCQF' -> 'SCQF 7';
    None when the value names no framework learncat knows."""
    match = LEVEL.fullmatch((value or "").strip())
    if not match:
        return None
    named, level = match["framework"], match["level"].upper()
    if named:
        framework = FRAMEWORK_NAMES[" ".join(named.lower().split()).replace("nfq ie", "nfq-ie")]
    elif scheme == "SCQF":
        framework = "SCQF"
    elif scheme == "UK":  # UK credit levels are the FHEQ's (QAA credit framework)
        framework, level = "FHEQ", UK_LETTERS.get(level, level)
    else:
        return None
    return f"{framework} {level}" if level.isdigit() else None


def eqf_level(nqf_level: str | None) -> int | None:
    """The EQF level a national framework level is referenced to (None when not referenced)."""
    return _eqf().get(framework_level(nqf_level) or "")


def derive(record: OpportunityRecord) -> OpportunityRecord:
    """Fill ECTS, hours and EQF level from what the record states, marking each as derived."""
    derived: dict[str, dict] = {}
    for credit in record.credits:
        scheme, value = schemes().get(credit.get("scheme") or ""), credit.get("value")
        if not scheme or not isinstance(value, (int, float)) or value <= 0:
            continue
        origin = {"value": value, "scheme": credit["scheme"]}
        ects = scheme["ects"] and value * scheme["ects"]
        if record.ects is None and ects and ects <= MAX_ECTS and credit["scheme"] != "ECTS":
            record.ects, derived["ects"] = ects, origin
        elif record.ects is None and credit["scheme"] == "ECTS" and value <= MAX_ECTS:
            record.ects = value  # stated in ECTS: nothing derived
        hours = scheme["hours"] and value * scheme["hours"]
        if record.workload_hours is None and hours and hours <= MAX_HOURS:
            record.workload_hours, derived["workload_hours"] = hours, origin
    if record.eqf_level is None:
        levels = [record.nqf_level] + [c.get("level") for c in record.credits]
        for level in filter(None, levels):
            if eqf_level(level):
                record.eqf_level = eqf_level(level)
                derived["eqf_level"] = {"level": framework_level(level)}
                break
    if derived:
        record.extras["derived"] = derived
    return record
