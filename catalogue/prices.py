"""Prices written as text: "Ireland fee: GBP1250.00; Continental Europe fee: GBP1250.00".

Feeds write costs for people, with several amounts, each qualified by a few words, in the number
conventions of their language. ``parse`` finds every amount with its currency and the words that
qualify it; ``apply`` puts them on a record, whose ``price``/``currency`` (used by the filters) are
the lowest. Text with no amount gives no price: nothing is guessed.
"""
from __future__ import annotations

import re
from functools import cache

from babel.numbers import get_currency_name, list_currencies

from .numbers import decimal
from .record import OpportunityRecord

SYMBOLS = {"£": "GBP", "€": "EUR", "us$": "USD", "a$": "AUD", "au$": "AUD", "c$": "CAD",
           "ca$": "CAD", "nz$": "NZD", "zł": "PLN", "kč": "CZK", "ft": "HUF", "lei": "RON",
           "лв": "BGN", "euro": "EUR", "euros": "EUR", "eur": "EUR", "pounds": "GBP",
           "pound": "GBP", "sterling": "GBP"}
DOLLARS = {"USD", "AUD", "CAD", "NZD", "SGD", "HKD"}  # a bare "$" is the provider's own dollar
CROWNS = {"SEK", "DKK", "NOK", "ISK"}  # "kr" likewise
# Words for "free of charge" in the EU's languages (and "no charge"): an amount of 0
FREE = re.compile(
    r"(?<!\w)(?:free(?: of charge)?|no (?:charge|cost|fee)|nil|kostenlos|kostenfrei|"
    r"gebührenfrei|gratis|gratuit[eao]?s?|gratuitamente|gratuitement|bezpłatn[aey]|"
    r"darmow[aey]|zdarma|bezplatn[eéáý]|ingyenes|ilmainen|maksuton|tasuta|"
    r"nemokama[is]?|bezmaksas|besplatn[oa]|brezplačn[oa]|безплатн[оа]|δωρεάν|"
    r"b'?xejn|saor in aisce|gratuiti|kosteloos|avgiftsfri|omkostningsfri)(?!\w)",
    re.I)
# A number: grouped thousands (1,250 / 1.250 / 1 250 / 1'250) with optional decimals, or plain
NUMBER = (r"\d{1,3}(?P<sep>[.,'\u00a0\u202f ])\d{3}(?:(?P=sep)\d{3})*(?:[.,]\d{1,2})?(?!\d)"
          r"|\d+(?:[.,]\d+)?")
MARK = (r"[£€$]|(?:US|AU?|CA?|NZ)\$|zł|Kč|Ft\b|lei\b|лв\.?|kr\.?(?!\w)|"
        r"\b(?:euros?|pounds?|sterling)\b|(?<![A-Za-z])(?-i:[A-Z]{3})(?![A-Za-z])")
AMOUNT = re.compile(rf"(?P<before>{MARK})?\s?(?P<number>{NUMBER})(?!\s?%)\s?(?P<after>{MARK})?",
                    re.I)
CLAUSES = re.compile(r"[;\n|]+|,(?=\s+[^\d\s])")
TRIM = " \t:;,.–—-/="
CONDITION_LENGTH = 200


@cache
def _currencies() -> frozenset[str]:
    return frozenset(list_currencies())


@cache
def _currency_names() -> dict[str, str]:
    """'us dollar' -> 'USD': some feeds (CTDL's examples) name the currency instead."""
    return {get_currency_name(code, locale="en").lower(): code for code in _currencies()}


def currency_of(mark: str | None, default: str | None = None) -> str | None:
    """The ISO 4217 code a currency mark, code or English name stands for; None when it is
    none (or not a currency)."""
    if not isinstance(mark, str) or not mark.strip():
        return None
    key = mark.strip().rstrip(".").lower()
    if key == "$":
        return default if default in DOLLARS else "USD"
    if key == "kr":
        return default if default in CROWNS else None
    code = SYMBOLS.get(key) or _currency_names().get(key) or mark.strip().upper()
    return code if code in _currencies() else None


MAX_TEXT = 2000


