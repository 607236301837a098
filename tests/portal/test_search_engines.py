"""Found by search engines (issue 11): the sitemap index and its per-language sitemaps, robots.txt,
schema.org Course markup read back by learncat's own schema.org harvester, and the head tags
(canonical, hreflang alternates with x-default, description, Open Graph, search titles)."""
import copy
import datetime as dt
import gzip
import html
import json
import math
import re
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import etree
from sqlalchemy import select

from catalogue.models import Opportunity, Provider, Source, Status
from catalogue.record import OpportunityRecord
from catalogue.sanitize import clean_record
from catalogue.store import CatalogueStore
from harvesters.page_markup import page_documents
from harvesters.schemaorg import SchemaOrgHarvester
from portal import create_app, sitemaps
from portal.markup import script_json
from portal.services import services
from tests.conftest import ROOT

LANGUAGES = sorted(["en", *(p.parent.parent.name for p in
                            (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"))])
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
HOSTILE = "</script><script>alert(1)</script><!-- welding & co"
SKILL = "http://data.europa.eu/esco/skill/0000-welding-test"
WELDING = OpportunityRecord(
    "weld-1", title={"en": "Welding for beginners"},
    description={"en": "<p>Learn to weld &amp; braze steel.</p><p>In our workshop.</p>"},
    learning_outcomes={"en": ["Weld a fillet joint", "Choose a shielding gas"]},
    awarding_body="Weld Academy", country="DE", ects=5.0, eqf_level=4, languages=["en"],
    participation_form="onsite", workload_hours=125.0, duration_value=8, duration_unit="week",
    places=[{"city": "Berlin", "nuts": None, "country": "DE", "lat": 52.52, "lon": 13.4}],
    price=450.0, currency="EUR",
    prices=[{"amount": 450.0, "currency": "EUR", "condition": None},
            {"amount": 300.0, "currency": "EUR", "condition": "for job seekers"}],
    start_dates=["2031-03-02", "2031-09-07"],
    sessions=[{"start": "2031-03-02", "end": "2031-04-30", "venue": "Workshop North",
               "places": 12}],
    prerequisites={"en": "Basic metalwork"}, esco_skills=[SKILL],
    concept_labels={SKILL: {"en": "weld metal parts"}})
# the text a feed can carry past the sanitiser: entities that decode to a closing script tag
ESCAPED = html.escape(HOSTILE, quote=False)
ROUGH = OpportunityRecord("weld-2", title={"en": ESCAPED}, description={"en": ESCAPED},
                          languages=["en"], participation_form="online", price=0.0)
GONE = OpportunityRecord("weld-3", title={"en": "Retired welding course"}, languages=["en"])


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    """A catalogue of two providers (one without offers), two active offers and a retired one;
    returns make(**config) -> an app on it, and the offers' ids."""
    folder = tmp_path_factory.mktemp("search-engines")
    config = {"DATABASE_URL": f"sqlite:///{folder / 'c.sqlite'}",
              "SEARCH_SQLITE_PATH": str(folder / "s.sqlite"), "TESTING": True, "ENCODER": "none"}
    app = create_app(config)
    with app.app_context(), services().sessions() as s:
        academy = Provider(slug="weld-academy", name={"en": "Weld Academy"}, country="DE",
                           city="Berlin", website="https://weld.example")
        s.add_all([academy, Provider(slug="quiet-college", name={"en": "Quiet College"})])
        s.flush()
        source = Source(provider_id=academy.id, name="feed", format="csv", location="feed.csv")
        s.add(source)
        s.flush()
        store = CatalogueStore(s)
        records = [clean_record(copy.deepcopy(r)) for r in (WELDING, ROUGH, GONE)]  # as harvested
        assert records[1].title == {"en": HOSTILE}
        ids = {r.remote_id: store.upsert(source, r)[1] for r in records}
        s.flush()
        store.retire(source.id, GONE.remote_id)
        s.commit()
        ids = {key: row.id for key, row in ids.items()}
    return SimpleNamespace(make=lambda **more: create_app({**config, **more}), app=app, ids=ids)


@pytest.fixture(scope="module")
def client(catalogue):
    return catalogue.app.test_client()


def xml(response) -> etree._Element:
    assert response.status_code == 200 and response.mimetype == "application/xml"
    return etree.fromstring(response.data)


def locs(root) -> list[str]:
    return root.xpath("//s:loc/text()", namespaces=NS)


# -- robots.txt and the sitemaps ---------------------------------------------------------------

def test_robots_names_the_sitemap_by_its_absolute_address(client):
    for base in ("http://localhost", "https://learncat.example"):
        lines = client.get("/robots.txt", base_url=base).get_data(as_text=True).splitlines()
        assert f"Sitemap: {base}/sitemap.xml" in lines and "Disallow: /operator/" in lines
    assert client.get("/sitemap.xml").status_code == 200


def test_the_index_names_one_sitemap_per_language(client):
    root = xml(client.get("/sitemap.xml"))
    assert root.tag == f"{{{NS['s']}}}sitemapindex"
    assert sorted(locs(root)) == sorted(f"http://localhost/sitemaps/{lang}-1.xml"
                                        for lang in LANGUAGES)
    for loc in locs(root):
        part = xml(client.get(loc))
        assert part.tag == f"{{{NS['s']}}}urlset"
        assert part.nsmap == {None: NS["s"], "xhtml": NS["x"]}


def test_a_language_sitemap_lists_the_search_the_providers_and_the_active_offers(catalogue, client):
    ids = catalogue.ids
    root = xml(client.get("/sitemaps/de-1.xml"))
    assert locs(root) == ["http://localhost/de/", "http://localhost/de/providers/weld-academy",
                          "http://localhost/de/providers/quiet-college",
                          f"http://localhost/de/opportunities/{ids['weld-1']}",
                          f"http://localhost/de/opportunities/{ids['weld-2']}"]
    for url in root.iterfind("s:url", NS):
        loc = url.findtext("s:loc", namespaces=NS)
        links = {link.get("hreflang"): link.get("href") for link in url.iterfind("x:link", NS)}
        assert all(link.get("rel") == "alternate" for link in url.iterfind("x:link", NS))
        assert sorted(links) == sorted([*LANGUAGES, "x-default"]) and links["de"] == loc
        for lang in LANGUAGES:
            assert links[lang] == loc.replace("/de/", f"/{lang}/", 1)
        assert links["x-default"] == ("http://localhost/" if loc.endswith("/de/")
                                      else loc.replace("/de/", "/en/", 1))


def test_retired_offers_are_in_no_sitemap(catalogue, client):
    retired = f"/opportunities/{catalogue.ids['weld-3']}"
    assert client.get(f"/en{retired}").status_code == 410
    for index in locs(xml(client.get("/sitemap.xml"))):
        assert retired not in client.get(index).get_data(as_text=True)


def test_an_offer_is_listed_with_its_last_change(catalogue, client):
    with catalogue.app.app_context(), services().sessions() as s:
        changed = s.get(Opportunity, catalogue.ids["weld-1"]).updated_at
    root = xml(client.get("/sitemaps/fr-1.xml"))
    (url,) = [u for u in root.iterfind("s:url", NS)
              if u.findtext("s:loc", namespaces=NS).endswith(f"/{catalogue.ids['weld-1']}")]
    lastmod = dt.datetime.fromisoformat(url.findtext("s:lastmod", namespaces=NS))
    assert lastmod == changed.replace(tzinfo=lastmod.tzinfo, microsecond=0)
    assert lastmod.utcoffset() == dt.timedelta(0)


def test_a_language_with_more_addresses_than_a_part_holds_is_split(catalogue):
    client = catalogue.make(SITEMAP_URLS=2).test_client()
    everything = locs(xml(catalogue.app.test_client().get("/sitemaps/pl-1.xml")))
    parts = [loc for loc in locs(xml(client.get("/sitemap.xml"))) if "/pl-" in loc]
    assert len(parts) == math.ceil(len(everything) / 2) == 3
    listed = [loc for part in parts for loc in locs(xml(client.get(part)))]
    assert listed == everything
    assert all(len(locs(xml(client.get(part)))) <= 2 for part in parts)
    for missing in ("/sitemaps/pl-4.xml", "/sitemaps/pl-0.xml", "/sitemaps/xx-1.xml"):
        assert client.get(missing).status_code == 404


def test_a_full_part_stays_within_the_protocols_limits():
    """50,000 addresses and 50 MB per file: a part of offers with the longest ids on a long
    host name, each with its 25 alternates, stays under both."""
    app = create_app({"DATABASE_URL": "sqlite://", "SEARCH_SQLITE_PATH": ":memory:",
                      "TESTING": True, "ENCODER": "none"})
    with app.test_request_context(base_url="https://" + "a" * 60 + "." + "b" * 30 + ".example.eu"):
        urls = sitemaps.Urls()
        longest = sitemaps.entry("de", urls.fill(urls.offer, sitemaps.ID_MARK, 2**63 - 1),
                                 dt.datetime(2031, 1, 1, tzinfo=dt.timezone.utc))
    assert longest.count("hreflang=") == len(LANGUAGES) + 1
    size = app.config["SITEMAP_URLS"]
    assert size <= 50_000 and len(longest.encode()) * size + 500 < 50 * 1024 * 1024


def test_sitemaps_are_streamed_compressed_and_revalidated(catalogue, client):
    app = catalogue.app
    first = client.get("/sitemaps/en-1.xml")
    for encoding in ("gzip", "identity"):
        with app.test_request_context("/sitemaps/en-1.xml",
                                      headers={"Accept-Encoding": encoding}):
            response = app.full_dispatch_request()  # every after_request hook has run
            assert response.is_streamed and "Content-Length" not in response.headers
            assert response.headers.get("Content-Encoding") == (
                "gzip" if encoding == "gzip" else None)
            body = b"".join(response.iter_encoded())
            response.close()
        assert (gzip.decompress(body) if encoding == "gzip" else body) == first.data
    assert first.headers["ETag"] and "no-cache" in first.headers["Cache-Control"]
    again = client.get("/sitemaps/en-1.xml", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    index = client.get("/sitemap.xml")
    assert index.headers["ETag"] != first.headers["ETag"]  # one validator per file


def test_a_harvest_of_learncats_own_sitemap_finds_each_active_offer_once(catalogue, client):
    """The schema.org harvester follows the index, the 24 sitemaps and every page: the
    languages' pages are one course each (one @id), retired offers are not there."""
    def fetch(url: str) -> bytes:
        response = client.get(url)
        assert response.status_code == 200, url
        return response.data

    harvester = SchemaOrgHarvester()
    records = {raw.remote_id: harvester.parse(raw) for raw in
               harvester.gather(SimpleNamespace(location="http://localhost/sitemap.xml"), fetch)}
    assert sorted(records) == sorted(f"http://localhost/en/opportunities/{catalogue.ids[k]}#course"
                                     for k in ("weld-1", "weld-2"))


# -- schema.org Course markup ------------------------------------------------------------------

def harvested(client, url: str) -> OpportunityRecord:
    """What learncat's own schema.org harvester reads from one page."""
    page = client.get(url)
    assert page.status_code == 200
    harvester = SchemaOrgHarvester()
    (raw,) = harvester.gather(SimpleNamespace(location=f"http://localhost{url}"),
                              lambda _: page.data)
    return harvester.parse(raw)


def test_the_course_markup_reads_back_as_the_offer(catalogue, client):
    offer = catalogue.ids["weld-1"]
    r = harvested(client, f"/en/opportunities/{offer}")
    assert r.remote_id == f"http://localhost/en/opportunities/{offer}#course"
    assert r.title == {"en": "Welding for beginners"}
    assert r.description == {"en": "Learn to weld & braze steel. In our workshop."}
    assert (r.awarding_body, r.country) == ("Weld Academy", "DE")  # the provider
    assert r.learning_outcomes == {"en": ["Weld a fillet joint", "Choose a shielding gas",
                                          "weld metal parts"]}  # outcomes, then the ESCO skill
    assert r.esco_skills == [SKILL]
    assert (r.eqf_level, r.ects, r.workload_hours) == (4, 5.0, 125.0)
    assert (r.price, r.currency) == (450.0, "EUR")
    assert [p["amount"] for p in r.prices] == [450.0, 300.0]
    assert r.start_dates == ["2031-03-02", "2031-09-07"]
    assert r.prerequisites == {"en": "Basic metalwork"}
    assert (r.languages, r.participation_form) == (["en"], "onsite")
    assert [(p["city"], p["lat"]) for p in r.places] == [("Berlin", 52.52)]


def test_the_course_markup_has_an_instance_per_presentation_and_start_date(catalogue, client):
    page = client.get(f"/de/opportunities/{catalogue.ids['weld-1']}").data
    (course,) = page_documents(page)[0]
    assert course["@type"] == "Course" and course["provider"]["@type"] == "EducationalOrganization"
    assert course["url"] == f"http://localhost/de/opportunities/{catalogue.ids['weld-1']}"
    assert course["educationalLevel"]["name"] == "EQF-Niveau 4"  # in the page's language
    assert course["educationalCredentialAwarded"]["@type"] == "EducationalOccupationalCredential"
    assert course["numberOfCredits"] == {"@type": "StructuredValue", "value": 5, "unitText": "ECTS"}
    assert course["timeRequired"] == "PT125H"
    presentation, later = course["hasCourseInstance"]
    assert (presentation["startDate"], presentation["endDate"]) == ("2031-03-02", "2031-04-30")
    assert presentation["location"]["name"] == "Workshop North"
    assert presentation["courseMode"] == later["courseMode"] == "Onsite"
    assert later["startDate"] == "2031-09-07" and later["location"][0]["geo"]["latitude"] == 52.52
    assert [o["category"] for o in course["offers"]] == ["Paid", "Paid"]


def test_a_hostile_title_cannot_leave_the_markup(catalogue, client):
    page = client.get(f"/en/opportunities/{catalogue.ids['weld-2']}").get_data(as_text=True)
    assert page.count("<script") == 1 and page.count("</script>") == 1
    assert "alert(1)</script>" not in page and "<!-- welding" not in page
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    course = json.loads(block)
    assert course["name"] == HOSTILE and course["isAccessibleForFree"] is True
    assert course["hasCourseInstance"][0]["location"][0]["@type"] == "VirtualLocation"
    assert f"<title>{html.escape(HOSTILE, quote=False)} · learncat</title>" in page
    r = harvested(client, f"/en/opportunities/{catalogue.ids['weld-2']}")
    assert r.title == {"en": HOSTILE} and r.price == 0


def test_script_json_escapes_what_could_end_a_script_element():
    text = str(script_json({"t": "</script><!--&"}))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"t": "</script><!--&"}


def test_the_markup_needs_no_change_to_the_content_security_policy(catalogue, client):
    response = client.get(f"/en/opportunities/{catalogue.ids['weld-1']}")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "nonce-" not in policy and "sha256-" not in policy
    scripts = re.findall(r"<script[^>]*>", response.get_data(as_text=True))
    assert scripts == ['<script type="application/ld+json">']  # data, never run


def test_a_retired_offer_has_no_course_markup(catalogue, client):
    page = client.get(f"/en/opportunities/{catalogue.ids['weld-3']}")
    assert page.status_code == 410 and b'<script type="application/ld+json"' not in page.data
    live = client.get(f"/en/opportunities/{catalogue.ids['weld-1']}")
    assert b'<script type="application/ld+json"' in live.data  # the check can fail


# -- head tags ---------------------------------------------------------------------------------

def head(page: str) -> dict:
    """canonical, alternates, description and the og: properties of a page."""
    unescape = html.unescape
    return {
        "canonical": [unescape(h) for h in
                      re.findall(r'<link rel="canonical" href="([^"]*)">', page)],
        "alternates": {lang: unescape(h) for lang, h in re.findall(
            r'<link rel="alternate" hreflang="([^"]+)" href="([^"]*)">', page)},
        "description": [unescape(d) for d in
                        re.findall(r'<meta name="description" content="([^"]*)">', page)],
        "og": {k: unescape(v) for k, v in re.findall(
            r'<meta property="og:([a-z_]+)" content="([^"]*)">', page)},  # not og:locale:alternate
        "title": unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1)),
    }


def test_a_search_page_is_canonical_with_known_parameters_only(client):
    page = client.get("/en/?form=online&q=welding&q=&utm_source=mail&page=1&eqf=")
    tags = head(page.get_data(as_text=True))
    assert tags["canonical"] == ["http://localhost/en/?q=welding&form=online"]
    assert sorted(tags["alternates"]) == sorted([*LANGUAGES, "x-default"])
    for lang, href in tags["alternates"].items():
        parts = urlsplit(href)
        assert parts.path == ("/" if lang == "x-default" else f"/{lang}/")
        assert parse_qs(parts.query) == {"q": ["welding"], "form": ["online"]}
    assert tags["og"]["url"] == tags["canonical"][0] and tags["og"]["type"] == "website"


def test_an_offer_page_has_canonical_description_and_open_graph(catalogue, client):
    offer = catalogue.ids["weld-1"]
    tags = head(client.get(f"/de/opportunities/{offer}?q=welding&page=3").get_data(as_text=True))
    assert tags["canonical"] == [f"http://localhost/de/opportunities/{offer}"]
    assert tags["alternates"]["x-default"] == f"http://localhost/en/opportunities/{offer}"
    assert tags["alternates"]["ga"] == f"http://localhost/ga/opportunities/{offer}"
    assert tags["description"] == ["Learn to weld & braze steel. In our workshop."]
    assert tags["og"] == {"site_name": "learncat", "type": "website",
                          "title": "Welding for beginners",
                          "description": "Learn to weld & braze steel. In our workshop.",
                          "url": tags["canonical"][0], "locale": "de_DE"}
    alternates = re.findall(r'<meta property="og:locale:alternate" content="([^"]*)">',
                            client.get(f"/de/opportunities/{offer}").get_data(as_text=True))
    assert len(alternates) == len(LANGUAGES) - 1
    assert "en_IE" in alternates and "pt_PT" in alternates and "de_DE" not in alternates


def test_a_long_description_is_cut_at_a_word(catalogue, client):
    page = client.get(f"/en/opportunities/{catalogue.ids['weld-2']}").get_data(as_text=True)
    (description,) = head(page)["description"]
    assert description == HOSTILE  # short enough: whole, as plain text
    from portal.head import summary
    cut = summary("word " * 100)
    assert len(cut) <= 160 and cut.endswith("word…")


def test_a_provider_page_describes_the_provider_in_the_readers_language(client):
    tags = head(client.get("/de/providers/weld-academy").get_data(as_text=True))
    assert tags["canonical"] == ["http://localhost/de/providers/weld-academy"]
    assert tags["og"]["title"] == "Weld Academy" and tags["og"]["locale"] == "de_DE"
    assert tags["description"] == ["Weld Academy: 2 Angebote, mit der Qualitätssicherung und "
                                   "Anerkennungsregelung des Anbieters."]


def test_an_error_page_has_no_canonical_address_and_is_not_indexed(client):
    page = client.get("/en/opportunities/0").get_data(as_text=True)
    assert '<meta name="robots" content="noindex">' in page
    assert not head(page)["canonical"] and not head(page)["og"]


@pytest.mark.parametrize("url, title", [
    ("/en/?q=welding", "2 results for welding · learncat"),
    ("/en/?q=beginners", "1 result for beginners · learncat"),
    ("/en/?q=welding&per_page=1&page=2", "2 results for welding – Page 2 of 2 · learncat"),
    ("/de/?q=welding", "2 Ergebnisse für welding · learncat"),
    ("/pl/?q=welding", "welding: 2 wyniki · learncat"),
    ("/pl/?q=zzzzqqq&literal=1", "zzzzqqq: 0 wyników · learncat"),
    ("/en/?form=online", "1 offer found · learncat"),
    ("/en/", "Find a course · learncat"),
])
def test_a_search_title_says_what_was_searched_and_how_much_was_found(client, url, title):
    tags = head(client.get(url).get_data(as_text=True))
    assert tags["title"] == title
    assert tags["og"]["title"] == title.removesuffix(" · learncat")


def test_a_search_description_counts_the_offers(client):
    tags = head(client.get("/fr/?q=welding").get_data(as_text=True))
    assert tags["description"] == [
        "2 offres pour welding, avec niveau, crédits, coût et dates de début."]
    assert head(client.get("/fr/").get_data(as_text=True))["description"] == [
        "Formations courtes et microcertifications partout en Europe"]


def test_every_demo_offer_page_has_markup_the_harvester_reads(demo_app):
    """The whole demo catalogue, each format's offers: a Course the harvester maps, with the
    offer's title, level and credits."""
    client = demo_app.test_client()
    with demo_app.app_context(), services().sessions() as s:
        offers = s.scalars(select(Opportunity).where(Opportunity.status == Status.ACTIVE)).all()
        assert len(offers) > 100
        for o in offers:
            r = harvested(client, f"/en/opportunities/{o.id}")
            assert r.remote_id == f"http://localhost/en/opportunities/{o.id}#course"
            assert list(r.title.values()) == [str(pick_in("en", o.title))]
            assert (r.eqf_level, r.ects) == (o.eqf_level, o.ects), o.remote_id
            starts = {*o.start_dates, *(p["start"] for p in o.sessions if p.get("start"))}
            assert sorted(r.start_dates) == sorted(starts), o.remote_id


def pick_in(lang: str, texts: dict) -> str:
    """The text a page in ``lang`` shows (portal.i18n.pick)."""
    return texts.get(lang) or next(iter(texts.values()), "")
