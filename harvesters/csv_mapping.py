"""A provider's own spreadsheet: a declarative column mapping onto the learncat template.

A CSV/XLSX source's ``options["mapping"]`` says, for catalogue columns of the template
(templates/README.md) plus ``credits``, which of the provider's columns give the value and how to
transform it. Mapped rows then go through the template's own row parser, so a mapped file is
checked exactly like a template file, row by row. The file is TOML, read with the standard
library's ``tomllib`` (comments for the operator, no new dependency), or JSON (``.json``)::

    [columns]
    id = { join = ["Subject", "Number"], separator = "-" }
    title_en = "Name"
    credits = { column = "Credit Hours", scheme = "US-SEMESTER" }
    participation_form = { column = "Schedule", lookup = { Online = "online", Campus = "onsite" } }
    languages = { column = "Language", split = ";", lookup = { English = "en", French = "fr" } }
    start_dates = { column = "Start", split = ";", date = "%d/%m/%Y" }
    awarding_body = { value = "State University" }
"""
from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from catalogue.credits import framework_level, scheme_code
from catalogue.numbers import decimal
from catalogue.record import OpportunityRecord
from catalogue.validation import FieldError

from .base import Fetch, Notice, SourceError
from .csv_feed import PLAIN_COLUMNS, SEPARATOR, TEXT_COLUMN, CsvHarvester, RowParser, read_rows

CREDITS = "credits"  # a mapping-only target: {value, scheme, level?}, converted by the runner
KEYS = {
    "column": "the provider's column that gives the value",
    "join": "several columns joined into one value (empty ones left out)",
    "value": "a constant",
    "separator": "what 'join' puts between the parts (default '-')",
    "split": "cut the cell into several values at this text",
    "lookup": "a table from the provider's values to the catalogue's",
    "number": "take the number out of the text ('3 hours.' -> 3, '4,5' -> 4.5)",
    "date": "read dates in this strptime format, e.g. '%d/%m/%Y'",
    "scheme": "credits only: the credit scheme, e.g. 'US-SEMESTER', 'ECTS', 'UK'",
    "level": "credits only: the framework level, e.g. 'SCQF 7'",
}
ORIGINS = ("column", "join", "value")
NUMBER = re.compile(r"\d[\d.,]*")


class MappingError(SourceError):
    """A mapping that cannot be used; every problem is named at once."""

    def __init__(self, problems: list[str]):
        super().__init__("column mapping: " + "; ".join(problems))
        self.problems = problems


class TransformError(ValueError):
    """One cell that a rule cannot transform: its row is rejected, the others load."""


def _key(name: str) -> str:
    """Column names match ignoring case and spacing, as spreadsheets vary in both."""
    return " ".join(name.split()).casefold()


def is_catalogue_column(name: str) -> bool:
    return name in PLAIN_COLUMNS or bool(TEXT_COLUMN.match(name))


@dataclass(frozen=True)
class Rule:
    """Where one catalogue column's value comes from, and how it is transformed."""
    target: str
    columns: tuple[str, ...] = ()
    constant: tuple[str, ...] | None = None
    separator: str = "-"
    split: str | None = None
    lookup: dict[str, str] | None = None  # keys as _key() makes them
    lookup_names: tuple[str, ...] = ()    # the keys as written, for error messages
    number: bool = False
    date: str | None = None
    scheme: str | None = None
    level: str | None = None

    def values(self, row: dict[str, str]) -> list[str]:
        """The rule's values for a row (``row`` keyed by _key of the file's columns)."""
        if self.constant is not None:
            return list(self.constant)
        parts = [row.get(_key(c), "") for c in self.columns]
        text = self.separator.join(p for p in parts if p)
        if not text:
            return []
        items = [v.strip() for v in text.split(self.split)] if self.split else [text]
        return [self.transform(v) for v in items if v]

    def transform(self, value: str) -> str:
        if self.lookup is not None:
            try:
                value = self.lookup[_key(value)]
            except KeyError:
                raise TransformError(f"{value!r} is not in the lookup table (it has: "
                                     f"{', '.join(self.lookup_names)})") from None
        if self.number or self.target == CREDITS:
            return _number_text(number_in(value))
        if self.date:
            return date_in(value, self.date)
        return value

    def describe(self) -> str:
        if self.constant is not None:
            return "a constant"
        return "column " + " + ".join(repr(c) for c in self.columns)


def number_in(text: str) -> float:
    """The one number in a text: '3 hours.' -> 3, '4,5' -> 4.5, '1.234,5' -> 1234.5. Of two
    separators the last is the decimal one; one kind repeated separates thousands."""
    found = [m.rstrip(".,") for m in NUMBER.findall(text)]
    if not found:
        raise TransformError(f"{text!r} holds no number")
    if len(found) > 1:
        raise TransformError(f"{text!r} holds more than one number")
    try:
        return decimal(found[0])
    except ValueError as error:
        raise TransformError(str(error)) from None


