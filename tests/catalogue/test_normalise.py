"""normalise: the single and the list forms of a record agree, whatever a harvester filled."""
import math

import pytest

from catalogue.normalise import normalise
from catalogue.record import OpportunityRecord


def record(**fields) -> OpportunityRecord:
    return OpportunityRecord(remote_id="1", title={"en": "x"}, **fields)


def test_awarding_bodies_and_the_first_one_agree():
    assert normalise(record(awarding_body="A")).awarding_bodies == ["A"]
    joint = normalise(record(awarding_bodies=["B", "C"]))
    assert (joint.awarding_body, joint.awarding_bodies) == ("B", ["B", "C"])


def test_prices_and_the_lowest_one_agree():
    single = normalise(record(price=300.0, currency="EUR"))
    assert single.prices == [{"amount": 300.0, "currency": "EUR", "condition": None}]
    listed = normalise(record(prices=[{"amount": 900, "currency": "GBP", "condition": "International"},
                                      {"amount": 450, "currency": "GBP", "condition": "UK"}]))
    assert (listed.price, listed.currency) == (450, "GBP") and len(listed.prices) == 2


@pytest.mark.parametrize("bad", [None, "abc", math.nan, math.inf, True])
def test_credits_without_a_finite_number_are_dropped(bad):
    r = normalise(record(credits=[{"value": bad, "scheme": "SCQF"}, {"value": 20, "scheme": "SCQF"}]))
    assert r.credits == [{"value": 20.0, "scheme": "SCQF", "level": None}]
    assert r.ects == 10 and r.extras["derived"]["ects"] == {"value": 20, "scheme": "SCQF"}


def test_stated_ects_are_a_stated_credit_and_derived_ones_are_not():
    stated = normalise(record(ects=5.0))
    assert stated.credits == [{"value": 5.0, "scheme": "ECTS", "level": None}]
    derived = normalise(record(credits=[{"value": 20, "scheme": "SCQF"}]))
    assert [c["scheme"] for c in derived.credits] == ["SCQF"] and derived.ects == 10


def test_a_text_ects_is_left_for_validation_to_refuse():
    r = normalise(record(ects="abc"))
    assert r.ects == "abc" and r.credits == []


def test_what_a_harvester_set_in_both_forms_is_left_as_it_said():
    both = normalise(record(awarding_body="Chamber", awarding_bodies=["University", "College"],
                            price=900.0, currency="EUR",
                            prices=[{"amount": 300, "currency": "EUR", "condition": "EU"},
                                    {"amount": 900, "currency": "EUR", "condition": None}]))
    assert (both.awarding_body, both.price) == ("Chamber", 900.0)  # a format's main one stays
    assert both.awarding_bodies == ["University", "College"] and len(both.prices) == 2


def test_stated_ects_join_the_credits_in_other_schemes_once():
    mixed = normalise(record(ects=5.0, credits=[{"value": 10, "scheme": "SCQF"}]))
    assert [(c["scheme"], c["value"]) for c in mixed.credits] == [("SCQF", 10.0), ("ECTS", 5.0)]
    already = normalise(record(ects=5.0, credits=[{"value": 5, "scheme": "ECTS"}]))
    assert [(c["scheme"], c["value"]) for c in already.credits] == [("ECTS", 5.0)]
