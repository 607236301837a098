"""What the pages and the API both need: loading an opportunity and describing it."""
from __future__ import annotations

from dataclasses import asdict
from datetime import timezone

from flask import abort, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from catalogue.models import Opportunity, Provider
from catalogue.validation import MANDATORY, OPTIONAL, element_present, validate
from indexer.concepts import suggest_skills

from .services import session


def opportunity_or_404(opportunity_id: int) -> Opportunity:
    row = session().scalar(select(Opportunity).options(selectinload(Opportunity.provider))
                           .where(Opportunity.id == opportunity_id))
    if row is None:
        abort(404)
    return row


def provider_or_404(slug: str) -> Provider:
    row = session().scalar(select(Provider).where(Provider.slug == slug))
    if row is None:
        abort(404)
    return row


def opportunity_json(o: Opportunity) -> dict:
    record = o.to_record()
    check = validate(record)
    data = asdict(record)
    data["derived"] = data.pop("extras").get("derived", {})  # values learncat converted
    data["provider_url"] = data.pop("url")  # the offer on the provider's site; url: learncat's
    return {
        "id": o.id,
        "status": o.status.value,
        **data,
        "url": url_for("pages.opportunity", opportunity_id=o.id, _external=True),
        "suggested_esco_skills": [] if o.esco_skills else suggest_skills(o.learning_outcomes),
        "provider": provider_json(o.provider),
        "annex_i": {
            "mandatory": {e: element_present(record, e) for e in MANDATORY},
            "optional": {e: element_present(record, e) for e in OPTIONAL},
            "completeness": {"stated": len(check.present), "of": len(MANDATORY)},
        },
        # SQLite gives back naive datetimes; they are UTC, and RFC 3339 wants the offset said
        "updated_at": o.updated_at.replace(tzinfo=o.updated_at.tzinfo or timezone.utc).isoformat(),
    }


def provider_json(p: Provider) -> dict:
    return {
        "slug": p.slug, "name": p.name, "legal_name": p.legal_name, "identifier": p.identifier,
        "country": p.country, "region": p.region, "website": p.website, "deqar_id": p.deqar_id,
        "qa_statement": p.qa_statement, "recognition_policy": p.recognition_policy,
        "recognition_policy_url": p.recognition_policy_url,
        "url": url_for("pages.provider", slug=p.slug, _external=True),
    }


def elm_items(offers, lang: str):
    """``(offer, provider, uri, page)`` for catalogue.elm_export: each offer named by its ELM
    export's address, so a search's, a dump's and the single offer's documents agree."""
    uri = _address_of("api.opportunity_elm")
    page = _address_of("pages.opportunity", lang=lang)
    for o in offers:
        yield o, o.provider, uri(o.id), page(o.id)


def _address_of(endpoint: str, **values):
    """url_for(endpoint, opportunity_id=...) for many ids: built once (url_for costs about a
    quarter of a millisecond, a hundred thousand times), the id put in as text."""
    marker = 987654321987654321
    template = url_for(endpoint, opportunity_id=marker, _external=True, **values)
    head, tail = template.split(str(marker))
    return lambda opportunity_id: f"{head}{opportunity_id}{tail}"
