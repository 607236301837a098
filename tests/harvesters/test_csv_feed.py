"""The CSV / XLSX template through the real runner: parsing, bad rows, encodings, failures."""
import codecs
import re

import openpyxl
import pytest
from sqlalchemy import func, select

from catalogue.models import ItemOutcome, Opportunity, RunStatus, Severity, Stage, Status
from harvesters.runner import run
from tests.conftest import offer, write_csv


def active(session, source):
    return {o.remote_id: o for o in session.scalars(select(Opportunity).where(
        Opportunity.source_id == source.id, Opportunity.status == Status.ACTIVE))}


def test_row_maps_every_kind_of_column(session, make_source, tmp_path):
    path = write_csv(tmp_path / "feed.csv", [offer(
        "W1", title_en="MAG welding", title_de="MAG-Schweißen",
        learning_outcomes_de="Kehlnähte schweißen|Schutzgas wählen", ects="", workload_hours="40",
        eqf_level="3", participation_form="Blended", languages="de|en",
        place_city="München|Nürnberg", place_nuts="DE212|DE254", place_geo="48.14 11.58|49.45 11.08",
        start_dates="2027-01-11|2027-04-12", duration="6 weeks", price="450,50", currency="eur",
        isced_f="0715", funding="ila|pes-voucher", description_en="<p>Hands-on <script>x</script></p>",
        stackability="stackable", stacks_towards_en="Welding specialist certificate",
        internal_code="ABC")])
    source = make_source(path)
    result = run(session, source)
    assert result.status is RunStatus.SUCCEEDED and result.added == 1
    o = active(session, source)["W1"]
    assert o.title == {"en": "MAG welding", "de": "MAG-Schweißen"}
    assert o.learning_outcomes["de"] == ["Kehlnähte schweißen", "Schutzgas wählen"]
    assert o.workload_hours == 40 and o.ects is None and o.eqf_level == 3
    assert o.participation_form == "blended" and o.languages == ["de", "en"]
    assert [p["city"] for p in o.places] == ["München", "Nürnberg"]
    assert o.places[1]["nuts"] == "DE254" and o.places[0]["lat"] == 48.14
    assert o.start_dates == ["2027-01-11", "2027-04-12"]
    assert (o.duration_value, o.duration_unit) == (6, "week")
    assert o.price == 450.5 and o.currency == "EUR"
    assert o.country == "DE"  # the provider's country, since the row gave none
    assert o.description["en"] == "<p>Hands-on </p>"  # sanitised
    assert o.extras == {"internal_code": "ABC"}
    notices = [e for e in result.errors if e.stage is Stage.GATHER]
    assert notices and "internal_code" in notices[0].field


def test_bad_rows_are_reported_with_row_column_and_problem(session, make_source, tmp_path):
    path = write_csv(tmp_path / "feed.csv", [
        offer("OK1"),
        offer("BAD1", eqf_level="12", ects="abc"),
        offer("OK2"),
        offer("BAD2", participation_form="sometimes", start_dates="next spring"),
        offer("OK1", title_en="Second row with a used id"),
    ])
    source = make_source(path)
    result = run(session, source)
    assert result.status is RunStatus.PARTIAL
    assert (result.added, result.rejected) == (2, 3)
    assert set(active(session, source)) == {"OK1", "OK2"}
    errors = {(e.remote_id, e.position, e.field): e.message for e in result.errors
              if e.severity is Severity.ERROR}
    assert "not a number" in errors[("BAD1", 3, "ects")]
    assert "1 to 8" in errors[("BAD1", 3, "eqf_level")]  # every problem of the row, in one go
    assert "participation_form" in {f for _, _, f in errors}
    assert "not a date" in errors[("BAD2", 5, "start_dates")]
    assert "duplicate" in errors[("OK1", 6, "id")]
    outcomes = [i.outcome for i in result.items]
    assert outcomes.count(ItemOutcome.DUPLICATE) == 1 and outcomes.count(ItemOutcome.REJECTED) == 2


def test_missing_mandatory_elements_load_with_warnings(session, make_source, tmp_path):
    path = write_csv(tmp_path / "feed.csv", [offer("M1", qa_type="", eqf_level="")])
    result = run(session, make_source(path))
    assert result.status is RunStatus.SUCCEEDED and result.added == 1
    warned = {e.field for e in result.errors if e.severity is Severity.WARNING}
    assert warned == {"level", "quality_assurance"}


@pytest.mark.parametrize("encoding, delimiter", [
    ("utf-8-sig", ","), ("utf-16", ","), ("cp1252", ";"), ("utf-8", "\t")])
def test_encodings_and_delimiters_spreadsheets_produce(session, make_source, tmp_path,
                                                       encoding, delimiter):
    path = write_csv(tmp_path / "feed.csv", [offer("E1", title_fr="Soins infirmiers à domicile")],
                     encoding=encoding, delimiter=delimiter)
    result = run(session, make_source(path))
    assert result.status is RunStatus.SUCCEEDED, [e.message for e in result.errors]
    assert session.scalar(select(Opportunity.title)).get("fr") == "Soins infirmiers à domicile"


