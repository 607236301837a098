"""The learncat command: `learncat run`, `learncat demo`, `learncat harvest`, `learncat db upgrade`..."""
from __future__ import annotations

import json
import sys
from datetime import timedelta

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import func, select

from catalogue import db as catalogue_db
from catalogue.models import HarvestRun, Opportunity, Provider, Source, Status
from harvesters import runner
from indexer import sync
from indexer.protocol import SearchUnavailable

from harvesters import registry
from harvesters.base import SourceError
from harvesters.csv_mapping import MappingError, preview, read_mapping_file

from . import create_app, demo as demo_catalogue, opendata
from .services import fetcher, services


def _app(*_args, **_kwargs):
    return create_app()


@click.group(cls=FlaskGroup, create_app=_app, add_default_commands=True)
def main() -> None:
    """learncat: a catalogue and search portal for short courses and micro-credentials."""


@main.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", type=int, help="gunicorn workers (default WEB_CONCURRENCY, or CPUs + 1)")
@click.option("--debug", is_flag=True, help="Flask's development server, reloading on changes")
def run_portal(host: str, port: int, workers: int | None, debug: bool) -> None:
    """Serve the portal with gunicorn, a production server."""
    from .server import serve
    serve(host, port, workers, debug)


@main.group()
def db() -> None:
    """The catalogue database."""


@db.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Migrate the database to the newest schema."""
    catalogue_db.upgrade(services().engine)
    click.echo("database is up to date")


def _summary(source: Source, run: HarvestRun) -> None:
    click.echo(f"{source.provider.slug:<28} {run.status.value:<9} added {run.added:>4}  "
               f"updated {run.updated:>4}  unchanged {run.unchanged:>4}  retired {run.retired:>4}"
               f"  rejected {run.rejected:>3}" + (f"  ({run.message})" if run.message else ""))


@main.group()
def providers() -> None:
    """Providers: who publishes a catalogue."""


@providers.command("add")
@click.argument("slug")
@click.option("--name", required=True, help="Display name (in the provider's language)")
@click.option("--name-lang", default="en", show_default=True)
@click.option("--legal-name")
@click.option("--identifier", help="VAT, eIDAS or Erasmus code")
@click.option("--country", required=True, help="ISO 3166 alpha-2")
@click.option("--region", help="NUTS code")
@click.option("--website")
@click.option("--deqar-id")
@click.option("--qa-statement", help="Quality assurance, in words (English)")
@click.option("--recognition-policy", help="Recognition of other providers' credentials (English)")
@click.option("--recognition-policy-url")
@click.option("--contact-email")
@with_appcontext
def providers_add(slug, name, name_lang, country, region, **fields) -> None:
    """Register a provider (SLUG: lower-case letters, digits and hyphens)."""
    problems = registry.provider_problems(
        slug, country, region, (fields.get("website"), fields.get("recognition_policy_url")))
    if problems:
        raise click.UsageError("; ".join(problems))
    with services().sessions() as session:
        provider = registry.add_provider(session, slug, {name_lang: name}, country.upper(),
                                         region.upper() if region else None, **fields)
        click.echo(f"provider {provider.slug} (id {provider.id})")


@providers.command("list")
@with_appcontext
def providers_list() -> None:
    with services().sessions() as session:
        for p in session.scalars(select(Provider).order_by(Provider.slug)):
            click.echo(f"{p.id:>4}  {p.slug:<32} {p.country or '--'}  {next(iter(p.name.values()), '')}")


@providers.command("show")
@click.argument("slug")
@with_appcontext
def providers_show(slug) -> None:
    with services().sessions() as session:
        p = session.scalar(select(Provider).where(Provider.slug == slug))
        if p is None:
            raise click.ClickException(f"no provider {slug!r}")
        for label, value in (("name", p.name), ("legal name", p.legal_name),
                             ("identifier", p.identifier), ("country", p.country),
                             ("region", p.region), ("website", p.website),
                             ("DEQAR", p.deqar_id), ("QA", p.qa_statement),
                             ("recognition policy", p.recognition_policy),
                             ("recognition policy URL", p.recognition_policy_url),
                             ("contact", p.contact_email)):
            click.echo(f"{label + ':':<24} {value if value else '-'}")
        for source in p.sources:
            last = source.runs[0] if source.runs else None
            click.echo(f"source {source.id}: {source.format} {source.location} "
                       f"{'enabled' if source.enabled else 'disabled'}; last run: "
                       f"{last.status.value + ' ' + last.started_at.isoformat() if last else 'never'}")


@main.group()
def sources() -> None:
    """Sources: a provider's feed URL or file."""


