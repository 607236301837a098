"""The learncat command: `learncat run`, `learncat demo`, `learncat harvest`, `learncat db upgrade`..."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import func, select

from catalogue import db as catalogue_db
from catalogue.models import HarvestRun, Opportunity, Source, Status
from harvesters import runner
from indexer import sync
from indexer.protocol import SearchUnavailable

from . import create_app, demo as demo_catalogue
from .services import services


def _app(*_args, **_kwargs):
    return create_app()


@click.group(cls=FlaskGroup, create_app=_app, add_default_commands=True)
def main() -> None:
    """learncat: a catalogue and search portal for short courses and micro-credentials."""


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


@main.command()
@with_appcontext
def demo() -> None:
    """Load the demo catalogue through the real harvester and build the search index."""
    with services().sessions() as session:
        count = demo_catalogue.load(session, services().search, _summary)
    click.echo(f"indexed {count} offers")


@main.command()
@click.option("--source", "source_ids", type=int, multiple=True, help="Source id (repeatable)")
@click.option("--all", "all_sources", is_flag=True, help="Every enabled source")
@click.option("--dry-run", is_flag=True, help="Read and check, change nothing")
@with_appcontext
def harvest(source_ids, all_sources, dry_run) -> None:
    """Harvest sources into the catalogue, then update the search index."""
    if not source_ids and not all_sources:
        raise click.UsageError("give --source ID or --all")
    with services().sessions() as session:
        query = select(Source).where(Source.enabled.is_(True)) if all_sources else \
            select(Source).where(Source.id.in_(source_ids))
        for source in session.scalars(query).all():
            _summary(source, runner.run(session, source, dry_run=dry_run))
        pending = session.scalar(select(func.count()).where(Opportunity.index_pending.is_(True)))
    if pending:  # each harvest commit updates the index; what is left waits for the engine
        click.echo(f"{pending} offers wait for the search index: run `learncat index sync` "
                   "when the engine is back")


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
        for e in run.errors:
            where = f"row {e.position}" if e.position else ""
            click.echo(f"{e.severity.value:<8} {e.stage.value:<9} {e.remote_id or '-':<16} "
                       f"{where:<8} {e.field or '-':<20} {e.message}")


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
                count = sync.rebuild(session, services().search, bar.update)
            except SearchUnavailable as exc:
                raise click.ClickException(str(exc)) from None
    click.echo(f"indexed {count} offers ({current_app.config['SEARCH_BACKEND']})")


@index.command("sync")
@with_appcontext
def index_sync() -> None:
    """Index the offers changed since the last sync."""
    with services().sessions() as session:
        try:
            changed, deleted = sync.sync_pending(session, services().search)
        except SearchUnavailable as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"index: {changed} updated, {deleted} removed")
