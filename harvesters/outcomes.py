"""Learning outcomes written as one text, split into their statements, one rule for every format.

Feeds write outcomes as a list in prose: bullet or numbered lines, HTML list items, a lead-in
ending in a colon and parts after it. Only a list the text clearly holds is split; other text
stays one statement, so a sentence is never cut in two.
"""
from __future__ import annotations

import re

from catalogue.sanitize import plain

BULLET = re.compile(r"\s*(?:[-*\u2022\u00b7\u2013\u2014\u25aa\u25e6\u2023\u25cf]"
                    r"|\(?(?:\d{1,2}|[a-z])[.)])\s+", re.I)
HTML_BREAK = re.compile(r"<\s*(?:li\b[^>]*|br\s*/?|/?p\b[^>]*|/li)\s*>", re.I)


def statements(text: str) -> list[str]:
    """A learning-outcome text as its statements: a lead-in ("... is able to:") and the items
    of a list it clearly holds (bullet or numbered lines, lines after a colon, three or more
    parts separated by "; " after a colon, HTML list items); other text stays one statement."""
    if HTML_BREAK.search(text):
        text = HTML_BREAK.sub(lambda m: "\n- " if m.group(0).lower().startswith("<li")
                              else "\n", text)
        text = plain(text)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    marked = [bool(BULLET.match(line)) for line in lines]
    if sum(marked) >= 2:
        start = marked.index(True)
        items = [" ".join(lines[:start])] if start else []
        for line, bullet in zip(lines[start:], marked[start:]):
            if bullet:
                items.append(BULLET.sub("", line, count=1))
            else:  # a wrapped item continues
                items[-1] = f"{items[-1]} {line}"
        return [i for i in items if i]
    if len(lines) >= 3 and lines[0].endswith(":"):
        return lines
    lead, colon, rest = " ".join(lines).partition(":")
    parts = [p.strip().rstrip(";").strip() for p in rest.split(";")] if colon else []
    if len(parts) >= 3 and all(parts):  # one semicolon is prose, two after a colon a list
        return [f"{lead.strip()}:", *parts]
    return [" ".join(lines)] if lines else []