@sources.command("add")
@click.argument("provider_slug")
@click.argument("location")
@click.option("--format", "fmt", help="csv, xcri-cap, elm-jsonld, elm-loq-xml, schemaorg, "
              "oai-pmh, lheo, ctdl; detected from the content when left out")
@click.option("--name")
@click.option("--schedule", help="e.g. daily, weekly")
@click.option("--disabled", is_flag=True)
@click.option("--mapping", "mapping_file", type=click.Path(exists=True, dir_okay=False),
              help="A CSV/XLSX file's own columns: a column mapping file (TOML or JSON)")
@with_appcontext
def sources_add(provider_slug, location, fmt, name, schedule, disabled, mapping_file) -> None:
    """Register PROVIDER_SLUG's feed or file at LOCATION."""
    with services().sessions() as session:
        provider = session.scalar(select(Provider).where(Provider.slug == provider_slug))
        if provider is None:
            raise click.ClickException(f"no provider {provider_slug!r}")
        try:
            options = {"mapping": read_mapping_file(mapping_file)} if mapping_file else None
            source = registry.add_source(session, provider, location, fmt, name=name,
                                         schedule=schedule, enabled=not disabled,
                                         fetch=fetcher(), options=options)
        except (SourceError, ValueError) as exc:
            raise click.ClickException(_problem(exc)) from None
        click.echo(f"source {source.id}: {source.format} {source.location}")


def _problem(exc: Exception) -> str:
    """A column mapping's problems one a line; other errors as they are."""
    if isinstance(exc, MappingError):
        return "\n  - ".join(["the column mapping cannot be used:", *exc.problems])
    return str(exc)


