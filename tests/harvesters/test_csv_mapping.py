"""A provider's own spreadsheet, read through a column mapping and the real runner."""
import datetime as dt
import json

import openpyxl
import pytest
from sqlalchemy import select

from catalogue.models import ItemOutcome, Opportunity, RunStatus, Severity, Stage, Status
from harvesters.csv_mapping import (Mapping, MappingError, TransformError, date_in, number_in,
                                    preview, read_mapping_file)
from harvesters.fetch import fetch
from harvesters.registry import add_source
from harvesters.runner import run
from tests.conftest import write_csv

MAPPING_TOML = """
# a US university's export
[columns]
id = { join = ["Subject", "Number"] }
title_en = "Name"
description_en = "Description"
credits = { column = "Credit Hours", scheme = "US-SEMESTER" }
participation_form = { column = "Schedule", lookup = { Online = "online", "On campus" = "onsite" } }
languages = { column = "Language", split = ";", lookup = { English = "en", French = "fr" } }
start_dates = { column = "Start", split = ";", date = "%d/%m/%Y" }
eqf_level = { column = "Level", lookup = { Undergraduate = 6, Graduate = 7 } }
awarding_body = { value = "Example State University" }
qa_type = { value = "internal" }
assessment_type = { value = "project-work" }
"""
MAPPING = {"columns": {
    "id": {"join": ["Subject", "Number"]},
    "title_en": "Name",
    "description_en": "Description",
    "credits": {"column": "Credit Hours", "scheme": "US-SEMESTER"},
    "participation_form": {"column": "Schedule",
                           "lookup": {"Online": "online", "On campus": "onsite"}},
    "languages": {"column": "Language", "split": ";", "lookup": {"English": "en", "French": "fr"}},
    "start_dates": {"column": "Start", "split": ";", "date": "%d/%m/%Y"},
    "eqf_level": {"column": "Level", "lookup": {"Undergraduate": 6, "Graduate": 7}},
    "awarding_body": {"value": "Example State University"},
    "qa_type": {"value": "internal"},
    "assessment_type": {"value": "project-work"},
}}


def course(subject, number, name, credit_hours="3 hours.", schedule="Online", **cells):
    row = {"Subject": subject, "Number": number, "Name": name,
           "Description": f"About {name.lower()}.", "Credit Hours": credit_hours,
           "Schedule": schedule, "Language": "English", "Start": "11/01/2027",
           "Level": "Undergraduate", "Room notes": "", "url": ""}
    row.update(cells)
    return row


def spreadsheet(tmp_path, rows=None):
    return write_csv(tmp_path / "catalogue-export.csv", rows or [
        course("CS", "101", "Introduction to Programming", Language="English; French",
               **{"Room notes": "Lab B", "url": "https://univ.example/cs101"}),
        course("MATH", "210", "Linear Algebra", "4,5", "On campus", Level="Graduate",
               Start="01/02/2027; 03/05/2027"),
    ])


def mapped_source(make_source, path, mapping=MAPPING):
    source = make_source(path, country="US")
    source.options = {"mapping": mapping}
    return source


def active(session, source):
    return {o.remote_id: o for o in session.scalars(select(Opportunity).where(
        Opportunity.source_id == source.id, Opportunity.status == Status.ACTIVE))}


