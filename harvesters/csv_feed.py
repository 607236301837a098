"""The learncat CSV / XLSX template (see templates/README.md): one row per offer."""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Iterator

from catalogue import prices
from catalogue.numbers import decimal, optional
from catalogue.record import MULTILINGUAL_FIELDS, OpportunityRecord
from catalogue.validation import FieldError, validate

from .base import (Fetch, Harvester, InvalidRecord, Notice, RawRecord, SourceError, coordinates,
                   registry)

SEPARATOR = "|"
TEXT_COLUMNS = (*MULTILINGUAL_FIELDS, "learning_outcomes")
TEXT_COLUMN = re.compile(rf"^({'|'.join(TEXT_COLUMNS)})_([a-z]{{2,3}}(?:-[a-z0-9]{{2,8}})?)$")
PLAIN_COLUMNS = {
    "id", "awarding_body", "country", "region", "ects", "workload_hours", "eqf_level",
    "qf_ehea_cycle", "nqf_level", "assessment_type", "participation_form", "qa_type",
    "supervision", "stackability", "further_info_url", "start_dates", "start_anytime", "duration",
    "languages", "place_city", "place_nuts", "place_country", "place_geo", "price", "currency",
    "funding", "target_groups", "isced_f", "esco_skills", "esco_occupations", "application_url",
    "application_deadline", "url",
}
UNITS = {"hour": "hour", "hours": "hour", "h": "hour", "day": "day", "days": "day",
         "week": "week", "weeks": "week", "month": "month", "months": "month",
         "year": "year", "years": "year"}
ISO_UNITS = {"H": "hour", "D": "day", "W": "week", "M": "month", "Y": "year"}
TRUE, FALSE = {"yes", "y", "true", "1", "x"}, {"no", "n", "false", "0", ""}


@registry.register
class CsvHarvester(Harvester):
    name = "csv"
    wanted = "data row"

    def gather(self, source, fetch: Fetch) -> Iterator[RawRecord]:
        rows = read_rows(fetch(source.location))
        names = [h.strip() for h in next(rows, [])]
        mapping = None
        if (source.options or {}).get("mapping"):  # the provider's own columns
            from .csv_mapping import Mapping  # csv_mapping builds on this module
            mapping = Mapping.load(source.options["mapping"]).bind(names)
            self.notices.extend(mapping.notices)
            header = names
        else:
            header = self.template_header(names)
        for number, cells in enumerate(rows, start=2):
            if not any(c.strip() for c in cells):
                continue
            row = {h: c.strip() for h, c in zip(header, cells) if h}
            if mapping:
                mapped = mapping.apply(row)
                yield RawRecord(mapped.cells.get("id") or None, data=mapped, position=number)
            else:
                yield RawRecord(remote_id=row.get("id") or None, data=row, position=number)

    def template_header(self, names: list[str]) -> list[str]:
        header = [h.lower() for h in names]
        if "id" not in header or not any(h.startswith("title_") for h in header):
            raise SourceError("the header row needs an 'id' column and at least one "
                              "'title_<language>' column (see the template), or give the "
                              "source a column mapping (learncat sources mapping)")
        unknown = [h for h in header if h and h not in PLAIN_COLUMNS and not TEXT_COLUMN.match(h)]
        if unknown:
            self.notices.append(Notice(", ".join(unknown), "columns learncat does not know are "
                                       "kept as extras"))
        return header

    def parse(self, raw: RawRecord) -> OpportunityRecord:
        if isinstance(raw.data, dict):
            return RowParser(raw.data).record()
        return raw.data.record()  # a csv_mapping.MappedRow


def read_rows(data: bytes) -> Iterator[list[str]]:
    """The rows of a workbook's first sheet or of a CSV file, header first."""
    return read_xlsx(data) if data[:4] == b"PK\x03\x04" else read_csv(data)


