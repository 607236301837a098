"""The one search service behind the search page, the JSON API and the provider pages.

It parses request parameters into a SearchQuery (a bad value is a ParamError, answered with 400),
calls the configured backend and labels the result in the reader's language.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from catalogue import vocabularies as vocab
from catalogue.models import Provider
from indexer import places
from indexer.concepts import label_index
from indexer.protocol import (ECTS_RANGES, FACETS, SORTS, Concepts, Near, SearchQuery,
                              SearchResult)

from . import labels
from .i18n import pick
from .clock import today
from .services import services, session

MAX_TEXT = 200
MAX_PAGE = 500
MAX_PER_PAGE = 100
PER_PAGE = 20
EQF_LEVELS = tuple(str(level) for level in range(1, 9))
PRICE_CLASSES = ("free", "paid")
RADIUS_KM = 25  # a place named in the words: offers within this distance
MAX_RADIUS_KM = 1000
MAX_WEEKS = 104  # starts_within: up to two years ahead
CLOSEST = 10  # offers shown, labelled as the closest, when nothing matches well
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
SORT_LABELS = {"relevance": _l("Relevance"), "start": _l("Start date, soonest first"),
               "ects": _l("ECTS, fewest first"), "-ects": _l("ECTS, most first"),
               "title": _l("Title, A to Z"), "-updated": _l("Recently added or changed first")}
# Words of a query that name a form of participation, read as the filter (EN DE FR ES IT NL PL PT)
FORM_WORDS = {
    "online": "online", "e-learning": "online", "fernunterricht": "online", "en ligne": "online",
    "en línea": "online", "a distanza": "online", "zdalnie": "online", "à distância": "online",
    "onsite": "onsite", "on-site": "onsite", "on site": "onsite", "in person": "onsite",
    "präsenz": "onsite", "présentiel": "onsite", "presencial": "onsite", "in presenza": "onsite",
    "blended": "blended", "hybrid": "blended", "hybride": "blended", "híbrido": "blended",
    "semipresencial": "blended", "ibrido": "blended",
}
EQF_WORDS = re.compile(r"\b(?:eqf|level|niveau|nivel|livello|poziom|stufe)\s*-?\s*([1-8])\b", re.I)


class ParamError(ValueError):
    """Request parameters that cannot be searched with; each problem names its parameter."""

    def __init__(self, problems: list[dict]):
        super().__init__("; ".join(f"{p['param']}: {p['message']}" for p in problems))
        self.problems = problems


@dataclass
class Interpretation:
    """Filters read out of the words ("data analysis online EQF 6", "welding Munich"), shown
    to the user."""
    text: str
    filters: dict[str, list[str]] = field(default_factory=dict)
    place: places.Place | None = None


def interpret(text: str, find_place: bool = True) -> Interpretation:
    """The filters and the city the words name, and the words without them. Read again until
    nothing more is found ("on online site" leaves "on site" behind), so that the words left
    name no filter: a link that writes the filters out is the same search. No city is taken
    from the words when the search gives one (``find_place``): the words then stay words."""
    filters: dict[str, list[str]] = {}
    place = None
    while True:
        before = text
        for match in EQF_WORDS.finditer(text):
            filters.setdefault("eqf", []).append(match[1])
        text = EQF_WORDS.sub(" ", text)
        for phrase, form in sorted(FORM_WORDS.items(), key=lambda kv: -len(kv[0])):
            pattern = re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)", re.I)
            if pattern.search(text):
                filters.setdefault("form", []).append(form)
                text = pattern.sub(" ", text)
        if find_place and place is None:
            place, text = places.find_place(text)
        text = " ".join(re.sub(r"[,;]+(\s|$)", " ", text).split())
        if text == before:
            return Interpretation(text, {k: sorted(set(v)) for k, v in filters.items()}, place)


def _facet_validator(name: str):
    if name == "eqf":
        return set(EQF_LEVELS).__contains__, _l("must be a level from 1 to 8")
    if name == "ects":
        codes = {code for code, _, _ in ECTS_RANGES}
        return codes.__contains__, _l("must be one of %(codes)s", codes=", ".join(sorted(codes)))
    if name == "country":
        return lambda v: vocab.is_country(v), _l("must be an ISO 3166 country code")
    if name == "language":
        return lambda v: vocab.is_language(v), _l("must be an ISO 639-1 language code")
    if name == "provider":
        return lambda v: bool(SLUG.match(v)), _l("is not a provider identifier")
    if name == "price":
        return set(PRICE_CLASSES).__contains__, _l("must be free or paid")
    vocabulary = vocab.get(labels.FACET_VOCABULARY[name])
    return vocabulary.__contains__, _l("is not a known code")


VALIDATORS = {name: _facet_validator(name) for name in FACETS}
# every parameter a search reads (the page, the API and the links built from a search)
PARAMETERS = ("q", "literal", *FACETS, "ects_min", "ects_max", "hours_min", "hours_max",
              "start_from", "start_to", "near", "lat", "lon", "radius_km", "online",
              "starts_within", "anytime", "updated_since", "sort", "page", "per_page")


def parse(args: MultiDict, locale: str) -> tuple[SearchQuery, Interpretation | None]:
    problems: list[dict] = []

    def problem(param: str, message) -> None:
        problems.append({"param": param, "message": str(message)})

    text = (args.get("q") or "").strip()
    if len(text) > MAX_TEXT:
        problem("q", gettext("is longer than %(max)d characters", max=MAX_TEXT))
        text = text[:MAX_TEXT]
    filters: dict[str, list[str]] = {}
    for name in FACETS:
        values = [v.strip() for v in args.getlist(name) if v.strip()]
        if name == "country":
            values = [v.upper() for v in values]
        if name == "region":
            values = [v.upper() for v in values]
        valid, message = VALIDATORS[name]
        for value in values:
            if not valid(value):
                problem(name, f"{value!r} {message}")
        if values:
            filters[name] = sorted(set(values))
    interpretation = None
    if text and args.get("literal") != "1":
        located = any((args.get(key) or "").strip() for key in ("near", "lat", "lon"))
        interpretation = interpret(text, find_place=not located)
        if interpretation.filters or interpretation.place:
            text = interpretation.text
            for name, values in interpretation.filters.items():
                filters[name] = sorted(set(filters.get(name, [])) | set(values))
        else:
            interpretation = None
    ects_min = _number(args, "ects_min", problem)
    ects_max = _number(args, "ects_max", problem)
    if ects_min is not None and ects_max is not None and ects_min > ects_max:
        problem("ects_max", gettext("is smaller than ects_min"))
    hours_min, hours_max = (_number(args, name, problem, gettext(
        "%(value)r is not a number of hours", value=args.get(name))) for name in (
        "hours_min", "hours_max"))
    if hours_min is not None and hours_max is not None and hours_min > hours_max:
        problem("hours_max", gettext("is smaller than hours_min"))
    start_from = _date(args, "start_from", problem)
    start_to = _date(args, "start_to", problem)
    weeks = _integer(args, "starts_within", 1, MAX_WEEKS, None, problem)
    if weeks:  # from today to N weeks ahead, within any dates also given
        soonest, latest = today(), today() + dt.timedelta(weeks=weeks)
        start_from = max(start_from or soonest, soonest)
        start_to = min(start_to or latest, latest)
    if start_from and start_to and start_from > start_to:
        problem("start_to", gettext("is before start_from"))
    anytime = (args.get("anytime") or "").strip()
    if anytime not in ("", "1"):
        problem("anytime", gettext("must be 1 or left out"))
    updated_since = _moment(args, "updated_since", problem)
    sort = args.get("sort") or "relevance"
    if sort not in SORTS:
        problem("sort", gettext("must be one of %(sorts)s", sorts=", ".join(SORTS)))
    page = _integer(args, "page", 1, MAX_PAGE, 1, problem)
    per_page = _integer(args, "per_page", 1, MAX_PER_PAGE, PER_PAGE, problem)
    near = _near(args, interpretation.place if interpretation else None, problem)
    if problems:
        raise ParamError(problems)
    concepts = bridge(text) if text and args.get("literal") != "1" else Concepts()
    query = SearchQuery(text=text, filters={k: tuple(v) for k, v in filters.items()},
                        ects_min=ects_min, ects_max=ects_max, hours_min=hours_min,
                        hours_max=hours_max, start_from=start_from,
                        start_to=start_to, start_anytime=anytime == "1",
                        updated_since=updated_since, sort=sort, page=page, per_page=per_page,
                        locale=locale, concepts=concepts, near=near,
                        **meaning(text, locale))
    return query, interpretation


def meaning(text: str, locale: str | None = None) -> dict:
    """The words' corrections (in the reader's language too), embedding and similarity floor
    (see portal.understanding)."""
    if not text:
        return {}
    from .understanding import understanding
    known = understanding()
    corrections = known.corrections(text, locale)
    fields: dict = {"corrections": corrections}
    vector = known.vector(text, corrections)
    floors = known.floors(vector) if vector is not None else None
    if floors is not None:
        fields.update(vector=tuple(float(x) for x in vector), vector_floor=floors[0],
                      good_floor=floors[1])
    return fields


def _near(args, named: places.Place | None, problem) -> Near | None:
    """near=<city> or lat/lon, with radius_km; a city named in the words otherwise."""
    message = gettext("must be a distance from 1 to %(max)d km", max=MAX_RADIUS_KM)
    radius = _number(args, "radius_km", problem, message)
    if radius is not None and not 0 < radius <= MAX_RADIUS_KM:
        problem("radius_km", message)
        return None
    include_online = args.get("online") == "include"
    place = named
    if (args.get("near") or "").strip():
        place = places.lookup(args["near"].strip()[:100])
        if place is None:
            problem("near", gettext("%(value)r is not a place we know", value=args["near"][:100]))
            return None
    if (args.get("lat") or "").strip() or (args.get("lon") or "").strip():
        lat, lon = _coordinate(args, "lat", 90, problem), _coordinate(args, "lon", 180, problem)
        if lat is None or lon is None:
            return None
        return Near(lat, lon, radius or RADIUS_KM, include_online, f"{lat:.4f}, {lon:.4f}")
    if place is None:
        return None
    return Near(place.lat, place.lon, radius or RADIUS_KM, include_online, place.name)


def _coordinate(args, name: str, limit: float, problem) -> float | None:
    raw = (args.get(name) or "").strip()
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > limit:
        problem(name, gettext("must be a number from -%(limit)d to %(limit)d", limit=limit))
        return None
    return value


def bridge(text: str) -> Concepts:
    """ESCO and ISCED-F concepts the words name, in any of their labels' languages."""
    config = current_app.config
    if not config["CONCEPT_BRIDGING"]:
        return Concepts()
    index = label_index(config["BABEL_TRANSLATION_DIRECTORIES"])
    return index.query(text, set(config["LANGUAGES"]) | {"en", "fr", "es"})


