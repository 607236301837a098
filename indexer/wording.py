"""Loose wording: which words of a query count, and how many of them an offer must match.

People type two or three everyday words, often with a generic word ("Kurs", "corso", "training").
Generic words of the 24 languages never exclude an offer: they are dropped before matching (a
query of generic words only matches everything). Of the remaining words an offer must match
``required(n)``: all of one or two words, one fewer of three or four, and so on, so that
"data analysis python" also finds a Python course on data analysis without "python" in its
title, while offers that match more words rank higher (BM25 sums the words it finds).
Both backends and the vector encoder read the same ``content_words``.
"""
from __future__ import annotations

from functools import cache
from importlib import resources

from . import analysis


@cache
def generic_words() -> frozenset[str]:
    """Folded generic words (data file: indexer/data/generic-words.txt, one language a line)."""
    text = resources.files(__package__).joinpath("data/generic-words.txt").read_text("utf-8")
    return frozenset(analysis.fold(w) for line in text.splitlines()
                     if line.strip() and not line.startswith("#")
                     for w in line.split(":", 1)[1].split())


def is_generic(word: str) -> bool:
    return analysis.fold(word) in generic_words()


def content_words(text: str) -> list[str]:
    """The query's words that say what it is about, lower case, in order."""
    return [w for w in analysis.words(text) if not is_generic(w)]


def content_text(text: str, corrections: dict[str, str] | None = None) -> str:
    """The query without its generic words, for the encoder: "corso di saldatura" reads as
    "saldatura" (the generic word otherwise pulls the vector towards every course); a misspelt
    word reads as its correction."""
    kept = [(corrections or {}).get(w, w) for w in content_words(text)]
    return " ".join(kept) if kept else text


def terms(text: str, languages, corrections=None) -> list[set[str]]:
    """For each content word, the index terms it may match: its folded form and its stems in
    every catalogue language, and those of the word it was probably meant to be."""
    corrections = corrections or {}
    groups = []
    for word in content_words(text):
        group = analysis.query_alternatives(word, languages)[0]
        if word in corrections:
            group |= analysis.query_alternatives(corrections[word], languages)[0]
        groups.append(group)
    return groups


def required(n: int) -> int:
    """How many of ``n`` content words an offer must match: n - n // 3."""
    return n - n // 3
