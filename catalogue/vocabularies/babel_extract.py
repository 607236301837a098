"""A Babel extractor for the vocabulary files, so their labels are translated like any string.

NUTS names (already in each region's own language) and ESCO labels (translated by ESCO) are
not extracted.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

SKIPPED = ("nuts.csv", "esco_skills.csv", "esco_occupations.csv")


def extract(fileobj, keywords, comment_tags, options):
    if Path(getattr(fileobj, "name", "")).name in SKIPPED:
        return
    text = fileobj.read().decode("utf-8")
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    for number, row in enumerate(csv.DictReader(io.StringIO("\n".join(lines[start:]))),
                                 start=start + 2):
        for column in ("label", "description"):
            if row.get(column):
                yield number, "gettext", row[column], [f"vocabulary {column}: {row['code']}"]
