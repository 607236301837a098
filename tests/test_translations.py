"""translations/messages.pot must list every message the code and templates use."""
import subprocess
import sys

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
