"""The Harvester seam: a format module maps a provider's records; the runner does the bookkeeping."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from dataclasses import dataclass, field
from typing import Any, ClassVar

from catalogue.models import Source
from catalogue.numbers import decimal
from catalogue.record import OpportunityRecord
from catalogue.validation import FieldError

Fetch = Callable[[str], bytes]


@dataclass
class RawRecord:
    """One record as read from the source, before mapping."""
    remote_id: str | None
    data: Any
    position: int | None = None  # row or record number, for the provider's report
    deleted: bool = False        # the source says this record was withdrawn (OAI-PMH)


class SourceError(Exception):
    """The source as a whole cannot be read: the run fails and the catalogue keeps what it had."""


class SkipRecord(Exception):
    """A record that is deliberately not catalogued (not an error)."""


class InvalidRecord(Exception):
    """A record that cannot be mapped; its field errors go into the harvest report."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


def coordinates(lat: str, lon: str, errors: list[FieldError]) -> tuple[float | None, float | None]:
    """A latitude and a longitude stated as text; (None, None) and a place_geo error in
    ``errors`` unless both are numbers."""
    try:
        return decimal(lat), decimal(lon)
    except ValueError:
        errors.append(FieldError("place_geo", f"{lat!r} {lon!r} is not a latitude and longitude"))
        return None, None


@dataclass
class Notice:
    """Something about the whole source the provider should know (an unknown column...)."""
    field: str | None
    message: str


class Harvester:
    """Subclasses declare ``name`` and implement ``gather`` and ``parse`` for their format.

    ``since`` is set by the runner for formats that can ask for changes only (``incremental``):
    the start of the last error-free run. Such a run is not complete, so it retires nothing."""
    name: ClassVar[str]
    complete: ClassVar[bool] = True  # a full snapshot: records missing from it are retired
    incremental: ClassVar[bool] = False
    wanted: ClassVar[str] = "record"  # what it catalogues, for the warning of a run that found none

    def __init__(self) -> None:
        self.notices: list[Notice] = []
        self.found: Counter[str] = Counter()  # what the source held instead of records, by type
        self.since: datetime | None = None
        self._noticed: set[str] = set()

    def notice_once(self, key: str, field: str | None, message: str) -> None:
        """One notice per distinct ``key`` (a property, a column) in a run, however many
        records carry it."""
        if key not in self._noticed:
            self._noticed.add(key)
            self.notices.append(Notice(field, message))

    def nothing_found(self) -> str:
        """Why a source that was read gave nothing to catalogue: the types it held instead, so
        that a page of other markup or a file of another format does not pass for an empty feed."""
        held = ", ".join(f"{n} {kind}" for kind, n in self.found.most_common())
        return (f"nothing to catalogue: found {held}, but no {self.wanted}" if held
                else f"nothing to catalogue: the source holds no {self.wanted}")

    def gather(self, source: Source, fetch: Fetch) -> Iterator[RawRecord]:
        raise NotImplementedError

    def parse(self, raw: RawRecord) -> OpportunityRecord:
        raise NotImplementedError


@dataclass
class Registry:
    harvesters: dict[str, type[Harvester]] = field(default_factory=dict)

    def register(self, cls: type[Harvester]) -> type[Harvester]:
        self.harvesters[cls.name] = cls
        return cls

    def for_format(self, name: str) -> Harvester:
        try:
            return self.harvesters[name]()
        except KeyError:
            raise SourceError(f"unknown source format {name!r}; known: "
                              f"{', '.join(sorted(self.harvesters))}") from None


registry = Registry()