def test_university_spreadsheet_loads_through_the_runner(session, make_source, tmp_path):
    source = mapped_source(make_source, spreadsheet(tmp_path))
    session.commit()
    result = run(session, source)
    assert result.status is RunStatus.SUCCEEDED, [e.message for e in result.errors]
    assert result.added == 2
    by_id = active(session, source)
    cs, math = by_id["CS-101"], by_id["MATH-210"]
    assert cs.title == {"en": "Introduction to Programming"}
    assert cs.description == {"en": "About introduction to programming."}
    assert cs.credits == [{"value": 3.0, "scheme": "US-SEMESTER", "level": None}]
    assert math.credits == [{"value": 4.5, "scheme": "US-SEMESTER", "level": None}]
    assert (cs.participation_form, math.participation_form) == ("online", "onsite")
    assert cs.languages == ["en", "fr"] and math.languages == ["en"]
    assert math.start_dates == ["2027-02-01", "2027-05-03"]
    assert (cs.eqf_level, math.eqf_level) == (6, 7)
    assert cs.awarding_body == "Example State University" and cs.qa_types == ["internal"]
    assert cs.url == "https://univ.example/cs101"  # an unmapped template column, as it is
    assert cs.extras == {"room notes": "Lab B"}  # unmapped columns: extras, with a notice
    notices = [e for e in result.errors if e.stage is Stage.GATHER]
    assert [n.field for n in notices] == ["Room notes"] and "extras" in notices[0].message