def test_xlsx_workbook(session, make_source, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    row = offer("X1", title_es="Instalación de paneles solares", ects="", workload_hours="60")
    sheet.append(list(row))
    sheet.append([float(v) if k == "workload_hours" else v for k, v in row.items()])
    path = tmp_path / "feed.xlsx"
    book.save(path)
    result = run(session, make_source(path))
    assert result.status is RunStatus.SUCCEEDED and result.added == 1
    o = session.scalar(select(Opportunity))
    assert o.workload_hours == 60 and o.title["es"] == "Instalación de paneles solares"


@pytest.mark.parametrize("content, reason", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (b"PK\x03\x04 not really a workbook", "XLSX"),
    (codecs.BOM_UTF16_LE + b"\x00\xd8", "utf-16"),
    (b"name,price\nWelding,40\n", "'id' column"),
])
def test_unreadable_file_changes_nothing(session, make_source, tmp_path, content, reason):
    path = write_csv(tmp_path / "feed.csv", [offer("A"), offer("B")])
    source = make_source(path)
    assert run(session, source).added == 2
    before = {rid: o.content_hash for rid, o in active(session, source).items()}

    path.write_bytes(content)
    result = run(session, source)
    assert result.status is RunStatus.FAILED and reason in result.message
    assert result.errors[0].stage is Stage.FETCH
    assert {rid: o.content_hash for rid, o in active(session, source).items()} == before


def test_missing_file_and_empty_feed_keep_last_good_records(session, make_source, tmp_path):
    path = write_csv(tmp_path / "feed.csv", [offer("A"), offer("B")])
    source = make_source(path)
    run(session, source)
    path.write_text("id,title_en\n", encoding="utf-8")
    result = run(session, source)
    assert result.status is RunStatus.FAILED and "empty" in result.message
    path.unlink()
    assert run(session, source).status is RunStatus.FAILED
    assert set(active(session, source)) == {"A", "B"}


def test_reharvest_unchanged_then_changed_then_vanished(session, make_source, tmp_path):
    path = write_csv(tmp_path / "feed.csv", [offer("A"), offer("B"), offer("C")])
    source = make_source(path)
    assert run(session, source).added == 3
    session.execute(Opportunity.__table__.update().values(index_pending=False))
    session.commit()

    again = run(session, source)
    assert (again.added, again.updated, again.unchanged, again.retired) == (0, 0, 3, 0)
    assert not session.scalar(select(func.count()).where(Opportunity.index_pending.is_(True)))

    write_csv(path, [offer("A", ects="4"), offer("C"), offer("D")])
    delta = run(session, source)
    assert (delta.added, delta.updated, delta.unchanged, delta.retired) == (1, 1, 1, 1)
    assert set(active(session, source)) == {"A", "C", "D"}


def test_rejected_rows_are_not_retired(session, make_source, tmp_path):
    path = write_csv(tmp_path / "feed.csv", [offer("A"), offer("B")])
    source = make_source(path)
    run(session, source)
    write_csv(path, [offer("A"), offer("B", eqf_level="nine")])
    result = run(session, source)
    assert result.retired == 0 and set(active(session, source)) == {"A", "B"}


def test_dry_run_reports_but_changes_nothing(session, make_source, tmp_path):
    path = write_csv(tmp_path / "feed.csv", [offer("A"), offer("B", ects="x")])
    source = make_source(path)
    result = run(session, source, dry_run=True)
    assert result.dry_run and (result.added, result.rejected) == (1, 1)
    assert result.errors and not active(session, source)


def test_the_shipped_template_loads_complete(session, make_source):
    from tests.conftest import ROOT
    result = run(session, make_source(ROOT / "harvesters" / "templates" / "learncat-template.csv"))
    assert result.status is RunStatus.SUCCEEDED and result.added == 1 and not result.errors
    documented = set(re.findall(r"^\| `([a-z_]+)(?:_<lang>)?` \|",
                                (ROOT / "harvesters" / "templates" / "README.md").read_text(), re.M))
    header = (ROOT / "harvesters" / "templates" / "learncat-template.csv").read_text().splitlines()[0]
    columns = {re.sub(r"_(en|de)$", "", c) for c in header.split(",")}
    assert columns == documented  # the template file and its documentation agree


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_doubled_quotes_are_read_as_the_standard_says(session, make_source, tmp_path, delimiter):
    """Excel and Python write a quote inside a cell as two; the header has no quotes at all."""
    rows = [offer("Q1", title_en='Using "Excel" for budgets', ects="2",
                  learning_outcomes_en='Build a "what if" table|Chart a budget'),
            offer("Q2", title_en="Plain title", ects="3")]
    path = write_csv(tmp_path / "quotes.csv", rows, delimiter=delimiter)
    assert '""Excel""' in path.read_text("utf-8") and '"' not in path.read_text().split("\n")[0]
    source = make_source(path)
    assert run(session, source).added == 2
    by_id = active(session, source)
    assert by_id["Q1"].title == {"en": 'Using "Excel" for budgets'}
    assert by_id["Q1"].learning_outcomes["en"] == ['Build a "what if" table', "Chart a budget"]
    assert (by_id["Q1"].ects, by_id["Q2"].ects) == (2, 3)


def test_blank_rows_are_skipped_and_row_numbers_stay_true(session, make_source, tmp_path):
    path = write_csv(tmp_path / "feed.csv", [offer("A1"), offer("A2", ects="abc")])
    lines = path.read_text(encoding="utf-8").splitlines()
    commas = "," * (len(lines[0].split(",")) - 1)
    path.write_text("\n".join([lines[0], "", lines[1], commas, "  ,  ", lines[2], ""]) + "\n",
                    encoding="utf-8")
    result = run(session, make_source(path))
    assert (result.added, result.rejected) == (1, 1)
    assert {e.position for e in result.errors if e.severity is Severity.ERROR} == {6}
    assert [i.remote_id for i in result.items] == ["A1", "A2"]
