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
    match. None when nothing matches. Only the stretches between matches are escaped and
    joined (a page's snippets scan every word of twenty descriptions)."""
    if not isinstance(matcher, analysis.Matcher):
        matcher = analysis.Matcher(matcher)
    spans, hits, stop = [], [], None
    for m in analysis.WORD.finditer(text):
        if len(spans) == stop:
            break  # one word past the window: the rest is not shown
        spans.append(m.span())
        if matcher(m.group(), lang):
            hits.append(len(spans) - 1)
            if stop is None and window is not None:
                stop = max(0, hits[0] - window // 4) + window + 1
    if not hits:
        return None
    begin, finish, before, after = 0, len(text), "", ""
    if window is not None and len(spans) > window:
        first = max(0, hits[0] - window // 4)
        last = min(len(spans), first + window)
        if first:
            begin, before = spans[first][0], "… "
        if last < len(spans):
            finish, after = spans[last - 1][1], " …"
    pieces, cursor = [before], begin
    for i in hits:
        start, end = spans[i]
        if start < begin or end > finish:
            continue
        pieces += [html.escape(text[cursor:start]), "<mark>", text[start:end], "</mark>"]
        cursor = end  # a word is word characters only: nothing to escape
    pieces += [html.escape(text[cursor:finish]), after]
    return Snippet("".join(pieces), lang)  # every piece is escaped above


def matcher(terms: list[set[str]]) -> analysis.Matcher:
    """One matcher for a page of hits: it remembers the words it has judged."""
    return analysis.Matcher(set().union(*terms) if terms else set())


def highlights(doc: dict, terms: list[set[str]] | analysis.Matcher,
               locale: str) -> dict[str, Snippet]:
    flat = terms if isinstance(terms, analysis.Matcher) else matcher(terms)
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
