"""The learncat command, run as an operator would."""
import pytest

from portal import create_app
from portal.cli import main
from tests.conftest import ROOT, offer, write_csv


def test_register_harvest_and_report(cli, tmp_path):
    assert cli("providers", "add", "riga-it", "--name", "Riga IT School", "--country", "LV",
               "--region", "LV006", "--recognition-policy", "We recognise ECTS").exit_code == 0
    feed = write_csv(tmp_path / "feed.csv", [offer("R1", title_en="Network administration"),
                                             offer("R2", eqf_level="nine")])
    added = cli("sources", "add", "riga-it", str(feed))  # format detected
    assert added.exit_code == 0 and "source 1: csv" in added.output
    harvested = cli("harvest", "--all")
    assert harvested.exit_code == 0
    assert "partial" in harvested.output and "added    1" in harvested.output
    report = cli("harvest-report", "1")
    assert "R2" in report.output and "eqf_level" in report.output and "row 3" in report.output
    shown = cli("providers", "show", "riga-it")
    assert "LV006" in shown.output and "last run: partial" in shown.output
    assert "riga-it" in cli("sources", "list").output
    dry = cli("harvest", "--source", "1", "--dry-run")
    assert dry.exit_code == 0 and "unchanged    1" in dry.output


def test_bad_input_is_a_clear_error(cli):
    bad = cli("providers", "add", "Not A Slug", "--name", "x", "--country", "ZZ")
    assert bad.exit_code == 2 and "not a slug" in bad.output and "country code" in bad.output
    assert cli("sources", "add", "nobody", "x.csv").exit_code == 1
    script = cli("providers", "add", "p0", "--name", "P", "--country", "DE",
                 "--website", "javascript:alert(1)")
    assert script.exit_code == 2 and "not an http(s) address" in script.output
    cli("providers", "add", "p1", "--name", "P", "--country", "DE")
    refused = cli("sources", "add", "p1", "http://169.254.169.254/latest")
    assert refused.exit_code == 1 and "internal address" in refused.output
    unknown = cli("sources", "add", "p1", str(ROOT / "README.md"))
    assert unknown.exit_code == 1 and "cannot tell the format" in unknown.output
    assert cli("harvest").exit_code == 2  # neither --source nor --all
    assert "has not been harvested" in cli("harvest-report", "42").output


@pytest.mark.parametrize("grace_days, still_active", [(0, False), (30, True)])
def test_retire_grace_days_keeps_a_missing_record_for_that_long(tmp_path, grace_days, still_active):
    from sqlalchemy import select

    from catalogue.models import Opportunity, Status
    from portal.services import services
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite'}",
                      "SEARCH_SQLITE_PATH": str(tmp_path / "s.sqlite"), "ENCODER": "none",
                      "FETCH_CACHE_DIR": str(tmp_path / "cache"), "RETIRE_GRACE_DAYS": grace_days})
    runner = app.test_cli_runner()
    cli = lambda *args: runner.invoke(main, args=list(args))  # noqa: E731
    cli("providers", "add", "p1", "--name", "P", "--country", "DE")
    feed = write_csv(tmp_path / "feed.csv", [offer("R1"), offer("R2")])
    cli("sources", "add", "p1", str(feed))
    assert cli("harvest", "--all").exit_code == 0
    write_csv(feed, [offer("R1")])  # R2 left the feed today
    assert cli("harvest", "--all").exit_code == 0
    with app.app_context(), services().sessions() as s:
        status = s.scalar(select(Opportunity.status).where(Opportunity.remote_id == "R2"))
    assert (status is Status.ACTIVE) is still_active


def test_harvest_all_reaches_every_source_when_one_fails(cli, tmp_path):
    cli("providers", "add", "p1", "--name", "P", "--country", "DE")
    broken = write_csv(tmp_path / "broken.csv", [offer("B1")])
    good = write_csv(tmp_path / "good.csv", [offer("G1"), offer("G2")])
    assert cli("sources", "add", "p1", str(broken)).exit_code == 0
    assert cli("sources", "add", "p1", str(good)).exit_code == 0
    broken.write_bytes(b"[" * 5000)  # unreadable now: nested far too deep, and no CSV
    harvested = cli("harvest", "--all")
    assert harvested.exit_code == 0 and "Traceback" not in harvested.output
    assert "failed" in harvested.output and "added    2" in harvested.output
    statuses = [line.split()[4] for line in cli("sources", "list").output.splitlines()]
    assert statuses == ["failed", "succeeded"]


def test_harvesting_a_source_that_does_not_exist_says_so(cli):
    result = cli("harvest", "--source", 999)
    assert result.exit_code != 0 and "no source 999" in result.output
