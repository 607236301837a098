"""Decimal numbers written as text, read one way for every format.

Feeds write "4,5" and "4.5", "1.234,5" and "1,234.5"; a number that is not finite (NaN, infinity,
or too many digits) is no number. The one real difference between fields is whether a lone
separator before three digits groups thousands: in an amount of money it does ("9,250" is 9250,
money is not written to three decimals); in a credit value, a duration or a coordinate it is a
decimal comma ("0,125" is 0.125). Callers say which with ``thousands``.
"""
from __future__ import annotations

import math
import re

PLAIN = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)")
# Grouped thousands (1.250 / 1,250,000) with optional decimals after the other separator
GROUPED = re.compile(r"[+-]?\d{1,3}(?:(?P<sep>[.,])\d{3})+(?:(?!(?P=sep))[.,](?P<fraction>\d+))?")
GAP = re.compile(r"(?<=\d)[\s'\u00a0\u202f](?=\d{3}(?!\d))")  # 1 250, 1'250 (thousands only)


def decimal(text: str, thousands: bool = False) -> float:
    """``text`` as a float; ValueError for anything else, NaN and infinity included.

    Both separators: the last one is the decimal one. One kind repeated: thousands. One alone
    before three digits: thousands when ``thousands`` (which also allows spaces and apostrophes
    between groups), else a decimal separator."""
    value = text.strip()
    if thousands:
        value = GAP.sub("", value)
    grouped = GROUPED.fullmatch(value)
    if grouped and (thousands or grouped["fraction"] is not None
                    or value.count(grouped["sep"]) > 1):
        whole = value[:grouped.start("fraction") - 1] if grouped["fraction"] else value
        value = whole.replace(grouped["sep"], "") + (
            f".{grouped['fraction']}" if grouped["fraction"] else "")
    elif PLAIN.fullmatch(value):
        value = value.replace(",", ".")
    else:
        raise ValueError(f"{text!r} is not a number")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{text!r} is not a finite number")
    return result


def whole(text: str, digits: int = 9) -> int | None:
    """A count written in decimal digits (at most ``digits`` of them), else None: ``isdigit``
    also passes '²', which ``int`` refuses, and ``int`` refuses more than 4,300 digits."""
    value = text.strip()
    return int(value) if value.isdecimal() and len(value) <= digits else None


def optional(value, thousands: bool = False) -> float | None:
    """A number given as text or as a JSON number; None for anything else (booleans too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            value = float(value)
        except OverflowError:
            return None
        return value if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    try:
        return decimal(value, thousands)
    except ValueError:
        return None

