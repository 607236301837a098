"""Typing errors: the catalogue's own words suggest what a misspelt query word meant.

SymSpell (symspellpy) over the folded words of every offer's titles, outcomes, descriptions and
skill labels. A query word the catalogue does not contain gets the most frequent catalogue word
within one edit (words of 4-7 letters) or two (8 or more), keeping the first letter (people
rarely mistype it, and a word of another language one letter away from a catalogue word,
"Datenanalyse" and "batenanalyse", is not a typing error); shorter words are left alone (too
many neighbours). The search service corrects the words once and both backends match the typed
word or its correction, so that they agree; the page and the API offer "Did you mean ...?".
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from symspellpy import SymSpell, Verbosity

from . import analysis

MIN_LENGTH = 4


def word_counts(texts: Iterable[str]) -> Counter:
    """Folded words of the catalogue's texts (titles, outcomes, descriptions), numbers aside."""
    return Counter(analysis.fold(w) for text in texts for w in analysis.WORD.findall(text)
                   if not w.isdigit())


@cache
def known_words(translations: str | None) -> frozenset[str]:
    """Words of the 24 languages that are spelt right though no offer uses them: those of the
    interface and vocabulary translations and of the ESCO labels. They are never corrected
    ("lernen" is not a typing error of the Dutch "leren")."""
    from babel.messages.pofile import read_po

    from catalogue import vocabularies as vocab
    words: set[str] = set()
    for po in sorted(Path(translations).glob("*/LC_MESSAGES/messages.po")) if translations else []:
        with open(po, "rb") as fh:
            for message in read_po(fh):
                for text in (message.string if isinstance(message.string, tuple)
                             else (message.string,)):
                    words.update(analysis.fold(w) for w in analysis.WORD.findall(text or ""))
    for kind in ("skills", "occupations"):
        for labels in vocab.esco_table(kind).values():
            for label in labels.values():
                words.update(analysis.fold(w) for w in analysis.WORD.findall(label))
    return frozenset(words)


class Speller:
    def __init__(self, counts: Counter, known: frozenset[str] = frozenset()):
        self.words = counts
        self.known = known
        self.symspell = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        for word, count in counts.items():
            if len(word) >= MIN_LENGTH - 1:
                self.symspell.create_dictionary_entry(word, count)

    def correct(self, word: str) -> str | None:
        """The catalogue word ``word`` was probably meant to be, or None (known or no guess)."""
        folded = analysis.fold(word)
        if len(folded) < MIN_LENGTH or folded in self.words or folded in self.known \
                or folded.isdigit():
            return None
        distance = 1 if len(folded) < 8 else 2
        found = [s for s in self.symspell.lookup(folded, Verbosity.CLOSEST,
                                                 max_edit_distance=distance)
                 if s.term[:1] == folded[:1]]
        if not found:
            return None
        best = max(found, key=lambda s: (-s.distance, s.count, s.term))
        return best.term if best.term != folded else None

    def corrections(self, words: Iterable[str]) -> dict[str, str]:
        return {w: c for w in words if (c := self.correct(w))}
