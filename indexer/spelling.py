"""Typing errors: the catalogue's own words suggest what a misspelt query word meant.

SymSpell (symspellpy) over the folded words of every offer's titles, outcomes, descriptions and
skill labels. A query word the catalogue does not contain gets the most frequent catalogue word
within one edit (words of 4-7 letters) or two (8 or more), keeping the first letter (people
rarely mistype it, and a word of another language one letter away from a catalogue word,
"Datenanalyse" and "batenanalyse", is not a typing error); shorter words are left alone (too
many neighbours). The search service corrects the words once and both backends match the typed
word or its correction, so that they agree; the page and the API offer "Did you mean ...?".

A word the catalogue does not know may still be a misspelt word of the reader's language that
the catalogue states in other languages ("corso saldatrua": Italian, while the welding offers
are German): it is then corrected against the 50,000 most frequent words of that language
(wordfreq's word lists, inside its wheel), unless it is a word of any EU language wordfreq
knows ("eliminare" is Italian, not a typing error of the English "eliminate").
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import wordfreq
from rapidfuzz import process
from rapidfuzz.distance import OSA
from symspellpy import SymSpell, Verbosity

from catalogue.loading import loaded_once

from . import analysis

MIN_LENGTH = 4
LANGUAGE_WORDS = 50_000
WORDFREQ = {"hr": "sh"}  # wordfreq lists Croatian with Serbo-Croatian
EU_LANGUAGES = ("bg cs da de el en es et fi fr ga hr hu it lt lv mt nl pl pt ro sk sl sv").split()


def word_counts(texts: Iterable[str]) -> Counter:
    """Folded words of the catalogue's texts (titles, outcomes, descriptions), numbers aside."""
    return Counter(analysis.fold(w) for text in texts for w in analysis.WORD.findall(text)
                   if not w.isdigit())


@loaded_once
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
        found = [s for s in self.symspell.lookup(folded, Verbosity.ALL,  # then the first letter:
                                                 max_edit_distance=distance)  # a closer word of
                 if s.term[:1] == folded[:1]]  # another first letter hides none of this one
        if not found:
            return None
        best = max(found, key=lambda s: (-s.distance, s.count, s.term))
        return best.term if best.term != folded else None

    def unknown(self, word: str) -> bool:
        """A word long enough to correct that neither the catalogue nor the interface knows."""
        folded = analysis.fold(word)
        return len(folded) >= MIN_LENGTH and not folded.isdigit() and \
            folded not in self.words and folded not in self.known

    def corrections(self, words: Iterable[str], lang: str | None = None) -> dict[str, str]:
        """Catalogue words first; else, for a word no EU language knows, a word of ``lang``."""
        found = {}
        for word in words:
            correction = self.correct(word)
            if correction is None and lang and self.unknown(word) and \
                    not in_some_language(word, lang):
                correction = language_correction(word, lang)
            if correction:
                found[word] = correction
        return found


@cache
def _code(lang: str) -> str | None:
    """wordfreq's code for a language it has, else None (it lists its files on every call)."""
    code = WORDFREQ.get(lang, lang)
    return code if code in wordfreq.available_languages("small") else None


def in_some_language(word: str, lang: str | None = None) -> bool:
    """Whether wordfreq knows the word in the reader's language (its largest list: rare words
    such as "escanção" are words) or in another EU language (their frequent words)."""
    own = _code(lang) if lang else None
    if own and wordfreq.word_frequency(word, own, wordlist="best") > 0:
        return True
    return any(wordfreq.word_frequency(word, code, wordlist="small") > 0
               for code in filter(None, map(_code, EU_LANGUAGES)))


@loaded_once
def language_words(lang: str) -> dict[str, list[tuple[str, str]]] | None:
    """A language's most frequent words, folded, most frequent first, by first letter (a
    correction keeps it), each with its written form."""
    code = _code(lang)
    if code is None:
        return None
    buckets: dict[str, list[tuple[str, str]]] = {}
    seen: set[str] = set()
    for word in wordfreq.top_n_list(code, LANGUAGE_WORDS):
        folded = analysis.fold(word)
        if folded.isalpha() and len(folded) >= MIN_LENGTH - 1 and folded not in seen:
            seen.add(folded)
            buckets.setdefault(folded[0], []).append((folded, word))
    return buckets


def language_correction(word: str, lang: str) -> str | None:
    """The most frequent word of ``lang`` one edit away (rapidfuzz's optimal string alignment:
    a swap of two letters is one edit), in its written form. One edit only: at two, a rare
    word of a language ("gaivinimo", resuscitation) meets a frequent other ("garbinimo")."""
    buckets = language_words(lang)
    folded = analysis.fold(word)
    if not buckets or not folded:
        return None
    bucket = buckets.get(folded[0], [])
    found = process.extract(folded, [w for w, _ in bucket], scorer=OSA.distance, score_cutoff=1,
                            limit=None)
    if not found:
        return None
    _, _, index = min(found, key=lambda f: (f[1], f[2]))  # nearest, then most frequent
    return bucket[index][1]
