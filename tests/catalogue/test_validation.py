import pytest

from catalogue.record import OpportunityRecord
from catalogue.validation import MANDATORY, validate


def full(**fields) -> OpportunityRecord:
    base = dict(
        title={"en": "Welding basics"}, country="DE", awarding_body="Chamber of Crafts",
        learning_outcomes={"en": ["Weld a fillet joint"]}, ects=2.0, eqf_level=3,
        assessment_types=["practical-assessment"], participation_form="onsite",
        qa_types=["sector-label"],
    )
    base.update(fields)
    return OpportunityRecord(remote_id="W-1", **base)


def test_complete_record_states_all_nine():
    check = validate(full())
    assert check.ok and check.missing == []
    assert check.completeness == (9, 9) and len(MANDATORY) == 9


def test_missing_elements_are_reported_not_errors():
    check = validate(full(qa_types=[], eqf_level=None, awarding_body=None))
    assert check.ok
    assert check.missing == ["awarding_body", "level", "quality_assurance"]
    assert check.completeness == (6, 9)


def test_hours_count_as_workload_when_there_are_no_ects():
    assert "workload" in validate(full(ects=None, workload_hours=40.0)).present
    assert "workload" in validate(full(ects=None)).missing


def test_field_errors_name_field_and_problem():
    check = validate(full(eqf_level=12, ects="abc", languages=["en", "xx"], country="XX",
                          participation_form="sometimes", start_dates=["2027-13-01"],
                          url="javascript:alert(1)", qa_types=["bogus"], price=-5.0))
    problems = {e.field: e.message for e in check.errors}
    assert not check.ok
    assert "1 to 8" in problems["eqf_level"]
    assert "not a number" in problems["ects"]
    assert "'xx'" in problems["languages"]
    assert "country" in problems and "participation_form" in problems and "qa_types" in problems
    assert "start_dates" in problems and "url" in problems and "price" in problems


def test_boolean_is_not_a_level():
    assert any(e.field == "eqf_level" for e in validate(full(eqf_level=True)).errors)


def test_values_longer_than_their_column_are_errors():
    check = validate(full(nqf_level="N" * 41, awarding_body="A" * 300))
    assert [e.field for e in check.errors] == ["nqf_level"]


def test_the_eqf_range_is_one_to_eight_exactly():
    for level in (1, 8):
        assert validate(full(eqf_level=level)).ok, level
    for level in (0, 9, -1):
        (error,) = [e for e in validate(full(eqf_level=level)).errors if e.field == "eqf_level"]
        assert "1 to 8" in error.message, level


def test_every_date_of_a_presentation_must_be_a_date():
    good = {"start": "2027-03-01", "end": "2027-03-31", "apply_until": "2027-02-15"}
    assert validate(full(sessions=[good])).ok
    (error,) = validate(full(sessions=[good, {**good, "end": "2027-02-30"}])).errors
    assert error.field == "sessions" and "'2027-02-30' is not a date" in error.message


@pytest.mark.parametrize("field, accepted, refused", [
    ("ects", (0, 0.5, 120), (-0.5, 120.5)),
    ("workload_hours", (0.5, 10_000), (0, -1, 10_000.5)),
    ("price", (0, 1_000_000), (-0.01, 1_000_000.5)),
    ("duration_value", (0.5, 10_000), (0, 10_001)),
])
def test_each_range_holds_its_bounds_exactly(field, accepted, refused):
    for value in accepted:
        assert validate(full(**{field: value})).ok, (field, value)
    for value in refused:
        (error,) = [e for e in validate(full(**{field: value})).errors if e.field == field]
        assert "outside the accepted range" in error.message, (field, value)


@pytest.mark.parametrize("field, value, message", [
    ("duration_unit", "fortnight", "unknown duration unit"),
    ("currency", "XXY", "unknown ISO 4217"), ("region", "ZZ99", "unknown NUTS"),
    ("title", {"xx": "Welding"}, "unknown language tag"),
    ("learning_outcomes", {"zz": ["Weld"]}, "unknown language tag"),
    ("assessment_types", ["guesswork"], "unknown code"), ("funding", ["lottery"], "unknown code"),
    ("application_deadline", "2027-02-30", "is not a date"), ("start_dates", ["2027-1-5"], "is not a date"),
    ("esco_skills", ["http://example.org/skill/1"], "not an ESCO concept URI"),
    ("esco_occupations", ["urn:x"], "not an ESCO concept URI"),
    ("places", [{"city": "Graz", "nuts": "AT999"}], "unknown NUTS"),
    ("places", [{"city": "Graz", "country": "QQ"}], "unknown ISO 3166"),
    ("places", [{"city": "Graz", "lat": 47.07}], "not a latitude and longitude"),
    ("places", [{"city": "Graz", "lat": 91, "lon": 15.4}], "not a latitude and longitude"),
    ("places", [{"city": "Graz", "lat": 47.1, "lon": -180.5}], "not a latitude and longitude"),
    ("places", [{"city": "Graz", "lat": True, "lon": 15.4}], "not a latitude and longitude"),
    ("awarding_body", "x" * 301, "longer than 300 characters"),
])
def test_each_rule_names_its_problem(field, value, message):
    errors = validate(full(**{field: value})).errors
    assert any(message in e.message for e in errors), errors


@pytest.mark.parametrize("field, value", [
    ("duration_unit", "week"), ("currency", "EUR"), ("region", "DE21"), ("title", {"de-AT": "Schweißen"}),
    ("places", [{"city": "Graz", "lat": -90, "lon": 180}]), ("places", [{"city": "Graz"}]),
    ("application_deadline", "2027-02-28"), ("awarding_body", "x" * 300),
    ("esco_skills", ["http://data.europa.eu/esco/skill/abc"])])
def test_what_is_right_is_not_refused(field, value):
    check = validate(full(**{field: value}))
    assert check.ok, check.errors