def parse(text: str | None, default_currency: str | None = None) -> list[dict]:
    """Every amount in ``text`` as {amount, currency, condition}, identical ones collapsed.

    A number without a currency mark is an amount (in ``default_currency``) only when the text
    states no currency and holds no other such number."""
    if text and len(text) > MAX_TEXT:  # a cost is a line or two; a novel is not parsed
        text = text[:MAX_TEXT]
    if not text or not text.strip():
        return []
    if text.strip().lower() == "none":  # as a whole cost, "none" is no charge
        text = "free"
    found = []  # (clause index, start, end, amount, currency or None, marked)
    clauses = [c for c in CLAUSES.split(text) if c.strip()]
    for n, clause in enumerate(clauses):
        for m in FREE.finditer(clause):
            found.append((n, m.start(), m.end(), 0.0, None, True))
        for m in AMOUNT.finditer(clause):
            if any(s <= m.start("number") < e for k, s, e, *_ in found if k == n):
                continue
            marks = [g for g in (m["before"], m["after"]) if g]
            currency = next((c for c in (currency_of(g, default_currency) for g in marks) if c),
                            None)
            if not currency and any(g.rstrip(".").lower() == "kr" for g in marks):
                continue  # crowns, but which? not a price in the provider's currency
            start = m.start() if currency and m["before"] and currency_of(
                m["before"], default_currency) else m.start("number")
            end = m.end() if currency and m["after"] and currency_of(
                m["after"], default_currency) else m.end("number")
            try:
                amount = decimal(m["number"], thousands=True)
            except ValueError:  # more digits than a float holds: no amount anyone pays
                continue
            found.append((n, start, end, amount, currency, bool(currency)))
    bare = [f for f in found if not f[5]]
    if any(f[4] for f in found) or len(bare) > 1:  # "Year 1: £9,250" is not a price of 1
        found = [f for f in found if f[5]]
    fallback = default_currency
    found.sort(key=lambda f: (f[0], f[1]))
    prices = []
    for i, (n, start, end, amount, currency, _) in enumerate(found):
        clause = clauses[n]
        same = [f for f in found if f[0] == n]
        k = same.index(found[i])
        lead = same[k - 1][2] if k else 0
        tail = same[k + 1][1] if k + 1 < len(same) else len(clause)
        words = clause[lead:start] + " " + (clause[end:tail] if k + 1 == len(same) else "")
        condition = tidy(words)
        currency = None if amount == 0 else (currency or fallback)
        if amount == 0 or currency:  # an amount in no known currency is no price
            prices.append({"amount": amount, "currency": currency, "condition": condition})
    return collapse(prices)


def tidy(words: str) -> str | None:
    """The words around an amount, without separators or brackets left unpaired."""
    text = " ".join(words.split()).strip(TRIM)
    if text.startswith("(") and text.endswith(")") and text.count("(") == 1:
        text = text[1:-1]
    if text.count("(") != text.count(")"):
        text = text.replace("(", "").replace(")", "")
    return text.strip(TRIM)[:CONDITION_LENGTH] or None


def collapse(prices: list[dict]) -> list[dict]:
    """One entry per amount and currency, their conditions joined, in the order first stated."""
    merged: dict[tuple, dict] = {}
    for p in prices:
        key = (float(p["amount"]), None if p["amount"] == 0 else p.get("currency"))
        if key not in merged:
            merged[key] = {"amount": key[0], "currency": key[1], "condition": None}
        condition = p.get("condition")
        have = merged[key]["condition"]
        if condition and condition not in (have or "").split("; "):
            merged[key]["condition"] = f"{have}; {condition}" if have else condition
    return list(merged.values())


def lowest(prices: list[dict]) -> dict | None:
    """A free price if any, else the lowest amount in the currency stated first (amounts in
    different currencies are not compared without exchange rates)."""
    if not prices:
        return None
    free = [p for p in prices if p["amount"] == 0]
    if free:
        return free[0]
    first = prices[0]["currency"]
    return min((p for p in prices if p["currency"] == first), key=lambda p: p["amount"])


def first(prices: list[dict]) -> dict | None:
    """The price stated first (for formats whose first offer is the provider's main price)."""
    return prices[0] if prices else None


def apply(record: OpportunityRecord, prices: list[dict], choose=lowest) -> None:
    """Set ``prices`` and, from the one ``choose`` picks (the lowest), ``price``/``currency``."""
    record.prices = collapse(prices)
    chosen = choose(record.prices)
    record.price = chosen["amount"] if chosen else None
    record.currency = chosen["currency"] if chosen else None