def date_in(text: str, fmt: str) -> str:
    """An ISO date from a date in ``fmt``; ISO dates (as workbooks' date cells are read) too."""
    try:
        return dt.datetime.strptime(text, fmt).date().isoformat()
    except ValueError:
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise TransformError(f"{text!r} is not a date in the format {fmt}") from None


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _scalar(value) -> str | None:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return _number_text(float(value))
    if isinstance(value, str):
        return value
    return None


class Mapping:
    """A validated mapping; ``bind`` checks it against a file's header row."""

    def __init__(self, rules: list[Rule]):
        self.rules = rules

    @classmethod
    def load(cls, spec) -> Mapping:
        """Validate a mapping (the parsed file, as stored in the source's options)."""
        problems: list[str] = []
        if not isinstance(spec, dict) or not isinstance(spec.get("columns"), dict):
            raise MappingError(["the mapping needs a [columns] table: catalogue column = "
                                "provider's column (or a table of transforms)"])
        problems += [f"unknown section {k!r} (a mapping has one section, [columns])"
                     for k in spec if k != "columns"]
        rules = []
        for target, rule_spec in spec["columns"].items():
            rule = _rule(target, rule_spec, problems)
            if rule is not None:
                rules.append(rule)
        if problems:
            raise MappingError(problems)
        return cls(rules)

    def bind(self, names: list[str]) -> Binding:
        """Check the mapping against the file's column names (its header row)."""
        have = {_key(n): n for n in names if n}
        absent = [f"{c!r} (for {r.target})" for r in self.rules for c in r.columns
                  if _key(c) not in have]
        if absent:
            raise MappingError([f"the file has no column {', '.join(absent)}; its columns "
                                f"are: {', '.join(have.values())}"])
        targets = {r.target for r in self.rules}
        used = {_key(c) for r in self.rules for c in r.columns}
        as_is, extras, shadowed = {}, {}, []
        for key, name in have.items():
            if key in used:
                continue
            if is_catalogue_column(name.lower()):
                if name.lower() in targets:
                    shadowed.append(name)
                else:
                    as_is[key] = name.lower()
            else:
                extras[key] = name.lower()
        given = targets | set(as_is.values())
        missing = [] if "id" in given else ["the mapping sets no 'id' and the file has no "
                                            "'id' column"]
        if not any(t.startswith("title_") for t in given):
            missing.append("the mapping sets no 'title_<language>' and the file has no such "
                           "column")
        if missing:
            raise MappingError(missing)
        notices = []
        if extras:
            notices.append(Notice(", ".join(have[k] for k in extras),
                                  "columns the mapping does not use are kept as extras"))
        if shadowed:
            notices.append(Notice(", ".join(shadowed), "columns ignored: the mapping sets these "
                                  "catalogue columns from other columns"))
        return Binding(self.rules, {**as_is, **extras}, notices)


@dataclass
class Binding:
    """A mapping bound to one file's header: turns the file's rows into template rows."""
    rules: list[Rule]
    kept: dict[str, str]  # _key of a file column -> the template column it goes to as it is
    notices: list[Notice]

    def apply(self, cells: dict[str, str]) -> MappedRow:
        """``cells``: one row as {file column: text}."""
        row = {_key(name): value for name, value in cells.items()}
        mapped = MappedRow({self.kept[k]: v for k, v in row.items() if k in self.kept and v})
        for rule in self.rules:
            try:
                values = rule.values(row)
            except TransformError as exc:
                mapped.errors.append(FieldError(rule.target, f"{rule.describe()}: {exc}"))
                continue
            if not values:
                continue
            if rule.target == CREDITS:
                mapped.credits = [{"value": float(v), "scheme": rule.scheme,
                                   **({"level": rule.level} if rule.level else {})}
                                  for v in values]
            else:
                mapped.cells[rule.target] = SEPARATOR.join(values)
        return mapped


@dataclass
class MappedRow:
    """One row in the template's columns, with its credits and the transforms that failed."""
    cells: dict[str, str]
    credits: list[dict] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)

    def record(self) -> OpportunityRecord:
        parser = RowParser(self.cells)
        parser.errors.extend(self.errors)  # reported with the row's other problems, in one go
        record = parser.record()
        record.credits = self.credits
        return record

    def shown(self) -> dict[str, str]:
        """Catalogue column -> value, as a dry run prints it: then credits, the transforms
        that failed and the extras."""
        shown = {k: v for k, v in self.cells.items() if is_catalogue_column(k)}
        for credit in self.credits:
            shown[CREDITS] = " ".join(str(v) for v in (_number_text(credit["value"]),
                                                       credit["scheme"], credit.get("level")) if v)
        shown.update((e.field, f"(not mapped: {e.message})") for e in self.errors)
        shown.update((f"(extra) {k}", v) for k, v in self.cells.items()
                     if not is_catalogue_column(k))
        return shown


