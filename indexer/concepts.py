"""Concept bridging: words in one language find offers described in another.

A query is matched against the multilingual labels of ESCO skills and occupations (English,
French, Spanish, from ESCO) and of ISCED-F fields (the project's translations); offers tagged
with a matched concept are found whatever language they are written in. The same labels
suggest ESCO skills for offers whose provider stated none, from their learning outcomes.
"""
from __future__ import annotations

from collections import defaultdict
from functools import cache, lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

from catalogue import vocabularies as vocab
from catalogue.loading import loaded_once

from . import analysis
from .protocol import Concepts

MAX_CONCEPTS = 40   # a query naming more concepts than this is too general to bridge
MIN_WORD = 4        # bridging needs at least one word this long


class LabelIndex:
    """Labels as sets of folded stems, with an inverted index from stem to labels."""

    def __init__(self) -> None:
        self.labels: list[tuple[str, str, frozenset[str]]] = []  # (kind, code, stems)
        self.by_stem: dict[str, set[int]] = defaultdict(set)

    def add(self, kind: str, code: str, label: str, lang: str) -> None:
        stems = frozenset(analysis.analyze(label, lang).split())
        if not stems:
            return
        self.labels.append((kind, code, stems))
        for stem in stems:
            self.by_stem[stem].add(len(self.labels) - 1)

    def query(self, text: str, languages) -> Concepts:
        """Concepts whose label contains every word of ``text`` (stemmed in any language)."""
        words = analysis.words(text)
        if not words or max(map(len, words)) < MIN_WORD:
            return Concepts()
        found: set[int] | None = None
        for alternatives in analysis.query_alternatives(text, languages):
            hits = set().union(*(self.by_stem.get(stem, set()) for stem in alternatives))
            found = hits if found is None else found & hits
            if not found:
                return Concepts()
        if len(found) > MAX_CONCEPTS:  # prefer the labels the words fill best
            found = set(sorted(found, key=lambda i: len(self.labels[i][2]))[:MAX_CONCEPTS])
        codes: dict[str, set[str]] = defaultdict(set)
        for i in found:
            kind, code, _ = self.labels[i]
            codes[kind].add(code)
        return Concepts(tuple(sorted(codes["skills"])), tuple(sorted(codes["occupations"])),
                        tuple(sorted(codes["isced"])))

    def contained_in(self, text: str, lang: str, kind: str = "skills") -> list[str]:
        """Codes of ``kind`` whose whole label occurs among the words of ``text``."""
        stems = set(analysis.analyze(text, lang).split())
        candidates = set().union(*(self.by_stem.get(s, set()) for s in stems)) if stems else set()
        return sorted({self.labels[i][1] for i in candidates
                       if self.labels[i][0] == kind and len(self.labels[i][2]) >= 2
                       and self.labels[i][2] <= stems})


@loaded_once
def label_index(translations: str | None = None) -> LabelIndex:
    index = LabelIndex()
    for kind in ("skills", "occupations"):
        for uri, labels in vocab.esco_table(kind).items():
            for lang, label in labels.items():
                index.add(kind, uri, label, lang)
    isced = vocab.get("isced_f")
    for term in isced:
        index.add("isced", term.code, term.label, "en")
    for lang, catalogue in _catalogues(translations):
        for term in isced:
            translated = catalogue.get(term.label)
            if translated and translated.string:
                index.add("isced", term.code, translated.string, lang)
    return index


def _catalogues(translations: str | None):
    if not translations:
        return
    for po in sorted(Path(translations).glob("*/LC_MESSAGES/messages.po")):
        with open(po, "rb") as fh:
            yield po.parent.parent.name, read_po(fh)


def suggest_skills(outcomes: dict[str, list[str]]) -> list[str]:
    """ESCO skills whose label (of two words or more) occurs in an outcome, in its language."""
    found: set[str] = set()
    for lang, items in outcomes.items():
        if lang in ("en", "fr", "es"):  # the languages ESCO's labels are here in
            for item in items:
                found.update(_skills_in(item, lang))
    return sorted(found)


@lru_cache(maxsize=100_000)
def _skills_in(text: str, lang: str) -> tuple[str, ...]:
    return tuple(label_index().contained_in(text, lang))
