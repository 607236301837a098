"""Today's date, in one place: the ``TODAY`` setting when given (tests fix it, so nothing they
check moves with the calendar), else the machine's date."""
from __future__ import annotations

import datetime as dt

from flask import current_app


def today() -> dt.date:
    return current_app.config.get("TODAY") or dt.date.today()
