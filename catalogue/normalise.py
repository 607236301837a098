"""normalise: one record, one way of stating each thing, whatever format it came in.

Harvesters record what a feed states; this makes the single and the list forms agree (the first
awarding body and all of them, the lowest price and every price, ECTS and every credit as stated)
and derives what published ratios allow (catalogue.credits), so the page, the API and the index
never depend on which form a harvester filled.
"""
from __future__ import annotations

import math

from . import credits, prices
from .record import OpportunityRecord


def normalise(record: OpportunityRecord) -> OpportunityRecord:
    if record.awarding_bodies and not record.awarding_body:
        record.awarding_body = record.awarding_bodies[0]
    elif record.awarding_body and not record.awarding_bodies:
        record.awarding_bodies = [record.awarding_body]
    record.prices = [p for p in record.prices if _number(p.get("amount"))]
    if record.prices and record.price is None:
        prices.apply(record, record.prices)
    elif _number(record.price) and not record.prices:
        record.prices = [{"amount": record.price, "currency": record.currency, "condition": None}]
    record.prices = prices.collapse(record.prices)
    record.credits = [{"value": float(c["value"]), "scheme": c.get("scheme"),
                       "level": c.get("level")} for c in record.credits
                      if _number(c.get("value")) and c.get("scheme")]
    stated_ects = record.ects if _number(record.ects) else None  # else validation says why
    credits.derive(record)
    if stated_ects is not None and not any(c.get("scheme") == "ECTS" for c in record.credits):
        record.credits = [*record.credits,
                          {"value": float(stated_ects), "scheme": "ECTS", "level": None}]
    return record


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
