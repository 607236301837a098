"""Guided search (issue 10): a few plain questions (what to learn, how much time, how to take
part and where, which level, free or funded, when to start) on one GET form whose fields are the
search's own parameters. Answered, the page sends the reader on to the normal search page with
those parameters (the empty ones left out), where each answer is an active filter to change or
remove; an answer the search could not use (a place it does not know) is asked again instead.

Opened with a search's parameters (the search page's link carries them), the form shows those
answers chosen, and keeps the search's other filters as they are. No script, no session: the
address is the whole state.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext as _l, ngettext
from werkzeug.datastructures import MultiDict

from catalogue import vocabularies as vocab

from . import labels, pages, search_service
from .i18n import locale_code

bp = Blueprint("guided", __name__, url_prefix="/<lang>")
bp.url_value_preprocessor(pages.pull_lang)
bp.url_defaults(pages.add_lang)

# How much time, as the most hours of work (hours_max): offers stated in ECTS count 25 to 30 hours
# a credit (indexer.protocol.HOURS_PER_ECTS); "longer, or it does not matter" sets no limit
TIME = {"10": _l("A few hours: up to 10 hours of work"),
        "40": _l("A few days: up to 40 hours of work"),
        "150": _l("A few weeks: up to 150 hours of work")}
RADII = ("10", "25", "50", "100")  # radius_km; none given is search_service.RADIUS_KM
WEEKS = ("2", "4", "8", "12", "26")  # starts_within, as the search page's filter offers
FORMS = ("online", "blended", "onsite")
FREE = ("free",)  # of price: the question asks whether it must be free
# the parameters the questions ask about; a search's other ones are kept as they are
ASKED = ("q", "hours_max", "form", "near", "radius_km", "online", "eqf", "price", "funding",
         "starts_within", "anytime")
# how the search page's active filters name the parameters that are not facets (search.html)
SCALARS = {"ects_min": _l("ECTS at least"), "ects_max": _l("ECTS at most"),
           "hours_min": _l("Hours of work at least"), "start_from": _l("Starts from"),
           "start_to": _l("Starts by"), "updated_since": _l("Added or changed since")}
# parameters refused together: one coordinate without the other is no place, and a start
# from a date later than the weeks ahead allow is before their end
PAIRS = {"lat": ("lat", "lon"), "lon": ("lat", "lon"), "start_to": ("start_to", "starts_within")}


@dataclass
class Choice:
    value: str
    label: str
    explain: str = ""
    checked: bool = False


@dataclass
class Question:
    name: str  # the search parameter the answer is
    legend: str
    kind: str  # "radio", "checkbox", or "place" (a city, a distance, online offers too)
    choices: list[Choice]
    hint: str = ""
    extra: dict = field(default_factory=dict)


def understood(args: MultiDict) -> tuple[MultiDict, set[str]]:
    """The search parameters of ``args`` the search accepts: every known one, trimmed, with
    empty ones, unknown ones and the page number left out; any the search would refuse (an
    unknown code, a range the wrong way round, a place it does not know) dropped. Also the
    names of the parameters that lost something."""
    known = MultiDict([(k, v.strip()) for k, v in args.items(multi=True)
                       if k in pages.KEPT and v.strip()])
    refused = set()
    for name, (valid, _message) in search_service.VALIDATORS.items():  # value by value
        values = [v.upper() if name in ("country", "region") else v
                  for v in known.poplist(name)]
        if not all(valid(v) for v in values):
            refused.add(name)
        if any(valid(v) for v in values):
            known.setlist(name, [v for v in values if valid(v)])
    if len(known.get("q", "")) > search_service.MAX_TEXT:
        known["q"] = known["q"][:search_service.MAX_TEXT]
        refused.add("q")
    for _ in range(len(search_service.PARAMETERS)):  # each round drops at least one parameter
        checked = MultiDict(known)
        checked.poplist("q")  # only its length matters here, not its meaning (no embedding)
        try:
            search_service.parse(checked, locale_code())
            return known, refused
        except search_service.ParamError as error:
            names = {r for p in error.problems for r in PAIRS.get(p["param"], (p["param"],))}
            if not any([known.poplist(name) for name in names]):  # every one, then any
                break  # a problem of no parameter given: keep only the words
            refused |= names
    return MultiDict([("q", known["q"])] if known.get("q") else []), refused | {"?"}


def search_args(answers: MultiDict) -> dict[str, list[str]]:
    """The answers as the search's parameters: a distance or "online offers too" without a
    place is no answer, so it is left out with the empty ones."""
    located = any(answers.get(name) for name in ("near", "lat", "lon"))
    return {k: answers.getlist(k) for k in answers
            if located or k not in ("radius_km", "online")}


def questions(answers: MultiDict) -> list[Question]:
    def chosen(name: str, values) -> list[str]:
        """The values given for ``name`` that are not among the offered ones (shown too)."""
        return [v for v in dict.fromkeys(answers.getlist(name)) if v not in values]

    hours = answers.get("hours_max", "")
    time = [Choice(v, str(label), checked=hours == v) for v, label in TIME.items()]
    time += [Choice(v, f"{gettext('Hours of work at most')}: {v}", checked=True)
             for v in chosen("hours_max", TIME)[:1]]
    time.append(Choice("", gettext("Longer, or it does not matter"), checked=not hours))

    form = [Choice(code, labels.term("participation_forms", code),
                   labels.term_description("participation_forms", code),
                   code in answers.getlist("form"))
            for code in FORMS]

    eqf = vocab.get("eqf")
    level = [Choice(code, labels.eqf(code), labels.term_description("eqf", code),
                    code in answers.getlist("eqf")) for code in eqf.terms]

    price = [Choice("free", str(labels.PRICE_LABELS["free"]),
                    checked="free" in answers.getlist("price"))]
    funding = [Choice(t.code, labels.term("funding", t.code), labels.term_description(
        "funding", t.code), t.code in answers.getlist("funding")) for t in vocab.get("funding")]

    weeks = answers.get("starts_within", "")
    start = [Choice(v, within(v), checked=weeks == v) for v in sorted(
        {*WEEKS, *chosen("starts_within", WEEKS)[:1]}, key=int)]
    start.append(Choice("", gettext("It does not matter"), checked=not weeks))

    radius = answers.get("radius_km", "")
    radii = [Choice("" if v == str(search_service.RADIUS_KM) else v, v,
                    checked=radius == v or (not radius and v == str(search_service.RADIUS_KM)))
             for v in RADII]
    radii += [Choice(v, v, checked=True) for v in chosen("radius_km", RADII)[:1]]

    tick = gettext("Tick any that suit you, or none if it does not matter.")
    return [
        Question("hours_max", gettext("How much time can you give to it in total?"), "radio",
                 time, gettext("Offers stated in ECTS credits count 25 to 30 hours per credit.")),
        Question("form", gettext("How do you want to take part?"), "checkbox", form, tick),
        Question("near", gettext("Near which place?"), "place", [],
                 gettext("Leave the city empty if the place does not matter. Online offers have "
                         "no place: to find them as well, tick “Include online offers”."),
                 {"near": answers.get("near", ""), "radii": radii,
                  "online": answers.get("online") == "include"}),
        Question("eqf", gettext("At which level?"), "checkbox", level,
                 f"{labels.ELEMENTS['level'][1]} {tick}"),
        Question("price", gettext("Does it need to be free, or paid for by funding you can "
                                  "use?"), "checkbox", price,
                 gettext("If you tick “Free” and a kind of funding, only free offers that also "
                         "accept that funding are found."), {"funding": funding}),
        Question("starts_within", gettext("When can you start?"), "radio", start,
                 gettext("Offers you can start at any time are included."),
                 {"anytime": answers.get("anytime") == "1"}),
    ]


def within(weeks: str) -> str:
    return ngettext("Starts within %(num)d week", "Starts within %(num)d weeks", int(weeks))


def kept(answers: MultiDict) -> tuple[list[tuple[str, str]], list[str]]:
    """The search's parameters the questions do not ask about, carried along as they are: as
    (name, value) pairs for the form, and in words, as the search page names its filters."""
    carried = [(k, v) for k, v in answers.items(multi=True)
               if k not in ASKED or (k == "price" and v not in FREE)]
    names = search_service.provider_names(answers.getlist("provider"), locale_code())
    words = []
    for name, value in carried:
        if name in labels.FACET_TITLES:
            words.append(f"{labels.FACET_TITLES[name]}: "
                         f"{labels.facet_value(name, value, names, locale_code())}")
        elif name in SCALARS:
            words.append(f"{SCALARS[name]}: {value}")
    if answers.get("lat") and answers.get("lon"):
        point = ", ".join((answers["lat"], answers["lon"]))
        words.append(gettext("Within %(km)s km of %(place)s", place=point,
                             km=answers.get("radius_km") or search_service.RADIUS_KM))
    return carried, words


@bp.get("/guided")
def guided():
    """The questions; answered (``go``), the search they make, unless the search could not
    use an answer (a place it does not know): then the questions again, saying which."""
    answers, refused = understood(request.args)
    if request.args.get("go") == "1" and not refused:
        return redirect(url_for("pages.search", **search_args(answers)), 303)
    carried, words = kept(answers)
    typed_place = (request.args.get("near") or "").strip()[:100] if "near" in refused else ""
    return render_template("guided.html", answers=answers, questions=questions(answers),
                           carried=carried, kept_words=words, typed_place=typed_place,
                           dropped=bool(refused - {"near"}))
