"""Prices read out of the text feeds write: amounts, currencies, conditions, the lowest one."""
import pytest

from catalogue import prices
from catalogue.record import OpportunityRecord


def amounts(text, default=None):
    return [(p["amount"], p["currency"], p["condition"]) for p in prices.parse(text, default)]


def test_several_fees_each_with_its_condition():
    assert amounts("UK fee: GBP170.00; Ireland fee: GBP360.00; Continental Europe fee: GBP405.00") \
        == [(170, "GBP", "UK fee"), (360, "GBP", "Ireland fee"),
            (405, "GBP", "Continental Europe fee")]


def test_identical_amounts_collapse_with_their_conditions_joined():
    assert amounts("Ireland fee: GBP1250.00; Continental Europe fee: GBP1250.00") == [
        (1250, "GBP", "Ireland fee; Continental Europe fee")]


def test_symbols_thousands_and_conditions_after_the_amount():
    assert amounts("£9,250 per year (UK); £15,500 (international)") == [
        (9250, "GBP", "per year (UK)"), (15500, "GBP", "international")]


@pytest.mark.parametrize("text, amount, currency", [
    ("EUR 450,00", 450, "EUR"),
    ("450,50 EUR", 450.5, "EUR"),
    ("1.250,00 €", 1250, "EUR"),
    ("€1 250,50", 1250.5, "EUR"),
    ("1\u00a0250 €", 1250, "EUR"),
    ("CHF 1'250.00", 1250, "CHF"),
    ("1,250.75 USD", 1250.75, "USD"),
    ("300 zł", 300, "PLN"),
    ("2 500 Kč", 2500, "CZK"),
    ("90 euros", 90, "EUR"),
    ("GBP1250.00", 1250, "GBP"),
])
def test_number_conventions_of_european_languages(text, amount, currency):
    assert amounts(text) == [(amount, currency, None)]


@pytest.mark.parametrize("text", ["Free", "free of charge", "kostenlos", "Gratuit", "gratuito",
                                  "bezpłatne", "ingyenes", "δωρεάν", "None", "0.0000"])
def test_words_for_free_are_a_price_of_zero(text):
    assert amounts(text, "EUR") == [(0, None, None)]


def test_free_for_some_and_a_price_for_others():
    found = amounts("Free for jobseekers, otherwise 300 €")
    assert found == [(0, None, "for jobseekers"), (300, "EUR", "otherwise")]


def test_a_bare_number_takes_the_providers_currency():
    assert amounts("84.0000", "GBP") == [(84, "GBP", None)]
    assert amounts("84.0000") == []  # no currency known: no price


def test_numbers_beside_a_stated_currency_are_not_prices():
    assert amounts("Year 1: £9,250", "GBP") == [(9250, "GBP", "Year 1")]
    assert amounts("20% off for alumni: €200") == [(200, "EUR", "20% off for alumni")]


@pytest.mark.parametrize("text", ["", "   ", None, "See our website", "Contact us for prices",
                                  "Level 2 module 3", "1000 kr"])
def test_text_without_an_amount_gives_no_price(text):
    assert prices.parse(text, "GBP") == []


def test_crowns_take_the_providers_crown():
    assert amounts("1000 kr", "SEK") == [(1000, "SEK", None)]


def test_dollars_are_the_providers_dollar_else_us_dollars():
    assert amounts("$500", "CAD") == [(500, "CAD", None)]
    assert amounts("$500", "EUR") == [(500, "USD", None)]


def test_apply_sets_the_lowest_as_the_records_price():
    r = OpportunityRecord("x")
    prices.apply(r, prices.parse("UK: £900; EU: £1,200"))
    assert (r.price, r.currency) == (900, "GBP")
    assert [p["amount"] for p in r.prices] == [900, 1200]


def test_free_is_the_lowest_and_amounts_in_other_currencies_are_not_compared():
    r = OpportunityRecord("x")
    prices.apply(r, prices.parse("Members: free; others: 50 €"))
    assert (r.price, r.currency) == (0, None)
    prices.apply(r, prices.parse("€1,000; £900"))
    assert (r.price, r.currency) == (1000, "EUR")


def test_apply_with_nothing_clears_the_price():
    r = OpportunityRecord("x", price=10, currency="EUR")
    prices.apply(r, [])
    assert (r.price, r.currency, r.prices) == (None, None, [])


def test_a_currency_by_its_mark_code_or_english_name():
    assert [prices.currency_of(m) for m in ("£", "eur", "US Dollar", "euro", "$")] == \
        ["GBP", "EUR", "USD", "EUR", "USD"]
    assert [prices.currency_of(m) for m in ("kr", "XYZ", "", None, 12)] == [None] * 5


def test_the_first_stated_price_when_a_format_says_the_first_is_the_main_one():
    record = OpportunityRecord("x")
    stated = [{"amount": 900.0, "currency": "EUR", "condition": "Standard"},
              {"amount": 450.0, "currency": "EUR", "condition": "Student"}]
    prices.apply(record, stated, choose=prices.first)
    assert (record.price, record.currency, len(record.prices)) == (900.0, "EUR", 2)
    prices.apply(record, stated)
    assert (record.price, record.currency) == (450.0, "EUR")


def test_an_amount_of_more_digits_than_a_float_holds_is_no_price():
    assert amounts("EUR " + "9" * 400) == []
    assert [(a, c) for a, c, _ in amounts("9" * 400 + " or £250")] == [(250, "GBP")]
