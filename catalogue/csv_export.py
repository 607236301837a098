"""Offers as rows of learncat's own CSV template (harvesters/templates/), for open data.

Pure functions from a record (an ``Opportunity`` or ``OpportunityRecord``) to a template row: the
cells are written as harvesters/csv_feed.py reads them, so an exported file harvested again gives
the same offers. The template has fewer columns than the catalogue: credits other than ECTS,
further awarding bodies, several prices, presentations and subject codes are not written (a
price is the main amount and its currency). A list value never holds the separator ``|``
inside an item, as the template cannot say so: such a ``|`` is written as ``/``.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from harvesters.csv_feed import PLAIN_COLUMNS, SEPARATOR, TEXT_COLUMN, TEXT_COLUMNS

TEMPLATE = Path(__file__).resolve().parent.parent / "harvesters" / "templates" / \
    "learncat-template.csv"
# the template's plain columns in the template's order (the order a provider knows)
_ORDER = TEMPLATE.read_text(encoding="utf-8").split("\n", 1)[0].strip().split(",")
PLAIN_ORDER = tuple(c for c in _ORDER if c in PLAIN_COLUMNS and c != "id") + tuple(
    sorted(PLAIN_COLUMNS - set(_ORDER) - {"id"}))
LISTS = {"assessment_type": "assessment_types", "qa_type": "qa_types", "languages": "languages",
         "funding": "funding", "target_groups": "target_groups", "isced_f": "isced_f",
         "esco_skills": "esco_skills", "esco_occupations": "esco_occupations",
         "start_dates": "start_dates"}
TEXTS = ("awarding_body", "country", "region", "qf_ehea_cycle", "nqf_level",
         "participation_form", "supervision", "stackability", "further_info_url", "currency",
         "application_url", "application_deadline", "url")


def text_columns(records: Iterable) -> list[str]:
    """The ``<field>_<language>`` columns the records need, in the template's field order."""
    languages: dict[str, set[str]] = {f: set() for f in TEXT_COLUMNS}
    for record in records:
        for name in TEXT_COLUMNS:
            languages[name].update(lang for lang, value in (getattr(record, name) or {}).items()
                                   if value and TEXT_COLUMN.match(f"{name}_{lang.lower()}"))
    return [f"{name}_{lang.lower()}" for name in TEXT_COLUMNS
            for lang in sorted(languages[name], key=str.lower)]


def header(text_cols: list[str]) -> list[str]:
    return ["id", *text_cols, *PLAIN_ORDER]


def number(value: float | None, decimals: int | None = None) -> str:
    if value is None:
        return ""
    if decimals is not None:
        value = round(value, decimals)
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _item(value) -> str:
    return str(value).replace(SEPARATOR, "/").strip()


def _join(values) -> str:
    return SEPARATOR.join(i for i in (_item(v) for v in values or ()) if i)


def _duration(value: float | None, unit: str | None) -> str:
    if value is None or not unit:
        return ""
    if unit == "minute":  # the template counts hours at the finest
        value, unit = value / 60, "hour"
    return f"{number(value)} {unit}"


def _places(places: list[dict]) -> dict[str, str]:
    """A column of places holds one value per city, or none: a part some place lacks is left
    out for all (the template cannot leave one place's cell empty)."""
    located = [p for p in places or () if (p.get("city") or "").strip()]
    cells = {"place_city": _join(p["city"] for p in located)}
    for part, column in (("nuts", "place_nuts"), ("country", "place_country")):
        if located and all(p.get(part) for p in located):
            cells[column] = _join(p[part] for p in located)
    if located and all(p.get("lat") is not None and p.get("lon") is not None for p in located):
        cells["place_geo"] = _join(f"{p['lat']} {p['lon']}" for p in located)
    return cells


def row(record, identifier: str | None = None) -> dict[str, str]:
    """One template row: {column: cell}; empty cells for what the provider did not state."""
    cells = {"id": identifier or record.remote_id}
    for name in TEXT_COLUMNS:
        for lang, value in (getattr(record, name) or {}).items():
            column = f"{name}_{lang.lower()}"
            if value and TEXT_COLUMN.match(column):
                cells[column] = _join(value) if name == "learning_outcomes" else str(value)
    cells.update({c: str(getattr(record, c) or "") for c in TEXTS})
    cells.update({c: _join(getattr(record, attr)) for c, attr in LISTS.items()})
    cells["ects"] = number(record.ects)
    cells["workload_hours"] = number(record.workload_hours)
    cells["eqf_level"] = number(record.eqf_level)
    cells["start_anytime"] = "yes" if record.start_anytime else "no"
    cells["duration"] = _duration(record.duration_value, record.duration_unit)
    cells["price"] = number(record.price, 2)  # two decimals: "0.125" would read as thousands
    cells.update(_places(record.places))
    return cells


def write(rows: Iterable[dict[str, str]], columns: list[str]) -> Iterable[str]:
    """The CSV text, a line at a time (RFC 4180, as the harvester reads it)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", restval="")
    writer.writeheader()
    yield buffer.getvalue()
    for cells in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        yield buffer.getvalue()
