"""The learncat command: `learncat run`, `learncat demo`, `learncat harvest`, `learncat db upgrade`..."""
from __future__ import annotations

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

from . import create_app, demo as demo_catalogue
from .services import fetcher, services


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
              "oai-pmh; detected from the content when left out")
@click.option("--name")
@click.option("--schedule", help="e.g. daily, weekly")
@click.option("--disabled", is_flag=True)
@with_appcontext
def sources_add(provider_slug, location, fmt, name, schedule, disabled) -> None:
    """Register PROVIDER_SLUG's feed or file at LOCATION."""
    with services().sessions() as session:
        provider = session.scalar(select(Provider).where(Provider.slug == provider_slug))
        if provider is None:
            raise click.ClickException(f"no provider {provider_slug!r}")
        try:
            source = registry.add_source(session, provider, location, fmt, name=name,
                                         schedule=schedule, enabled=not disabled,
                                         fetch=fetcher())
        except (SourceError, ValueError) as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"source {source.id}: {source.format} {source.location}")


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
        grace = timedelta(days=current_app.config["RETIRE_GRACE_DAYS"]) or None
        for source in session.scalars(query).all():
            with click.progressbar(length=0, label=f"{source.provider.slug}: reading",
                                   file=sys.stderr, show_pos=True, show_percent=False) as bar:
                result = runner.run(session, source, dry_run=dry_run, fetch=fetcher(),
                                    retire_grace=grace, progress=bar.update)
            _summary(source, result)
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