@sources.command("mapping")
@click.argument("source_id", type=int)
@click.argument("mapping_file", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--remove", is_flag=True, help="Read the file as the CSV template again")
@with_appcontext
def sources_mapping(source_id, mapping_file, remove) -> None:
    """Show, set (MAPPING_FILE) or --remove a CSV source's column mapping."""
    with services().sessions() as session:
        source = session.get(Source, source_id)
        if source is None:
            raise click.ClickException(f"no source {source_id}")
        if mapping_file or remove:
            try:
                mapping = None if remove else read_mapping_file(mapping_file)
                registry.set_mapping(source, mapping, fetcher())
            except (SourceError, ValueError) as exc:
                raise click.ClickException(_problem(exc)) from None
            session.commit()
        mapping = (source.options or {}).get("mapping")
        click.echo(json.dumps(mapping, ensure_ascii=False, indent=2) if mapping else
                   f"source {source_id} has no column mapping")


@sources.command("list")
@with_appcontext
def sources_list() -> None:
    with services().sessions() as session:
        for s in session.scalars(select(Source).order_by(Source.id)):
            last = s.runs[0] if s.runs else None
            click.echo(f"{s.id:>4}  {s.provider.slug:<28} {s.format:<12} "
                       f"{'on ' if s.enabled else 'off'} {last.status.value if last else 'never':<10} "
                       f"{s.location}")


@main.command()
@with_appcontext
def demo() -> None:
    """Load the demo catalogue through the real harvester and build the search index."""
    with services().sessions() as session:
        count = demo_catalogue.load(session, services().search, _summary,
                                     encoder=services().encoder)
    click.echo(f"indexed {count} offers")
    _open_data()


@main.command()
@click.option("--source", "source_ids", type=int, multiple=True, help="Source id (repeatable)")
@click.option("--all", "all_sources", is_flag=True, help="Every enabled source")
@click.option("--dry-run", is_flag=True, help="Read and check, change nothing; print the "
              "report, and a mapped spreadsheet's first rows")
@with_appcontext
def harvest(source_ids, all_sources, dry_run) -> None:
    """Harvest sources into the catalogue, then update the search index."""
    if not source_ids and not all_sources:
        raise click.UsageError("give --source ID or --all")
    with services().sessions() as session:
        query = select(Source).where(Source.enabled.is_(True)) if all_sources else \
            select(Source).where(Source.id.in_(source_ids))
        grace = timedelta(days=current_app.config["RETIRE_GRACE_DAYS"]) or None
        chosen = session.scalars(query).all()
        missing = sorted(set(source_ids) - {s.id for s in chosen})
        if missing:
            raise click.ClickException(
                f"no source {', '.join(map(str, missing))}: `learncat sources` lists them")
        runner.close_abandoned_runs(session)
        for source in chosen:
            try:
                with click.progressbar(length=0, label=f"{source.provider.slug}: reading",
                                       file=sys.stderr, show_pos=True, show_percent=False) as bar:
                    result = runner.run(session, source, dry_run=dry_run, fetch=fetcher(),
                                        retire_grace=grace, progress=bar.update,
                                        deadline=current_app.config["HARVEST_DEADLINE"])
            except runner.SourceBusy as exc:
                click.echo(f"{source.provider.slug}: {exc}")
                continue
            except Exception as exc:  # the database failed under the run: say so, go on
                session.rollback()
                click.echo(f"{source.provider.slug}: the harvest stopped: {runner.one_line(exc)}",
                           err=True)
                continue
            _summary(source, result)
            if dry_run:
                _preview(source)
                _report(result)
        pending = session.scalar(select(func.count()).where(Opportunity.index_pending.is_(True)))
    if pending:  # each harvest commit updates the index; what is left waits for the engine
        click.echo(f"{pending} offers wait for the search index: run `learncat index sync` "
                   "when the engine is back")
    if not dry_run:
        _open_data()


@main.command("open-data")
@click.option("--force", is_flag=True, help="Even when the catalogue has not changed")
@with_appcontext
def open_data(force) -> None:
    """Make the open-data files again (after each harvest this happens by itself)."""
    _open_data(force)


def _open_data(force: bool = False) -> None:
    made = opendata.refresh(current_app._get_current_object(), force=force)
    if made:
        click.echo(f"open data: {made['offers']} offers in {opendata.folder()} ({made['made']})")
    else:
        click.echo("open data: not made (another process is making it, or it failed: see the "
                   "log)", err=True)


@main.command("harvest-report")
@click.argument("source_id", type=int)
@with_appcontext
def harvest_report(source_id: int) -> None:
    """The last run's errors and warnings for a source."""
    with services().sessions() as session:
        run = session.scalar(select(HarvestRun).where(HarvestRun.source_id == source_id)
                             .order_by(HarvestRun.id.desc()).limit(1))
        if run is None:
            raise click.ClickException(f"source {source_id} has not been harvested")
        click.echo(f"run {run.id}: {run.status.value} {run.message or ''}")
        _report(run)


def _report(run: HarvestRun) -> None:
    """A run's errors and warnings, one a line: severity, stage, record, row, field, problem."""
    for e in run.errors:
        where = f"row {e.position}" if e.position else ""
        click.echo(f"{e.severity.value:<8} {e.stage.value:<9} {e.remote_id or '-':<16} "
                   f"{where:<8} {e.field or '-':<20} {e.message}")


def _preview(source: Source, rows: int = 3) -> None:
    """A mapped source's first rows as the mapping makes them (column -> value)."""
    if not (source.options or {}).get("mapping"):
        return
    try:
        for position, cells in preview(source, fetcher(), rows):
            click.echo(f"row {position}:")
            for column, value in cells.items():
                click.echo(f"    {column:<24} {value}")
    except SourceError:
        pass  # the dry run's summary above says why the file cannot be read


@main.group()
def index() -> None:
    """The search index."""


@index.command("rebuild")
@with_appcontext
def index_rebuild() -> None:
    """Rebuild the search index from the catalogue."""
    with services().sessions() as session:
        total = session.scalar(select(func.count()).where(Opportunity.status == Status.ACTIVE))
        with click.progressbar(length=total, label="indexing", file=sys.stderr) as bar:
            try:
                count = sync.rebuild(session, services().search, bar.update, services().encoder)
            except SearchUnavailable as exc:
                raise click.ClickException(str(exc)) from None
    click.echo(f"indexed {count} offers ({current_app.config['SEARCH_BACKEND']})")


@index.command("sync")
@with_appcontext
def index_sync() -> None:
    """Index the offers changed since the last sync."""
    with services().sessions() as session:
        try:
            changed, deleted = sync.sync_pending(session, services().search, services().encoder)
        except SearchUnavailable as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"index: {changed} updated, {deleted} removed")
