"""translations/messages.pot must list every message the code and templates use."""
import re
import subprocess
import sys

import pytest

from babel.messages.pofile import read_po

from tests.conftest import ROOT


def message_ids(path):
    with open(path, "rb") as fh:
        return {m.id if isinstance(m.id, str) else tuple(m.id) for m in read_po(fh) if m.id}


def test_messages_pot_is_up_to_date(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract",
                    "-F", "translations/babel.cfg", "-k", "_l", "-k", "lazy_gettext",
                    "-o", str(fresh), "catalogue", "harvesters", "indexer", "portal"],
                   cwd=ROOT, check=True)
    committed = message_ids(ROOT / "translations" / "messages.pot")
    current = message_ids(fresh)
    assert current - committed == set(), "run `make extract`: messages.pot lacks these"
    assert committed - current == set(), "run `make extract`: messages.pot has stale messages"


CATALOGUES = sorted((ROOT / "translations").glob("*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def test_every_official_eu_language_has_a_catalogue():
    official = set("bg cs da de el es et fi fr ga hr hu it lt lv mt nl pl pt ro sk sl sv".split())
    assert {p.parent.parent.name for p in CATALOGUES} == official


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parent.parent.name)
def test_catalogue_is_complete_with_the_same_placeholders(path):
    template = message_ids(ROOT / "translations" / "messages.pot")
    with open(path, "rb") as fh:
        catalogue = read_po(fh)
    assert message_ids(path) == template, "run `make update` and translate the new messages"
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, (list, tuple)) else [message.id]
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        assert not message.fuzzy and all(strings), f"untranslated or fuzzy: {ids[0]!r}"
        expected = sorted(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            assert sorted(PLACEHOLDER.findall(string)) in (expected, sorted(
                PLACEHOLDER.findall(ids[0]))), f"{ids[0]!r} -> {string!r}"
