"""OpportunityRecord: one learning opportunity as a harvester hands it to the catalogue.

Plain data, JSON-friendly (dates as ISO strings), so that one content hash decides whether a
re-harvested offer changed. Multilingual text is a ``{language tag: text}`` dict.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields

Text = dict[str, str]


@dataclass
class OpportunityRecord:
    remote_id: str
    title: Text = field(default_factory=dict)
    description: Text = field(default_factory=dict)
    learning_outcomes: dict[str, list[str]] = field(default_factory=dict)
    awarding_body: str | None = None
    awarding_bodies: list[str] = field(default_factory=list)  # all of them (joint awards)
    country: str | None = None
    region: str | None = None
    ects: float | None = None
    credits: list[dict] = field(default_factory=list)  # as stated: {value, scheme, level?}
    workload_hours: float | None = None
    eqf_level: int | None = None
    qf_ehea_cycle: str | None = None
    nqf_level: str | None = None
    assessment_types: list[str] = field(default_factory=list)
    assessment: Text = field(default_factory=dict)
    participation_form: str | None = None
    qa_types: list[str] = field(default_factory=list)
    prerequisites: Text = field(default_factory=dict)
    supervision: str | None = None
    grading: Text = field(default_factory=dict)
    stackability: str | None = None
    stacks_towards: Text = field(default_factory=dict)
    further_info_url: str | None = None
    start_dates: list[str] = field(default_factory=list)
    start_anytime: bool = False
    # each presentation: {start, end, apply_from, apply_until, study_mode, places, venue}
    sessions: list[dict] = field(default_factory=list)
    duration_value: float | None = None
    duration_unit: str | None = None
    languages: list[str] = field(default_factory=list)
    places: list[dict] = field(default_factory=list)  # {city, nuts, country, lat, lon}
    price: float | None = None
    currency: str | None = None
    prices: list[dict] = field(default_factory=list)  # {amount, currency, condition}
    funding: list[str] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    accessibility: Text = field(default_factory=dict)
    isced_f: list[str] = field(default_factory=list)
    subject_codes: list[dict] = field(default_factory=list)  # {scheme, code, label}
    qualification_title: Text = field(default_factory=dict)
    esco_skills: list[str] = field(default_factory=list)
    esco_occupations: list[str] = field(default_factory=list)
    application_url: str | None = None
    application_deadline: str | None = None
    url: str | None = None
    concept_labels: dict[str, Text] = field(default_factory=dict)  # URI -> labels the feed gives
    extras: dict = field(default_factory=dict)

    def content_hash(self) -> str:
        # vars() rather than asdict(): the fields are JSON values already, and this is hot
        blob = json.dumps(vars(self), sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


RECORD_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(OpportunityRecord))
MULTILINGUAL_FIELDS = ("title", "description", "assessment", "prerequisites", "grading",
                       "stacks_towards", "accessibility", "qualification_title")