def read_csv(data: bytes) -> Iterator[list[str]]:
    """Rows of an RFC 4180 file (as Excel and Python write it); only the delimiter is guessed,
    from the header line: a guessed quoting (the Sniffer turns doubled quotes off when the
    header has no quotes) shifted the columns of every cell with a doubled quote."""
    text = decode(data)
    try:
        delimiter = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter)
    except csv.Error as exc:
        raise SourceError(f"not a readable CSV file: {exc}") from exc


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 as spreadsheets save it."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise SourceError(f"the file says it is {encoding} but is not: {exc}") from exc
    if b"\x00" in data:
        raise SourceError("binary data, not a CSV file (for UTF-16, save with a byte order mark)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise SourceError("neither UTF-8 nor Windows-1252 text") from exc


def read_xlsx(data: bytes) -> Iterator[list[str]]:
    import openpyxl  # only when a workbook arrives

    # A damaged workbook fails wherever openpyxl meets the damage, while loading or while the
    # rows stream, and as whatever its zip, zlib, XML or descriptor layer raises (zlib.error,
    # ParseError, TypeError, IndexError, NotImplementedError...): all of it is an unreadable file.
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise SourceError(f"not a readable XLSX workbook: {type(exc).__name__}: {exc}") from exc
    try:
        if not book.worksheets:
            raise SourceError("the XLSX workbook has no worksheet")
        for values in book.worksheets[0].iter_rows(values_only=True):
            yield [_cell_text(v) for v in values]
    except SourceError:
        raise
    except Exception as exc:
        raise SourceError(f"not a readable XLSX workbook: {type(exc).__name__}: {exc}") from exc
    finally:
        book.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class RowParser:
    """Turns one row's cells into a record, collecting every problem instead of stopping."""

    def __init__(self, row: dict[str, str]):
        self.row = row
        self.errors: list[FieldError] = []

    def record(self) -> OpportunityRecord:
        r = OpportunityRecord(remote_id=self.row["id"])
        for column, value in self.row.items():
            match = TEXT_COLUMN.match(column)
            if match and value:
                element, lang = match.groups()
                target = getattr(r, element)
                target[lang] = self.list(column) if element == "learning_outcomes" else value
            elif column not in PLAIN_COLUMNS and column and value:
                r.extras[column] = value
        r.awarding_body = self.text("awarding_body")
        r.country = self.code("country", str.upper)
        r.region = self.code("region", str.upper)
        r.ects = self.number("ects")
        r.workload_hours = self.number("workload_hours")
        r.eqf_level = self.integer("eqf_level")
        r.qf_ehea_cycle = self.code("qf_ehea_cycle")
        r.nqf_level = self.text("nqf_level")
        r.assessment_types = self.codes("assessment_type")
        r.participation_form = self.code("participation_form")
        r.qa_types = self.codes("qa_type")
        r.supervision = self.code("supervision")
        r.stackability = self.code("stackability")
        r.further_info_url = self.text("further_info_url")
        r.start_dates = self.list("start_dates")
        r.start_anytime = self.boolean("start_anytime")
        r.duration_value, r.duration_unit = self.duration("duration")
        r.languages = self.codes("languages")
        r.places = self.places()
        r.currency = self.code("currency", str.upper)
        known = len(self.errors)
        r.price = self.number("price")
        if len(self.errors) > known and (found := prices.parse(self.text("price"), r.currency)):
            del self.errors[known:]  # not a bare number but text with amounts ("€450; €300")
            prices.apply(r, found)
        elif r.price is not None:
            r.prices = prices.collapse([{"amount": r.price, "currency": r.currency}])
        r.funding = self.codes("funding")
        r.target_groups = self.codes("target_groups")
        r.isced_f = self.codes("isced_f")
        r.esco_skills = self.list("esco_skills")
        r.esco_occupations = self.list("esco_occupations")
        r.application_url = self.text("application_url")
        r.application_deadline = self.text("application_deadline")
        r.url = self.text("url")
        if self.errors:  # report the row's other problems too, in one go
            named = {e.field for e in self.errors}
            raise InvalidRecord(self.errors + [e for e in validate(r).errors if e.field not in named])
        return r

    def text(self, column: str) -> str | None:
        return self.row.get(column) or None

    def list(self, column: str) -> list[str]:
        return [v.strip() for v in self.row.get(column, "").split(SEPARATOR) if v.strip()]

    def code(self, column: str, case=str.lower) -> str | None:
        value = self.text(column)
        return case(value) if value else None

    def codes(self, column: str) -> list[str]:
        return [v.lower() for v in self.list(column)]

    def number(self, column: str) -> float | None:
        value = self.text(column)
        if value is None:
            return None
        try:
            return decimal(value, thousands=column == "price")
        except ValueError:
            self.errors.append(FieldError(column, f"{value!r} is not a number"))
            return None

    def integer(self, column: str) -> int | None:
        number = self.number(column)
        if number is not None and not number.is_integer():
            self.errors.append(FieldError(column, f"{self.row[column]!r} is not a whole number"))
            return None
        return None if number is None else int(number)

    def boolean(self, column: str) -> bool:
        value = (self.text(column) or "").lower()
        if value not in TRUE | FALSE:
            self.errors.append(FieldError(column, f"{value!r} is neither yes nor no"))
        return value in TRUE

    def duration(self, column: str) -> tuple[float | None, str | None]:
        value = self.text(column)
        if value is None:
            return None, None
        iso = re.fullmatch(r"P(?:T)?(\d+(?:[.,]\d+)?)([HDWMY])", value.upper())
        free = re.fullmatch(r"(\d+(?:[.,]\d+)?)\s*([a-zA-Z]+)", value)
        amount = optional((iso or free)[1]) if iso or free else None  # None past a float
        if iso and amount is not None:
            return amount, ISO_UNITS[iso[2]]
        if free and free[2].lower() in UNITS and amount is not None:
            return amount, UNITS[free[2].lower()]
        self.errors.append(FieldError(column, f"{value!r} is not a duration such as '6 weeks'"))
        return None, None

    def places(self) -> list[dict]:
        cities = self.list("place_city")
        columns = {"nuts": self.list("place_nuts"), "country": self.list("place_country"),
                   "geo": self.list("place_geo")}
        for name, values in columns.items():
            if values and len(values) != len(cities):
                self.errors.append(FieldError(f"place_{name}", f"{len(values)} values for "
                                              f"{len(cities)} places in place_city"))
                return []
        places = []
        for i, city in enumerate(cities):
            place = {"city": city, "nuts": None, "country": None, "lat": None, "lon": None}
            if columns["nuts"]:
                place["nuts"] = columns["nuts"][i].upper()
            if columns["country"]:
                place["country"] = columns["country"][i].upper()
            if columns["geo"]:
                place["lat"], place["lon"] = self.coordinates(columns["geo"][i])
            places.append(place)
        return places

    def coordinates(self, text: str) -> tuple[float | None, float | None]:
        parts = text.replace(",", " ").split()
        if len(parts) != 2:
            self.errors.append(FieldError("place_geo", f"{text!r} is not 'latitude longitude'"))
            return None, None
        return coordinates(*parts, self.errors)
