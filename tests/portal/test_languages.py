"""Every main page, and the API's problems, in every language of the interface: no English left."""
import html
import re

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from catalogue.models import Opportunity
from portal.services import services
from tests.conftest import ROOT

LANGUAGES = sorted(p.parent.parent.name
                   for p in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"))


def english_left_over(lang: str) -> set[str]:
    """English messages of three words or more that this language translates differently."""
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalogue = read_po(fh)
    found = set()
    for m in catalogue:
        if isinstance(m.id, str) and m.string and m.string != m.id and "%(" not in m.id \
                and len(m.id.split()) >= 3:
            found.add(m.id)
    return found


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_main_pages_have_no_english_fallback(demo_app, client, lang):
    with demo_app.app_context(), services().sessions() as s:
        offer = s.scalar(select(Opportunity).where(Opportunity.remote_id.like("%nll-mkt-03")))
    pages = {f"/{lang}/": 200, f"/{lang}/?q=soins+infirmiers&eqf=6&form=blended": 200,
             f"/{lang}/opportunities/{offer.id}": 200, f"/{lang}/providers/tolka-fet-college": 200,
             f"/{lang}/providers/tolka-fet-college/harvests": 200,
             f"/{lang}/opportunities/0": 404, f"/{lang}/?eqf=12": 400}
    english = english_left_over(lang)
    for url, status in pages.items():
        response = client.get(url)
        assert response.status_code == status, url
        page = response.get_data(as_text=True)
        assert f'<html lang="{lang}"' in page
        text = visible_text(page)
        assert not [m for m in english if m in text], url


@pytest.mark.parametrize("lang", LANGUAGES)
def test_api_problems_speak_the_readers_language(client, lang):
    body = client.get("/api/v1/search?eqf=12", headers={"Accept-Language": lang}).get_json()
    assert body["title"] != "Invalid search parameters" and body["status"] == 400
