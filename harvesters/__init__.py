"""Harvesters: one module per format; importing the package registers them all."""
from . import csv_feed  # noqa: F401  (registers the format)