def _number(args, name, problem, message=None) -> float | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        problem(name, message or gettext("%(value)r is not a number of credits", value=raw))
        return None
    return value


def parse_int(args, name: str, low: int, high: int, default: int) -> int:
    """One whole-number parameter; a ParamError when it is not one in [low, high]."""
    problems: list[dict] = []
    value = _integer(args, name, low, high, default,
                     lambda param, message: problems.append({"param": param, "message": message}))
    if problems:
        raise ParamError(problems)
    return value


def _integer(args, name, low, high, default, problem) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw) or not low <= int(raw) <= high:  # 5,000 digits too
        problem(name, gettext("must be a whole number from %(low)d to %(high)d", low=low, high=high))
        return default
    return int(raw)


def _date(args, name, problem) -> dt.date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        problem(name, gettext("%(value)r is not a date (YYYY-MM-DD)", value=raw))
        return None


def _moment(args, name, problem) -> dt.datetime | None:
    """A date or an ISO 8601 date and time; without a zone it is UTC."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        if len(raw) > 35:  # the longest: 2026-12-02T10:30:00.123456+01:00
            raise ValueError(raw)
        moment = dt.datetime.fromisoformat(raw)
        moment = moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment
        return moment.astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):  # not a moment, or beyond the calendar in UTC
        problem(name, gettext("%(value)r is not a date or a date and time (ISO 8601)",
                              value=raw[:40]))
        return None


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Page:
    query: SearchQuery
    result: SearchResult
    interpretation: Interpretation | None
    facets: dict[str, list[FacetValue]]
    closest: bool = False  # nothing matched well: the hits are the closest offers, so labelled
    # the search as parameters, with what was read from the words written out (explicit_args)
    args: MultiDict = field(default_factory=MultiDict)

    @property
    def suggestion(self) -> str | None:
        """The words with their likely corrections ("Did you mean ...?")."""
        fixes = self.query.corrections
        if not fixes:
            return None
        return " ".join(fixes.get(w.casefold(), w) for w in self.query.text.split())

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.result.total / self.query.per_page))


def provider_names(slugs, locale: str) -> dict[str, str]:
    """The names of the providers a page lists (not of every provider: a page costs less)."""
    slugs = sorted(set(slugs))
    return {slug: str(pick(name, locale)) for slug, name in session().execute(
        select(Provider.slug, Provider.name).where(Provider.slug.in_(slugs)))} if slugs else {}


def search(args: MultiDict, locale: str) -> Page:
    query, interpretation = parse(args, locale)
    result = services().search.search(query)
    closest = result.matches_well is False and result.total > 0  # loosely related: say so
    if result.total == 0 and query.vector is not None and query.page == 1:
        # no dead ends: the offers nearest in meaning, under the same filters
        nearest = services().search.search(dataclasses.replace(
            query, retrieval="vector", vector_floor=-1.0, per_page=CLOSEST))
        if nearest.hits:
            result, closest = SearchResult(0, nearest.hits, result.facets), True
    names = provider_names([*dict(result.facets.get("provider", [])),
                            *query.filters.get("provider", ())], locale)
    facets = {}
    for name in FACETS:
        selected = set(query.filters.get(name, ()))
        counts = dict(result.facets.get(name, []))
        for value in selected:
            counts.setdefault(value, 0)  # a selected value stays visible, to be removed
        values = [FacetValue(v, labels.facet_value(name, v, names, locale), c, v in selected)
                  for v, c in counts.items()]
        if name == "isced":  # broad fields only, unless narrower ones were chosen
            values = [v for v in values if len(v.value) == 2 or v.selected]
        if name == "region":
            values = [v for v in values if len(v.value) == 4 or v.selected]
        values.sort(key=_facet_order(name))
        facets[name] = values
    return Page(query, result, interpretation, facets, closest,
                explicit_args(args, interpretation))


def explicit_args(args: MultiDict, interpretation: Interpretation | None) -> MultiDict:
    """The parameters with the filters read from the words written out and the words without
    them ("data online, EQF 6" -> q=data&form=online&eqf=6). Links and forms built from these
    change one filter and keep the others: the words no longer name a removed filter, so it
    cannot come back, and no link has to fall back on a literal search."""
    if interpretation is None:
        return args
    explicit = MultiDict(args)
    explicit.setlist("q", [interpretation.text] if interpretation.text else [])
    for name, values in interpretation.filters.items():
        given = explicit.getlist(name)
        for value in values:
            if value not in given:
                explicit.add(name, value)
    located = any((args.get(key) or "").strip() for key in ("near", "lat", "lon"))
    place = interpretation.place
    if place and not located:  # a city named in the words, unless one was given
        if places.lookup(place.name) == place:
            explicit["near"] = place.name
        else:  # a name that is another, larger city's too ("Salamanca"): where it is
            explicit["lat"], explicit["lon"] = str(place.lat), str(place.lon)
    return explicit


def _facet_order(name: str):
    if name == "ects":
        codes = [code for code, _, _ in ECTS_RANGES]
        return lambda v: codes.index(v.value) if v.value in codes else len(codes)
    if name in ("eqf", "isced", "price"):
        return lambda v: v.value
    return lambda v: (-v.count, v.label)
