"""Text analysis shared by indexing, querying and highlighting: words, Snowball stems, folding.

A document's text is stemmed in its own language; a query (whose language we cannot know) is
stemmed in every language of the catalogue and the alternatives are OR-ed. Stems are folded
afterwards (lower case, no diacritics) so that "ecole", "École" and "écoles" meet.
"""
from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

import Stemmer

SNOWBALL = {
    "ca": "catalan", "cs": "czech", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "et": "estonian", "eu": "basque", "fi": "finnish",
    "fr": "french", "ga": "irish", "hu": "hungarian", "it": "italian", "lt": "lithuanian",
    "nl": "dutch", "no": "norwegian", "nb": "norwegian", "pl": "polish", "pt": "portuguese",
    "ro": "romanian", "sv": "swedish", "tr": "turkish",
}
WORD = re.compile(r"\w+", re.UNICODE)
MIN_PREFIX = 5  # stems this long also match as prefixes: Schweiß -> Schweißtechnik
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ħ": "h", "ı": "i",
                       "þ": "th", "ð": "d"})


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Lower case without diacritics: 'Łódź' -> 'lodz', 'Straße' -> 'strasse'."""
    decomposed = unicodedata.normalize("NFKD", word.casefold().translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def _stemmer(lang: str):
    algorithm = SNOWBALL.get(lang.split("-")[0].lower())
    return Stemmer.Stemmer(algorithm) if algorithm else None


def words(text: str) -> list[str]:
    return [w.casefold() for w in WORD.findall(text)]


@lru_cache(maxsize=200_000)
def stem(word: str, lang: str) -> str:
    """The folded stem of one lower-case word in ``lang`` (folded word if no stemmer)."""
    stemmer = _stemmer(lang)
    return fold(stemmer.stemWord(word) if stemmer else word)


def analyze(text: str, lang: str) -> str:
    """Index form of a text: its folded stems separated by spaces."""
    stemmer = _stemmer(lang)
    tokens = words(text)
    if stemmer:
        tokens = stemmer.stemWords(tokens)
    return " ".join(fold(t) for t in tokens)


def query_alternatives(text: str, langs) -> list[set[str]]:
    """For each query word, the stems it may have in any of ``langs``, plus the folded word."""
    return [{fold(w)} | {stem(w, lang) for lang in langs} for w in words(text)]


class Matcher:
    """Whether a document word (in its language) is hit by a query's stems, as the index
    matches them: exactly, or by prefix for long stems. For highlighting."""

    def __init__(self, terms: set[str]):
        self.terms = terms
        self.prefixes = tuple(t for t in terms if len(t) >= MIN_PREFIX)
        self.seen: dict[tuple[str, str], bool] = {}

    def __call__(self, word: str, lang: str) -> bool:
        hit = self.seen.get((word, lang))
        if hit is None:
            w = word.casefold()
            s = stem(w, lang)
            hit = s in self.terms or fold(w) in self.terms or s.startswith(self.prefixes)
            self.seen[(word, lang)] = hit
        return hit
