"""The demo's dates follow the day it is loaded, so that it never shows only past courses.

The demo's files are dated for REFERENCE. A load on another day moves every ISO date in them
(starts, ends, application deadlines, anything dated) by the same whole number of weeks, so the
spacing and the weekdays stay as written: a Monday start is still a Monday. The shift rounds up,
so each date is at least as far ahead of the load day as it was of REFERENCE; a date written in
the past of REFERENCE (an application already closed) stays in the past.
"""
from __future__ import annotations

import datetime as dt
import re

REFERENCE = dt.date(2026, 12, 1)  # the day the files in catalogue/demo are written for
ISO_DATE = re.compile(rb"(?<![\d-])(\d{4}-\d{2}-\d{2})(?![\d-])")


def today(day: dt.date | None = None) -> dt.date:
    """The one place the demo asks what day it is; tests pass the day instead."""
    return day or dt.date.today()


def weeks(day: dt.date) -> int:
    """Whole weeks from REFERENCE to ``day``, rounded up."""
    return -(-(day - REFERENCE).days // 7)


def shifted(date: dt.date, day: dt.date) -> dt.date:
    """Where a date written in the demo's files falls in a demo loaded on ``day``."""
    return date + dt.timedelta(weeks=weeks(day))


def since(day: dt.date) -> dt.datetime:
    """The first moment a load gives the dates a load on ``day`` gives: the content's change
    time, for feeds that tell harvesters what changed (OAI-PMH datestamps)."""
    first = REFERENCE + dt.timedelta(days=7 * (weeks(day) - 1) + 1)
    return dt.datetime.combine(first, dt.time(), dt.timezone.utc)


def shift(data: bytes, day: dt.date) -> bytes:
    """The bytes of a demo file with every ISO date moved for a load on ``day``."""
    def moved(match: re.Match) -> bytes:
        try:
            date = dt.date.fromisoformat(match[1].decode())
        except ValueError:  # digits that only look like a date
            return match[0]
        return shifted(date, day).isoformat().encode()
    return ISO_DATE.sub(moved, data)
