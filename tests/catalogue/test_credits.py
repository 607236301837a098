"""Credits in other schemes to ECTS and hours, national levels to EQF, marked as derived."""
import re

import pytest

from catalogue import credits
from catalogue.vocabularies import DATA, read_data
from catalogue.record import OpportunityRecord


@pytest.mark.parametrize("label, code", [
    ("SCQF", "SCQF"), ("Scottish Credit and Qualifications Framework", "SCQF"),
    ("CATS", "UK"), ("UK credits", "UK"), ("ECTS", "ECTS"),
    ("European Credit Transfer and Accumulation System", "ECTS"), ("ECVET points", "ECVET"),
    ("CEUs", "CEU"), ("semester credit hours", "US-SEMESTER"), ("Quarter hours", "US-QUARTER"),
    ("The Open University", "The Open University"), ("", None),
])
def test_scheme_names(label, code):
    assert credits.scheme_code(label) == code


@pytest.mark.parametrize("value, scheme, level", [
    ("SCQF level 7", None, "SCQF 7"), ("7", "SCQF", "SCQF 7"), ("RQF Level 4", None, "RQF 4"),
    ("FHEQ 6", None, "FHEQ 6"), ("CQFW 4", None, "CQFW 4"), ("NFQ-IE 8", None, "NFQ-IE 8"),
    ("Irish NFQ level 7", None, "NFQ-IE 7"), ("DQR-Niveau 4", None, "DQR 4"),
    ("FR 5", None, "FR 5"), ("6", "UK", "FHEQ 6"), ("H", "UK", "FHEQ 6"),
    ("7", None, None), ("Advanced", None, None), ("1", "The Open University", None),
    ("", None, None), (None, "SCQF", None),
])
def test_framework_levels(value, scheme, level):
    assert credits.framework_level(value, scheme) == level


@pytest.mark.parametrize("level, eqf", [
    ("SCQF 7", 5), ("SCQF 8", 5), ("SCQF 9", 6), ("SCQF 10", 6), ("SCQF 11", 7), ("SCQF 12", 8),
    ("SCQF 3", 1), ("RQF 3", 4), ("RQF 4", 5), ("FHEQ 5", 5), ("FHEQ 7", 7), ("CQFW 1", 2),
    ("NFQ-IE 6", 5), ("NFQ-IE 8", 6), ("NFQ-IE 10", 8), ("DQR 4", 4), ("FR 5", 5),
    ("SCQF 2", None), ("FHEQ 3", None), ("RQF 9", None), ("Advanced", None), (None, None),
])
def test_national_levels_to_eqf(level, eqf):
    assert credits.eqf_level(level) == eqf


def test_scqf_credits_give_ects_hours_and_level_marked_as_derived():
    r = credits.derive(OpportunityRecord("x", credits=[
        {"value": 20, "scheme": "SCQF", "level": "SCQF 9"}], nqf_level="SCQF 9"))
    assert (r.ects, r.workload_hours, r.eqf_level) == (10, 200, 6)
    assert r.extras["derived"] == {"ects": {"value": 20, "scheme": "SCQF"},
                                   "workload_hours": {"value": 20, "scheme": "SCQF"},
                                   "eqf_level": {"level": "SCQF 9"}}


def test_uk_credits_halve_into_ects():
    r = credits.derive(OpportunityRecord("x", credits=[{"value": 15, "scheme": "UK"}]))
    assert (r.ects, r.workload_hours) == (7.5, 150)


def test_what_the_provider_states_wins():
    r = credits.derive(OpportunityRecord("x", ects=5, workload_hours=130, eqf_level=4,
                                         nqf_level="SCQF 9",
                                         credits=[{"value": 20, "scheme": "SCQF"}]))
    assert (r.ects, r.workload_hours, r.eqf_level) == (5, 130, 4)
    assert "derived" not in r.extras


def test_ceu_gives_contact_hours_only():
    r = credits.derive(OpportunityRecord("x", credits=[{"value": 2.5, "scheme": "CEU"}]))
    assert (r.ects, r.workload_hours) == (None, 25)
    assert r.extras["derived"] == {"workload_hours": {"value": 2.5, "scheme": "CEU"}}


@pytest.mark.parametrize("scheme", ["US-SEMESTER", "US-QUARTER", "ECVET", "The Open University"])
def test_schemes_without_a_published_ratio_are_kept_not_converted(scheme):
    r = credits.derive(OpportunityRecord("x", credits=[{"value": 3, "scheme": scheme}]))
    assert (r.ects, r.workload_hours, r.extras) == (None, None, {})
    assert r.credits == [{"value": 3, "scheme": scheme}]


def test_ects_gives_no_hours_because_the_users_guide_gives_a_range():
    r = credits.derive(OpportunityRecord("x", credits=[{"value": 6, "scheme": "ECTS"}]))
    assert (r.ects, r.workload_hours, r.extras) == (6, None, {})


def test_a_derived_value_out_of_range_is_not_derived():
    r = credits.derive(OpportunityRecord("x", credits=[{"value": 480, "scheme": "SCQF"}]))
    assert r.ects is None and r.workload_hours == 4800
    r = credits.derive(OpportunityRecord("x", credits=[{"value": 0, "scheme": "UK"},
                                                       {"value": None, "scheme": "UK"}]))
    assert (r.ects, r.workload_hours) == (None, None)


def test_a_credit_level_gives_the_eqf_level_when_the_record_has_no_national_level():
    r = credits.derive(OpportunityRecord("x", credits=[
        {"value": 10, "scheme": "The Open University", "level": "1"},
        {"value": 10, "scheme": "SCQF", "level": "SCQF 7"}]))
    assert r.eqf_level == 5 and r.extras["derived"]["eqf_level"] == {"level": "SCQF 7"}


def test_every_framework_row_cites_a_report():
    rows = read_data("nqf_eqf.csv")
    with open(DATA / "nqf_eqf.csv", encoding="utf-8") as fh:
        citations = [line[1:] for line in fh if line.startswith("#")]

    def cited(row) -> bool:  # one header line names the framework and every part of the key
        words = re.split(r"[\s;/]+", row["source"].strip())
        return any(row["framework"] in re.split(r"[\s,()]+", line.split(":")[0])
                   and all(w in line for w in words) for line in citations)
    assert rows and all(r["source"].strip() for r in rows)
    assert [r for r in rows if not cited(r)] == []
    assert {r["framework"] for r in rows} >= {"SCQF", "RQF", "FHEQ", "CQFW", "NFQ-IE", "DQR", "FR"}