def _rule(target: str, spec, problems: list[str]) -> Rule | None:
    before = len(problems)
    if target != CREDITS and not is_catalogue_column(target):
        problems.append(f"{target!r} is not a catalogue column ("
                        f"{_near(target, [*PLAIN_COLUMNS, CREDITS, 'title_en'])}targets are "
                        "the CSV template's columns, and credits)")
    if isinstance(spec, str):
        spec = {"column": spec}
    if not isinstance(spec, dict):
        problems.append(f"{target}: give a column name or a table such as "
                        "{ column = \"...\", number = true }")
        return None
    for key in spec:
        if key not in KEYS:
            problems.append(f"{target}: unknown transform {key!r} ({_near(key, KEYS)}"
                            f"known: {', '.join(KEYS)})")
    origins = [k for k in ORIGINS if k in spec]
    if len(origins) != 1:
        problems.append(f"{target}: say where the value comes from with exactly one of "
                        f"'column', 'join' or 'value'")
    columns: tuple[str, ...] = ()
    if "column" in spec:
        if not isinstance(spec["column"], str) or not spec["column"].strip():
            problems.append(f"{target}: 'column' must be a column name")
        else:
            columns = (spec["column"],)
    if "join" in spec:
        join = spec["join"]
        if not isinstance(join, list) or len(join) < 2 or not all(
                isinstance(c, str) and c.strip() for c in join):
            problems.append(f"{target}: 'join' must list two or more column names")
        else:
            columns = tuple(join)
    constant = None
    if "value" in spec:
        values = spec["value"] if isinstance(spec["value"], list) else [spec["value"]]
        constant = tuple(_scalar(v) for v in values)
        if None in constant or not values:
            problems.append(f"{target}: 'value' must be a text, a number, true/false or a list "
                            "of these")
    for key in ("separator", "split", "date", "scheme", "level"):
        if key in spec and (not isinstance(spec[key], str) or (key != "separator" and
                                                               not spec[key].strip())):
            problems.append(f"{target}: {key!r} must be a text")
    lookup = None
    if "lookup" in spec:
        table = spec["lookup"]
        lookup = {_key(str(k)): _scalar(v) for k, v in table.items()} \
            if isinstance(table, dict) else {}
        if not lookup or None in lookup.values():
            problems.append(f"{target}: 'lookup' must be a table such as "
                            "{ Online = \"online\", \"On campus\" = \"onsite\" }")
    if "number" in spec and not isinstance(spec["number"], bool):
        problems.append(f"{target}: 'number' must be true or false")
    if isinstance(spec.get("date"), str) and not _is_date_format(spec["date"]):
        problems.append(f"{target}: {spec['date']!r} is not a date format such as '%d/%m/%Y'")
    if spec.get("number") and "date" in spec:
        problems.append(f"{target}: choose one of 'number' and 'date'")
    if target == CREDITS:
        if "scheme" not in spec:
            problems.append("credits: give the 'scheme' of the values, e.g. 'US-SEMESTER', "
                            "'ECTS' or 'UK'")
        if "split" in spec or "date" in spec:
            problems.append("credits: one number per row ('split' and 'date' do not apply)")
    else:
        problems += [f"{target}: {key!r} applies to credits only"
                     for key in ("scheme", "level") if key in spec]
    if len(problems) > before:
        return None
    return Rule(target, columns, constant, spec.get("separator", "-"), spec.get("split"),
                lookup, tuple(spec.get("lookup", ())), bool(spec.get("number")),
                spec.get("date"), *_credit_terms(spec.get("scheme"), spec.get("level")))


def _credit_terms(scheme: str | None, level: str | None) -> tuple[str | None, str | None]:
    """learncat's scheme code and "<FRAMEWORK> <level>" where the words name one."""
    if scheme is None:
        return None, None
    code = scheme_code(scheme)
    return code, (framework_level(level, code) or level.strip()) if level else None


def _near(word: str, known) -> str:
    near = difflib.get_close_matches(word, list(known), 1)
    return f"did you mean {near[0]!r}? " if near else ""


def _is_date_format(fmt: str) -> bool:
    """A strptime format that reads back what it writes (a typo such as '%q' does not)."""
    try:
        dt.datetime.strptime(dt.datetime(2027, 11, 28).strftime(fmt), fmt)
    except ValueError:
        return False
    return "%" in fmt


def read_mapping_file(path: str | Path) -> dict:
    """A mapping file (TOML, or JSON by its ``.json`` suffix), validated."""
    path = Path(path)
    try:
        text = path.read_text("utf-8")
        spec = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # TOML and JSON errors are ValueErrors
        raise MappingError([f"cannot read {path.name}: {exc}"]) from None
    Mapping.load(spec)
    return spec


def check_against_file(spec: dict, data: bytes) -> Binding:
    """Check a mapping against a file's header row (when it is registered or changed)."""
    names = [h.strip() for h in next(read_rows(data), [])]
    return Mapping.load(spec).bind(names)


def preview(source, fetch: Fetch, limit: int = 3) -> Iterator[tuple[int, dict[str, str]]]:
    """The first ``limit`` rows of a mapped source as (row number, {catalogue column: value}),
    read by the harvester itself so the preview shows what a harvest would map."""
    for raw in islice(CsvHarvester().gather(source, fetch), limit):
        yield raw.position, raw.data.shown() if isinstance(raw.data, MappedRow) else raw.data
