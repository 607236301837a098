"""The guidance counsellor's workspace: shortlists kept under a private link (no account),
searches saved in them, and offers compared side by side.

Every form is a plain HTML form: adding and removing posts with the session's CSRF token
(portal.security checks every POST), comparing is a GET of ``id`` values.
"""
from __future__ import annotations

from flask import Blueprint

from .. import pages

bp = Blueprint("workspace", __name__, url_prefix="/<lang>", template_folder="templates")
bp.url_value_preprocessor(pages.pull_lang)
bp.url_defaults(pages.add_lang)

from . import compare, shortlists  # noqa: E402,F401  (their routes)
