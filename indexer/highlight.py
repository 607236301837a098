"""Snippets with the matched words marked, computed from the document's original text.

Shared by the backends that keep stems rather than text (the embedded one); a word is marked
when its stem in the text's own language meets a query stem.
"""
from __future__ import annotations

import html

from markupsafe import Markup

from . import analysis

SNIPPET_WORDS = 30


class Snippet(Markup):
    """Marked-up text that remembers the language it was taken from, so that a page in another
    language marks it with lang="..." (an offer's title may match in any of its languages)."""
    lang: str = ""

    def __new__(cls, text: str = "", lang: str = ""):
        obj = super().__new__(cls, text)
        obj.lang = lang
        return obj


def pick_language(texts: dict, locale: str) -> str | None:
    """The reader's language if the text has it, else the first language given."""
    if locale in texts:
        return locale
    return next(iter(texts), None)


def mark(text: str, lang: str, matcher: analysis.Matcher | set[str],
         window: int | None = None) -> Snippet | None:
    """``text`` escaped with matched words in <mark>; cut to ``window`` words around the first
    match. None when nothing matches."""
    if not isinstance(matcher, analysis.Matcher):
        matcher = analysis.Matcher(matcher)
    pieces, hits, last = [], [], 0
    for m in analysis.WORD.finditer(text):
        pieces.append(html.escape(text[last:m.start()]))
        word = m.group()  # word characters only: nothing to escape
        if matcher(word, lang):
            hits.append(len(pieces))
            word = f"<mark>{word}</mark>"
        pieces.append(word)
        last = m.end()
    pieces.append(html.escape(text[last:]))
    if not hits:
        return None
    if window is not None and len(pieces) > 2 * window:
        start = max(0, hits[0] - window // 2)
        end = start + 2 * window
        pieces = (["… "] if start else []) + pieces[start:end] + (
            [" …"] if end < len(pieces) else [])
    return Snippet("".join(pieces), lang)  # every piece is escaped above


def highlights(doc: dict, terms: list[set[str]], locale: str) -> dict[str, Snippet]:
    flat = analysis.Matcher(set().union(*terms) if terms else set())
    found = {}
    for field, window in (("title", None), ("outcomes", SNIPPET_WORDS),
                          ("description", SNIPPET_WORDS)):
        first = pick_language(doc[field], locale)
        for lang in sorted(doc[field], key=lambda tag: tag != first):
            marked = mark(doc[field][lang], lang, flat, window)
            if marked is not None:
                found[field] = marked
                break
    return found
