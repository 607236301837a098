"""Registering providers and their sources (the CLI and the operator pages use these)."""
from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalogue import vocabularies as vocab
from catalogue.models import Provider, Source
from catalogue.validation import is_web_url

from .base import Fetch, SourceError, registry as formats
from .csv_mapping import check_against_file
from .detect import detect_format

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


def provider_problems(slug: str, country: str, region: str | None,
                      urls: tuple[str | None, ...] = ()) -> list[str]:
    problems = [f"{url!r} is not an http(s) address" for url in urls
                if url and not is_web_url(url)]
    if not SLUG.match(slug):
        problems.append(f"{slug!r} is not a slug (lower-case letters, digits, hyphens)")
    if not vocab.is_country(country.upper()):
        problems.append(f"{country!r} is not an ISO 3166 country code")
    if region and region.upper() not in vocab.get("nuts"):
        problems.append(f"{region!r} is not a NUTS code")
    return problems


def add_provider(session: Session, slug: str, name: dict, country: str, region: str | None,
                 qa_statement: str | None = None, recognition_policy: str | None = None,
                 **fields) -> Provider:
    """Create or update a provider (texts given on the command line are English)."""
    provider = session.scalar(select(Provider).where(Provider.slug == slug)) or Provider(slug=slug)
    session.add(provider)
    provider.name, provider.country, provider.region = name, country, region
    provider.qa_statement = {"en": qa_statement} if qa_statement else provider.qa_statement or {}
    provider.recognition_policy = {"en": recognition_policy} if recognition_policy else \
        provider.recognition_policy or {}
    for key, value in fields.items():
        if value is not None:
            setattr(provider, key, value)
    session.commit()
    return provider


def add_source(session: Session, provider: Provider, location: str, fmt: str | None,
               fetch: Fetch, name: str | None = None, schedule: str | None = None,
               enabled: bool = True, options: dict | None = None) -> Source:
    """Register a feed or file; without a format, read it once and detect the format.
    A column mapping in ``options`` makes it a CSV source, checked against the file's header."""
    data = None
    if options and options.get("mapping"):
        fmt = fmt or "csv"
    if fmt is None:
        data = fetch(location)
        fmt = detect_format(data, location)
        if fmt is None:
            raise SourceError(f"cannot tell the format of {location}: give --format")
    if fmt not in formats.harvesters:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(sorted(formats.harvesters))}")
    source = Source(provider_id=provider.id, location=location, format=fmt,
                    name=name or location.rstrip("/").rsplit("/", 1)[-1][:200],
                    schedule=schedule, enabled=enabled,
                    options={k: v for k, v in (options or {}).items() if k != "mapping"})
    if options and options.get("mapping"):
        set_mapping(source, options["mapping"], fetch, data)
    session.add(source)
    session.commit()
    return source


def set_mapping(source: Source, mapping: dict | None, fetch: Fetch,
                data: bytes | None = None) -> None:
    """Give a CSV source a column mapping (None removes it), checked against the file's header
    so that a column the file lacks is named now rather than at the next harvest."""
    options = dict(source.options or {})
    if mapping is None:
        options.pop("mapping", None)
    elif source.format != "csv":
        raise ValueError(f"a column mapping is for csv sources, not {source.format}")
    else:
        check_against_file(mapping, fetch(source.location) if data is None else data)
        options["mapping"] = mapping
    source.options = options  # a new dict, so the JSON column sees the change
