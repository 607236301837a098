"""Offers side by side: one row per Annex I element and per practical fact, one cell per offer.

The cells say what the offer page says, with the same labels (portal.labels) and the same
words for what is missing, as plain values, so that whether a row differs is a comparison of
values and not of markup. A row differs when its cells do not all say the same.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext

from catalogue.models import Opportunity
from catalogue.validation import MANDATORY, OPTIONAL, element_present

from .. import i18n, labels

MAX_OFFERS = 4
MIN_OFFERS = 2


@dataclass(frozen=True)
class Cell:
    text: str = ""
    items: tuple[str, ...] = ()  # values shown as a list (after the text, if any)
    lang: str = ""  # the language of the items, else of the text, when not the reader's
    href: str = ""  # the text is this address
    missing: bool = False  # an element the provider did not state

    @property
    def value(self) -> tuple:
        return (self.missing, self.text, self.items)


@dataclass
class Row:
    key: str
    label: str
    explanation: str = ""
    cells: list[Cell] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        return len({cell.value for cell in self.cells}) > 1


def localised(texts: dict | None) -> Cell:
    text = i18n.pick(texts)
    return Cell(str(text), lang=text.lang if text.foreign else "")


def joined(codes, vocabulary: str) -> str:
    return ", ".join(labels.term(vocabulary, code) for code in codes or ())


def workload(ects, hours) -> str:
    if ects is not None:
        text = gettext("%(n)s ECTS", n=i18n.number(ects))
        return text if hours is None else f"{text} ({gettext('%(n)s hours', n=i18n.number(hours))})"
    return gettext("%(n)s hours", n=i18n.number(hours)) if hours is not None else ""


def price(amount, currency) -> str:
    if amount == 0:
        return gettext("Free")
    return i18n.money(amount, currency)


def starts(o: Opportunity) -> str:
    if o.start_anytime:
        return gettext("Start any time")
    return ", ".join(i18n.date(d) for d in o.start_dates or ())


def element(o: Opportunity, name: str) -> Cell:
    """A mandatory or optional Annex I element's value, as opportunity.html shows it."""
    record = o.to_record()
    if not element_present(record, name):
        return Cell(gettext("Not stated by the provider"), missing=True)
    if name == "country":
        region = f", {labels.term('nuts', o.region)}" if o.region else ""
        return Cell(i18n.country(o.country) + region)
    if name == "awarding_body":
        return Cell(items=tuple(o.awarding_bodies)) if len(o.awarding_bodies or ()) > 1 \
            else Cell(o.awarding_body or "")
    if name == "learning_outcomes":
        chosen = i18n.pick(o.learning_outcomes)
        return Cell(items=tuple(o.learning_outcomes[chosen.lang]),
                    lang=chosen.lang if chosen.foreign else "")
    if name == "workload":
        return Cell(workload(o.ects, o.workload_hours))
    if name == "level":
        parts = [labels.eqf(o.eqf_level)]
        if o.qf_ehea_cycle:
            parts.append(gettext("QF-EHEA: %(cycle)s",
                                 cycle=labels.term("qf_ehea_cycles", o.qf_ehea_cycle)))
        if o.nqf_level:
            parts.append(gettext("National framework: %(level)s", level=o.nqf_level))
        return Cell(items=tuple(parts)) if len(parts) > 1 else Cell(parts[0])
    if name == "assessment":
        types = joined(o.assessment_types, "assessment_types")
        free = localised(o.assessment) if o.assessment else Cell()
        if types and free.text:  # the provider's words, in their language, below the types
            return Cell(types, items=(free.text,), lang=free.lang)
        return Cell(types) if types else free
    if name == "participation_form":
        return Cell(labels.term("participation_forms", o.participation_form))
    if name == "quality_assurance":
        return Cell(joined(o.qa_types, "qa_types"))
    if name in ("prerequisites", "grading"):
        return localised(getattr(o, name))
    if name == "supervision":
        return Cell(labels.term("supervision_levels", o.supervision))
    if name == "stackability":
        towards = i18n.pick(o.stacks_towards)
        text = labels.term("stackability", o.stackability)
        return Cell(text, items=(str(towards),), lang=towards.lang if towards.foreign else "") \
            if towards else Cell(text)
    if name == "further_info":
        return Cell(o.further_info_url, href=o.further_info_url)
    raise KeyError(name)


def not_stated(text: str) -> Cell:
    return Cell(text) if text else Cell(gettext("Not stated"), missing=True)


def listed(values) -> Cell:
    values = tuple(v for v in values if v)
    return Cell(items=values) if len(values) > 1 else not_stated(values[0] if values else "")


def cost(o: Opportunity) -> Cell:
    if len(o.prices or ()) > 1 or (o.prices and o.prices[0].get("condition")):
        return Cell(items=tuple(
            price(p.get("amount"), p.get("currency"))
            + (f" ({p['condition']})" if p.get("condition") else "") for p in o.prices))
    return not_stated(price(o.price, o.currency))


def place(o: Opportunity, p: dict) -> str:
    nuts = f", {labels.term('nuts', p['nuts'])}" if p.get("nuts") else ""
    return f"{p.get('city') or ''}{nuts}, {i18n.country(p.get('country') or o.country)}".strip(", ")


PRACTICAL = {
    "starts": (lambda: gettext("Starts"), lambda o: not_stated(starts(o))),
    "sessions": (lambda: gettext("Dates and places"),
                 lambda o: listed(" · ".join(labels.session_facts(s)) for s in o.sessions or ())),
    "duration": (lambda: gettext("Duration"), lambda o: not_stated(
        labels.duration(o.duration_value, o.duration_unit) if o.duration_value else "")),
    "languages": (lambda: gettext("Language of instruction"),
                  lambda o: not_stated(", ".join(i18n.language(c) for c in o.languages or ()))),
    "places": (lambda: gettext("Where"),
               lambda o: listed(place(o, p) for p in o.places or ())),
    "cost": (lambda: gettext("Cost"), cost),
    "funding": (lambda: gettext("Funding you may use"),
                lambda o: not_stated(joined(o.funding, "funding"))),
    "target_groups": (lambda: gettext("Meant for"),
                      lambda o: not_stated(joined(o.target_groups, "target_groups"))),
    "deadline": (lambda: gettext("Apply by"),
                 lambda o: not_stated(i18n.date(o.application_deadline))),
    "provider": (lambda: gettext("Offered by"), lambda o: localised(o.provider.name)),
}


def annex_rows(offers: list[Opportunity]) -> list[Row]:
    """The mandatory elements (the title heads each column), then every optional element
    some offer states, after a row saying how complete each offer is."""
    total = len(MANDATORY)
    rows = [Row("completeness", gettext("Annex I"), cells=[Cell(gettext(
        "%(stated)d of %(total)d mandatory elements stated by the provider",
        stated=sum(element_present(o.to_record(), e) for e in MANDATORY), total=total))
        for o in offers])]
    stated = [e for e in OPTIONAL if any(element_present(o.to_record(), e) for o in offers)]
    for name in (*[e for e in MANDATORY if e != "title"], *stated):
        label, explanation = labels.ELEMENTS[name]
        rows.append(Row(name, str(label), str(explanation), [element(o, name) for o in offers]))
    return rows


def practical_rows(offers: list[Opportunity]) -> list[Row]:
    rows = [Row(key, label(), cells=[cell(o) for o in offers])
            for key, (label, cell) in PRACTICAL.items()]
    return [row for row in rows if not all(c.missing for c in row.cells)
            or row.key in ("starts", "cost")]  # the two a learner always asks