def test_university_workbook_with_typed_cells(session, make_source, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Subject", "Number", "Name", "Credit Hours", "Schedule", "Start", "Level"])
    sheet.append(["CHEM", 110, "General Chemistry", 4.0, "On campus", dt.datetime(2027, 1, 18),
                  "Undergraduate"])
    sheet.append(["CHEM", 111, "Chemistry Lab", "1,5 credit hours", "Online", "25/01/2027",
                  "Undergraduate"])
    path = tmp_path / "export.xlsx"
    book.save(path)
    columns = {k: v for k, v in MAPPING["columns"].items()
               if k not in ("description_en", "languages")}
    source = mapped_source(make_source, path, {"columns": columns})
    result = run(session, source)
    assert result.status is RunStatus.SUCCEEDED and result.added == 2
    by_id = active(session, source)
    assert by_id["CHEM-110"].credits == [{"value": 4.0, "scheme": "US-SEMESTER", "level": None}]
    assert by_id["CHEM-110"].start_dates == ["2027-01-18"]  # a date cell, read as ISO
    assert by_id["CHEM-111"].credits[0]["value"] == 1.5
    assert by_id["CHEM-111"].start_dates == ["2027-01-25"]


@pytest.mark.parametrize("text, number", [
    ("3 hours.", 3), ("4,5", 4.5), ("Credits: 3.0", 3), ("1.234,5", 1234.5),
    ("1,234.5", 1234.5), ("12", 12), ("2.000.000", 2_000_000)])
def test_a_number_out_of_text(text, number):
    assert number_in(text) == number


@pytest.mark.parametrize("text, problem", [
    ("TBA", "holds no number"), ("1-4", "more than one number"), ("3 or 4", "more than one")])
def test_text_without_one_number_is_refused(text, problem):
    with pytest.raises(TransformError, match=problem):
        number_in(text)


def test_dates_in_a_given_format():
    assert date_in("28/11/2027", "%d/%m/%Y") == "2027-11-28"
    assert date_in("3/5/2027", "%d/%m/%Y") == "2027-05-03"
    assert date_in("2027-11-28", "%d/%m/%Y") == "2027-11-28"  # workbooks' own dates
    with pytest.raises(TransformError, match="not a date in the format %d/%m/%Y"):
        date_in("31/02/2027", "%d/%m/%Y")
    with pytest.raises(TransformError):
        date_in("11/28/2027", "%d/%m/%Y")


def apply(columns: dict, cells: dict):
    return Mapping.load({"columns": columns}).bind(list(cells)).apply(cells)


def test_each_transform():
    cells = {"Subject": "CS", "Track": "", "Number": "101", "Name": "Programming",
             "Mode": "  ON CAMPUS ", "Langs": "English;French ; ", "Hours": "about 40 h",
             "Credit Hours": "3"}
    row = apply({
        "id": {"join": ["Subject", "Track", "Number"], "separator": "."},  # empty part left out
        "title_en": "name",  # names match ignoring case
        "participation_form": {"column": "Mode", "lookup": {"On campus": "onsite"}},
        "languages": {"column": "Langs", "split": ";", "lookup": {"english": "en",
                                                                    "French": "fr"}},
        "workload_hours": {"column": "Hours", "number": True},
        "start_anytime": {"value": True},
        "funding": {"value": ["ila", "pes-voucher"]},
        "credits": {"column": "Credit Hours", "scheme": "US-QUARTER", "level": "FHEQ 6"},
    }, cells)
    assert not row.errors
    assert row.cells == {"id": "CS.101", "title_en": "Programming",
                         "participation_form": "onsite", "languages": "en|fr",
                         "workload_hours": "40", "start_anytime": "yes",
                         "funding": "ila|pes-voucher"}
    assert row.credits == [{"value": 3.0, "scheme": "US-QUARTER", "level": "FHEQ 6"}]
    record = row.record()
    assert record.languages == ["en", "fr"] and record.start_anytime is True
    assert record.workload_hours == 40 and record.funding == ["ila", "pes-voucher"]
    assert record.credits == row.credits


def test_credits_in_a_convertible_scheme_become_ects_in_the_runner(session, make_source,
                                                                    tmp_path):
    path = write_csv(tmp_path / "uk.csv", [{"Code": "ENG7", "Title": "Structural design",
                                            "Credit value": "20 credits", "Level": "Level 6"}])
    source = make_source(path, country="GB")
    source.options = {"mapping": {"columns": {
        "id": "Code", "title_en": "Title",
        "credits": {"column": "Credit value", "scheme": "UK credits", "level": "level 6"}}}}
    result = run(session, source)
    assert result.added == 1, [e.message for e in result.errors]
    o = active(session, source)["ENG7"]
    assert o.credits == [{"value": 20.0, "scheme": "UK", "level": "FHEQ 6"}]  # as stated
    assert o.ects == 10  # 2 UK credits = 1 ECTS, converted centrally
    assert o.extras["level"] == "Level 6"  # "Level" is not a template column: an extra


def test_a_failing_transform_names_target_column_and_value():
    row = apply({"id": "Code", "title_en": "Name",
                 "participation_form": {"column": "Mode", "lookup": {"Online": "online"}},
                 "credits": {"column": "Credits", "scheme": "ECTS"}},
                {"Code": "A1", "Name": "x", "Mode": "Hybrid", "Credits": "TBA"})
    problems = {e.field: e.message for e in row.errors}
    assert set(problems) == {"participation_form", "credits"}
    assert "column 'Mode'" in problems["participation_form"]
    assert "'Hybrid' is not in the lookup table (it has: Online)" in problems["participation_form"]
    assert "column 'Credits': 'TBA' holds no number" in problems["credits"]


@pytest.mark.parametrize("columns, problem", [
    ({"id": "Code", "titel_en": "Name"}, "'titel_en' is not a catalogue column (did you mean "
                                         "'title_en'?"),
    ({"id": "Code", "title_en": {"column": "Name", "uppercase": True}},
     "title_en: unknown transform 'uppercase'"),
    ({"id": {"column": "Code", "value": "x"}, "title_en": "Name"}, "id: say where the value "
                                                                   "comes from"),
    ({"id": {"split": ";"}, "title_en": "Name"}, "id: say where the value comes from"),
    ({"id": {"join": ["Code"]}, "title_en": "Name"}, "'join' must list two or more"),
    ({"id": "Code", "title_en": "Name", "participation_form": {"column": "M", "lookup": "x"}},
     "participation_form: 'lookup' must be a table"),
    ({"id": "Code", "title_en": "Name", "start_dates": {"column": "S", "date": "%d/%q/%Y"}},
     "start_dates: '%d/%q/%Y' is not a date format"),
    ({"id": "Code", "title_en": "Name", "credits": "Credit Hours"},
     "credits: give the 'scheme'"),
    ({"id": "Code", "title_en": "Name", "ects": {"column": "C", "scheme": "ECTS"}},
     "ects: 'scheme' applies to credits only"),
    ({"id": "Code", "title_en": "Name", "ects": {"column": "C", "number": "yes"}},
     "ects: 'number' must be true or false"),
    ({"id": "Code", "title_en": 3}, "title_en: give a column name or a table"),
])
def test_a_bad_mapping_is_named(columns, problem):
    with pytest.raises(MappingError) as caught:
        Mapping.load({"columns": columns})
    assert problem in str(caught.value)


def test_every_problem_of_a_mapping_is_named_at_once():
    with pytest.raises(MappingError) as caught:
        Mapping.load({"colums": {}, "columns": {"titel_en": "Name", "ects": {"colum": "C"}}})
    assert len(caught.value.problems) == 4  # section, target, transform, origin
    with pytest.raises(MappingError, match=r"needs a \[columns\] table"):
        Mapping.load({"colums": {"id": "Code"}})


def test_a_mapped_column_the_file_lacks_fails_the_run_naming_it(session, make_source, tmp_path):
    source = mapped_source(make_source, spreadsheet(tmp_path))
    assert run(session, source).added == 2
    columns = {**MAPPING["columns"], "credits": {"column": "Credit Hrs", "scheme": "US-SEMESTER"}}
    source.options = {"mapping": {"columns": columns}}
    result = run(session, source)
    assert result.status is RunStatus.FAILED and result.errors[0].stage is Stage.FETCH
    assert "no column 'Credit Hrs' (for credits)" in result.message
    assert "its columns are: Subject, Number, Name, Description, Credit Hours" in result.message
    assert set(active(session, source)) == {"CS-101", "MATH-210"}  # kept as they were


def test_a_mapping_without_id_or_title_is_refused_by_the_file(tmp_path):
    mapping = Mapping.load({"columns": {"description_en": "Name"}})
    with pytest.raises(MappingError) as caught:
        mapping.bind(["Name", "Code"])
    assert "sets no 'id'" in str(caught.value) and "sets no 'title_<language>'" in str(caught.value)
    assert mapping.bind(["Name", "ID", "Title_EN"]).kept == {"id": "id", "title_en": "title_en"}


def test_a_row_whose_transform_fails_is_one_rejected_row(session, make_source, tmp_path):
    path = spreadsheet(tmp_path, [
        course("CS", "101", "Programming"),
        course("BIO", "300", "Field ecology", credit_hours="TBA"),
        course("ART", "105", "Drawing", schedule="Hybrid", Start="2027/01/11"),
        course("HIST", "120", "World history"),
    ])
    source = mapped_source(make_source, path)
    result = run(session, source)
    assert result.status is RunStatus.PARTIAL and (result.added, result.rejected) == (2, 2)
    assert set(active(session, source)) == {"CS-101", "HIST-120"}
    errors = {(e.remote_id, e.position, e.field): e.message for e in result.errors
              if e.severity is Severity.ERROR}
    assert "'TBA' holds no number" in errors[("BIO-300", 3, "credits")]
    assert "'Hybrid' is not in the lookup" in errors[("ART-105", 4, "participation_form")]
    assert "not a date in the format" in errors[("ART-105", 4, "start_dates")]
    rejected = [i.position for i in result.items if i.outcome is ItemOutcome.REJECTED]
    assert sorted(rejected) == [3, 4]


def test_dry_run_shows_mapped_rows_and_saves_nothing(session, make_source, tmp_path):
    path = spreadsheet(tmp_path, [course("CS", "101", "Programming"),
                                  course("BIO", "300", "Field ecology", credit_hours="TBA")])
    source = mapped_source(make_source, path)
    session.commit()
    shown = list(preview(source, fetch))
    assert [position for position, _ in shown] == [2, 3]
    first = shown[0][1]
    assert first["id"] == "CS-101" and first["title_en"] == "Programming"
    assert first["credits"] == "3 US-SEMESTER" and first["start_dates"] == "2027-01-11"
    result = run(session, source, dry_run=True)
    assert result.dry_run and (result.added, result.rejected) == (1, 1)
    assert any(e.position == 3 and e.field == "credits" for e in result.errors)
    assert not active(session, source)


def test_mapping_files_toml_and_json(tmp_path):
    toml_file = tmp_path / "mapping.toml"
    toml_file.write_text(MAPPING_TOML, "utf-8")
    assert read_mapping_file(toml_file) == MAPPING
    json_file = tmp_path / "mapping.json"
    json_file.write_text(json.dumps(MAPPING), "utf-8")
    assert read_mapping_file(json_file) == MAPPING
    broken = tmp_path / "broken.toml"
    broken.write_text("[columns]\nid = \n", "utf-8")
    with pytest.raises(MappingError, match=r"cannot read broken.toml: .*line 2"):
        read_mapping_file(broken)


def test_registering_checks_the_mapping_against_the_file(session, make_source, tmp_path):
    path = spreadsheet(tmp_path)
    provider = make_source().provider
    columns = {**MAPPING["columns"], "title_en": "Course title"}
    with pytest.raises(MappingError, match="no column 'Course title' \\(for title_en\\)"):
        add_source(session, provider, str(path), None, fetch, options={"mapping": {
            "columns": columns}})
    source = add_source(session, provider, str(path), None, fetch, options={"mapping": MAPPING})
    assert source.format == "csv" and source.options == {"mapping": MAPPING}
    with pytest.raises(ValueError, match="for csv sources"):
        add_source(session, provider, str(path), "xcri-cap", fetch,
                   options={"mapping": MAPPING})


def test_cli_registers_previews_harvests_and_changes_a_mapping(cli, tmp_path):
    assert cli("providers", "add", "state-u", "--name", "State University",
               "--country", "US").exit_code == 0
    feed = spreadsheet(tmp_path, [course("CS", "101", "Programming"),
                                  course("BIO", "300", "Field ecology", credit_hours="TBA")])
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(MAPPING_TOML, "utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text('[columns]\nid = "Code"\ntitel_en = "Name"\n', "utf-8")
    refused = cli("sources", "add", "state-u", feed, "--mapping", bad)
    assert refused.exit_code == 1 and "'titel_en' is not a catalogue column" in refused.output
    added = cli("sources", "add", "state-u", feed, "--mapping", mapping)
    assert added.exit_code == 0, added.output
    source_id = added.output.split()[1].rstrip(":")

    dry = cli("harvest", "--source", source_id, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "row 2:" in dry.output and "CS-101" in dry.output and "3 US-SEMESTER" in dry.output
    assert "added    1" in dry.output and "rejected   1" in dry.output
    report = [line for line in dry.output.splitlines() if "BIO-300" in line and "row 3" in line]
    assert report and "credits" in report[0] and "holds no number" in report[0]
    real = cli("harvest", "--source", source_id)
    assert "added    1" in real.output  # the dry run saved nothing

    shown = cli("sources", "mapping", source_id)
    assert json.loads(shown.output)["columns"]["title_en"] == "Name"
    changed = mapping.read_text().replace('title_en = "Name"', 'title_en = "Description"')
    mapping.write_text(changed, "utf-8")
    assert cli("sources", "mapping", source_id, mapping).exit_code == 0
    assert json.loads(cli("sources", "mapping", source_id).output)["columns"]["title_en"] == \
        "Description"
    lacking = tmp_path / "lacking.toml"
    lacking.write_text(changed.replace('"Description"', '"Course title"'), "utf-8")
    missing = cli("sources", "mapping", source_id, lacking)
    assert missing.exit_code == 1 and "no column 'Course title'" in missing.output
    assert "its columns are: Subject, Number, Name" in missing.output
    removed = cli("sources", "mapping", source_id, "--remove")
    assert "has no column mapping" in removed.output
    again = cli("harvest", "--source", source_id)
    assert "needs an 'id' column" in again.output
