"""One reading of decimal numbers for every format: the separators, and what is no number."""
import pytest

from catalogue.numbers import decimal, optional, whole


@pytest.mark.parametrize("text, plain, money", [
    ("4,5", 4.5, 4.5), ("4.5", 4.5, 4.5), ("1.234,5", 1234.5, 1234.5),
    ("1,234.5", 1234.5, 1234.5), ("2.000.000", 2_000_000, 2_000_000), ("-1.6794", -1.6794, -1.6794),
    ("0,125", 0.125, 125), ("9,250", 9.25, 9250), (" 12 ", 12, 12)])
def test_a_lone_separator_before_three_digits_groups_thousands_only_in_money(text, plain, money):
    assert (decimal(text), decimal(text, thousands=True)) == (plain, money)


def test_money_may_group_thousands_with_spaces_and_apostrophes():
    assert decimal("1 250,50", thousands=True) == decimal("1'250.50", thousands=True) == 1250.5
    with pytest.raises(ValueError):
        decimal("1 250")


@pytest.mark.parametrize("text", ["nan", "inf", "-Infinity", "1e3", "1.2.3", "1,2.3", "", "12a",
                                  "9" * 400])
def test_what_is_not_a_finite_decimal_number_is_refused(text):
    with pytest.raises(ValueError):
        decimal(text)
    assert optional(text) is None


@pytest.mark.parametrize("value, number", [
    (3, 3.0), (2.5, 2.5), ("2,5", 2.5), (True, None), (None, None), ([1], None),
    (float("nan"), None), (10 ** 400, None)])
def test_json_values(value, number):
    assert optional(value) == number


@pytest.mark.parametrize("text, count", [("12", 12), (" 7 ", 7), ("\u0661\u0662", 12), ("0", 0),
                                         ("\u00b2", None), ("9" * 5000, None), ("1.5", None),
                                         ("-3", None), ("", None), ("1234567890", None)])
def test_a_count_is_a_few_decimal_digits(text, count):
    """'²' passes str.isdigit but not int(); 5,000 digits pass neither int() nor any count."""
    assert whole(text) == count
