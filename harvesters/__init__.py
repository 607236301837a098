"""Harvesters: one module per format; importing the package registers them all."""
from . import csv_feed, ctdl, elm, lheo, oai_pmh, schemaorg, xcri_cap  # noqa: F401  (register the formats)
