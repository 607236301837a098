"""Controlled vocabularies as data: codes with English labels, loaded once from ``data/*.csv``.

Sources: the Commission's ELM code lists (see ``extract.py``) and learncat's own lists where the
Commission publishes none. Country and language names are not here: they come from Babel's CLDR data.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from babel import Locale
from babel.core import get_global

from ..loading import loaded_once

DATA = Path(__file__).parent / "data"

NAMES = (
    "eqf", "qf_ehea_cycles", "isced_f", "participation_forms", "assessment_types", "qa_types",
    "supervision_levels", "stackability", "funding", "target_groups", "nuts",
)


@dataclass(frozen=True)
class Term:
    code: str
    label: str
    description: str = ""
    uri: str = ""


@dataclass(frozen=True)
class Vocabulary:
    name: str
    terms: dict[str, Term] = field(default_factory=dict)

    def __contains__(self, code: object) -> bool:
        return code in self.terms

    def __iter__(self):
        return iter(self.terms.values())

    def label(self, code: str) -> str:
        term = self.terms.get(code)
        return term.label if term else code

    def by_uri(self, uri: str) -> Term | None:
        return next((t for t in self.terms.values() if t.uri and t.uri == uri), None)


def read_data(name: str) -> list[dict[str, str]]:
    """The rows of the data file ``name`` (a CSV whose ``#`` lines cite its sources)."""
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


@cache
def get(name: str) -> Vocabulary:
    """The vocabulary ``name`` (one of NAMES)."""
    if name not in NAMES:
        raise KeyError(name)
    terms = {r["code"]: Term(r["code"], r["label"], r.get("description") or "", r.get("uri") or "")
             for r in read_data(f"{name}.csv")}
    return Vocabulary(name, terms)


@loaded_once
def _esco(kind: str) -> dict[str, dict[str, str]]:
    return {r.pop("uri"): {lang: label for lang, label in r.items() if label}
            for r in read_data(f"esco_{kind}.csv")}


def esco_table(kind: str) -> dict[str, dict[str, str]]:
    """Every ESCO concept of ``kind`` ("skills" or "occupations"): {uri: {language: label}}."""
    return _esco(kind)


def esco_labels(uri: str) -> dict[str, str]:
    """{language: preferred label} of an ESCO skill or occupation ({} when unknown)."""
    kind = "occupations" if "/occupation/" in uri else "skills"
    return _esco(kind).get(uri, {})


def concept_labels(uri: str, given: dict[str, dict[str, str]] | None = None) -> dict[str, str]:
    """A concept's labels by language: learncat's ESCO labels, else the ones the feed gave
    (``given``, an offer's concept_labels), so no concept it named is left a bare id."""
    return {**(given or {}).get(uri, {}), **esco_labels(uri)}


def isced_ancestors(code: str) -> list[str]:
    """An ISCED-F code with its broader fields: 0613 -> [06, 061, 0613]."""
    return [code[:n] for n in (2, 3, 4) if len(code) >= n]


def nuts_ancestors(code: str) -> list[str]:
    """A NUTS code with its larger regions, from NUTS 1 down: FRK26 -> [FRK, FRK2, FRK26]."""
    return [code[:n] for n in range(3, len(code) + 1)]


@cache
def _cldr(locale: str) -> Locale:
    return Locale.parse(locale)


def country_name(code: str, locale: str = "en") -> str:
    return _cldr(locale).territories.get(code.upper(), code)


def language_name(code: str, locale: str = "en") -> str:
    return _cldr(locale).languages.get(code.lower(), code)


NOT_COUNTRIES = {"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"}  # CLDR groupings and placeholders


def is_country(code: str) -> bool:
    return len(code) == 2 and code.isalpha() and code.upper() not in NOT_COUNTRIES and \
        code.upper() in _cldr("en").territories


@cache
def _english_names(kind: str) -> dict[str, str]:
    """{casefolded English name: code} of CLDR's territories or languages."""
    return {name.casefold(): code for code, name in getattr(_cldr("en"), kind).items()}


def is_place_name(text: str) -> bool:
    """Whether ``text`` is the English name of a country or region ('Ireland', 'Europe')."""
    return text.casefold() in _english_names("territories")


def country_code(value: str | None) -> str | None:
    """'IE', 'IRL' or 'Ireland' -> 'IE'; None when it names no country."""
    text = (value or "").strip()
    if len(text) == 3 and text.isalpha():
        text = (get_global("territory_aliases").get(text.upper()) or [""])[0]
    code = text.upper() if len(text) == 2 else _english_names("territories").get(text.casefold())
    return code if code and is_country(code) else None


def language_of_name(name: str) -> str | None:
    """'English' -> 'en' (the code CLDR gives the English name; None when none)."""
    return _english_names("languages").get(name.strip().casefold())


def is_language(code: str) -> bool:
    return len(code) in (2, 3) and code.isalpha() and code.lower() in _cldr("en").languages
