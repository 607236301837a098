"""schema.org JSON-LD through the real runner: the official examples as a feed and inside pages of
a sitemap, served by a fake fetch (the network edge only)."""
import json
from html import escape
from urllib.parse import urljoin

from sqlalchemy import select

from catalogue.models import Opportunity, RunStatus, Severity, Stage, Status
from harvesters.base import SourceError
from harvesters.runner import run

SITE = "https://courses.example.org"
RECORD_TYPES = {"Course", "EducationalOccupationalProgram", "WorkBasedProgram",
                "EducationalOccupationalCredential"}


def serve(pages: dict[str, bytes]):
    """fetch() over a dict of URL -> bytes; anything else is a 404."""
    def fetch(url):
        fetch.requested.append(url)
        if url not in pages:
            raise SourceError(f"cannot read {url}: 404 Not Found")
        return pages[url]
    fetch.requested = []
    return fetch


def sitemap(urls) -> bytes:
    locs = "".join(f"<url><loc>{escape(u)}</loc></url>" for u in urls)
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset '
            f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>').encode()


def html_page(*blocks: str, title: str = "A course page") -> bytes:
    scripts = "".join(f'<script type="application/ld+json">{b}</script>' for b in blocks)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>{scripts}"
            f"</head><body><h1>{title}</h1></body></html>").encode()


def examples(shared_data):
    """(file name, JSON text, parsed document) of every official example."""
    for path in sorted((shared_data / "schema-org" / "sdo-examples").glob("*.jsonld")):
        raw = path.read_text(encoding="utf-8")
        yield path.name, raw, json.loads(raw)


def catalogue_nodes(document) -> list[dict]:
    nodes = document if isinstance(document, list) else [document]
    return [n for n in nodes if set(n.get("@type") if isinstance(n.get("@type"), list)
                                    else [n.get("@type")]) & RECORD_TYPES]


def active(session, source):
    return {o.remote_id: o for o in session.scalars(select(Opportunity).where(
        Opportunity.source_id == source.id, Opportunity.status == Status.ACTIVE))}


def notices(result):
    return [e for e in result.errors if e.stage is Stage.GATHER and e.severity is Severity.WARNING]


def test_every_official_example_loads_as_a_json_feed(session, make_source, shared_data):
    loaded = 0
    for name, raw, document in examples(shared_data):
        url = f"{SITE}/{name}"
        source = make_source(url, country="GB", fmt="schemaorg")
        result = run(session, source, fetch=serve({url: raw.encode()}))
        expected = catalogue_nodes(document)
        assert result.status is RunStatus.SUCCEEDED, (name, result.message, result.errors)
        assert (result.added, result.rejected) == (len(expected), 0), name
        offers = list(active(session, source).values())
        for node, offer in zip(expected, offers):
            assert offer.title == ({"en": node["name"]} if "name" in node else {}), name
            assert offer.country == "GB"  # the provider's: the examples name none
        if not expected:
            assert any("no Course" in n.message for n in notices(result)), name
        loaded += len(expected)
    assert loaded >= 10


def test_every_official_example_loads_from_a_page_in_a_sitemap(session, make_source, shared_data):
    pages, expected = {}, {}
    for name, raw, document in examples(shared_data):
        url = f"{SITE}/courses/{name.removesuffix('.jsonld')}.html"
        pages[url] = html_page(raw)
        expected[url] = catalogue_nodes(document)
    pages[f"{SITE}/sitemap.xml"] = sitemap(pages)
    source = make_source(f"{SITE}/sitemap.xml", country="GB", fmt="schemaorg")
    fetch = serve(pages)
    result = run(session, source, fetch=fetch)
    assert result.status is RunStatus.SUCCEEDED, result.errors
    assert result.added == sum(map(len, expected.values())) >= 10
    assert fetch.requested == [f"{SITE}/sitemap.xml", *expected]
    offers = active(session, source)
    for url, nodes in expected.items():
        for node in nodes:
            ids = [node[k] for k in ("@id", "url") if k in node]
            # @id or url, relative ones ("./") resolved against the page; else page and position
            remote_id = urljoin(url, ids[0]) if ids else f"{url}#1"
            assert offers[remote_id].title == ({"en": node["name"]} if "name" in node else {})
    # one notice per distinct unmapped property, however many records carry it
    fields = [n.field for n in notices(result) if n.field]
    assert len(fields) == len(set(fields))
    assert "hasCourseInstance.endDate" in fields and "educationalCredentialAwarded" in fields
    assert any("2 pages or feeds have structured data but no Course" in n.message
               for n in notices(result))  # an Occupation and a CollegeOrUniversity


def test_official_examples_map_to_catalogue_fields(session, make_source, shared_data):
    docs = {name.removesuffix(".jsonld"): (raw, doc) for name, raw, doc in examples(shared_data)}
    feed = json.dumps([docs[n][1] for n in ("eg-0259", "eg-0278", "eg-0294", "eg-0333",
                                             "eg-0334", "eg-0337")])
    source = make_source(f"{SITE}/feed.json", fmt="schemaorg")
    result = run(session, source, fetch=serve({f"{SITE}/feed.json": feed.encode()}))
    assert result.status is RunStatus.SUCCEEDED and result.added == 6
    offers = active(session, source)

    credential = docs["eg-0259"][1]  # no @id or url: feed address and position
    o = offers[f"{SITE}/feed.json#1"]
    assert o.nqf_level == credential["educationalLevel"]["name"]  # a national framework's level
    assert o.learning_outcomes == {"en": [credential["competencyRequired"]["name"]]}
    assert o.extras["credentialCategory"] == credential["credentialCategory"]

    program = docs["eg-0278"][1]
    o = offers[program["url"]]
    assert (o.duration_value, o.duration_unit) == (4, "year")  # timeToComplete P4Y
    assert o.awarding_body == program["provider"]["name"]
    assert o.prerequisites == {"en": program["programPrerequisites"]["credentialCategory"]}
    first_price = program["offers"][0]["priceSpecification"]
    assert (o.price, o.currency) == (first_price["price"], first_price["priceCurrency"])
    assert len(o.extras["offers"]) == len(program["offers"])
    assert o.extras["educationalCredentialAwarded"] == program["educationalCredentialAwarded"]

    credits = docs["eg-0294"][1]  # a bare number of credits is not ECTS
    o = offers[f"{SITE}/feed.json#3"]
    assert o.ects is None and o.extras["numberOfCredits"] == credits["numberOfCredits"]
    assert o.application_deadline == credits["applicationDeadline"]

    course = docs["eg-0333"][1]  # "@id": "./" is the feed's own address
    o = offers[f"{SITE}/"]
    instances = course["hasCourseInstance"]
    assert o.start_dates == sorted({i["startDate"] for i in instances})
    assert [p["city"] for p in o.places] == list(dict.fromkeys(i["location"] for i in instances))
    assert o.participation_form is None  # part-time / full-time say nothing about it
    assert o.extras["hasCourseInstance.courseMode"] == [i["courseMode"] for i in instances]

    course = docs["eg-0334"][1]
    o = next(o for o in offers.values() if o.title == {"en": course["name"]})
    first_offer = course["hasCourseInstance"][0]["offers"]
    assert o.participation_form == "online"
    assert (o.price, o.currency) == (float(first_offer["price"]), first_offer["priceCurrency"])

    course = docs["eg-0337"][1]
    o = next(o for o in offers.values() if o.title == {"en": course["name"]})
    assert o.price == 0 and o.participation_form == "online"
    assert o.awarding_body == course["provider"]["name"]
    assert o.extras["hasCourseInstance.instructor"][0]["name"]


def test_properties_read_from_our_own_markup(session, make_source):
    course = {
        "@type": "Course", "@id": f"{SITE}/c/welding", "inLanguage": "de-AT",
        "name": [{"@value": "Schweißen für Einsteiger", "@language": "de"},
                 {"@value": "Welding for beginners", "@language": "en"}],
        "teaches": ["Kehlnähte schweißen", {"@type": "DefinedTerm", "name": "Schutzgas wählen",
                    "url": "http://data.europa.eu/esco/skill/0000-test"}],
        "numberOfCredits": {"@type": "StructuredValue", "value": 5, "unitText": "ECTS"},
        "educationalLevel": {"@type": "DefinedTerm", "termCode": "4",
                             "inDefinedTermSet": "http://data.europa.eu/snb/eqf/25831c2"},
        "provider": {"@type": "Organization", "name": "Schweißakademie Test",
                     "address": {"@type": "PostalAddress", "addressCountry": "AT"}},
        "loyaltyPoints": 12,
        "hasCourseInstance": [
            {"@type": "CourseInstance", "startDate": "2031-03-02T09:00:00+01:00",
             "eventAttendanceMode": "https://schema.org/MixedEventAttendanceMode",
             "courseWorkload": "PT40H",
             "location": {"@type": "Place", "name": "Werkstatt Nord",
                          "address": {"addressLocality": "Linz", "addressCountry": "AT"},
                          "geo": {"latitude": 48.3, "longitude": 14.29}},
             "offers": {"@type": "Offer", "priceSpecification": {"price": "450.50",
                                                                 "priceCurrency": "eur"}}},
            {"@type": "CourseInstance", "startDate": "2031-09-07",
             "courseMode": "OnlineEventAttendanceMode",
             "location": {"@type": "VirtualLocation", "url": f"{SITE}/live"}}],
        "educationalCredentialAwarded": {"@type": "EducationalOccupationalCredential",
                                         "name": "Schweißerpass"},
    }
    short = {"@type": "Course", "url": "/c/short", "name": "Kurz", "inLanguage": "German",
             "timeRequired": "P2W", "loyaltyPoints": 3, "courseMode": "in person"}
    feed = {"@context": "https://schema.org", "@graph": [course, short,
                                                        {"@type": "Organization", "name": "x"}]}
    source = make_source(f"{SITE}/feed.jsonld", fmt="schemaorg")
    result = run(session, source, fetch=serve({f"{SITE}/feed.jsonld": json.dumps(feed).encode()}))
    assert result.status is RunStatus.SUCCEEDED and result.added == 2  # not the credential
    offers = active(session, source)
    o = offers[f"{SITE}/c/welding"]
    assert o.title == {"de": "Schweißen für Einsteiger", "en": "Welding for beginners"}
    assert o.learning_outcomes == {"de": ["Kehlnähte schweißen", "Schutzgas wählen"]}
    assert o.esco_skills == ["http://data.europa.eu/esco/skill/0000-test"]
    assert o.ects == 5 and o.eqf_level == 4 and o.country == "AT" and o.languages == ["de"]
    assert o.participation_form == "blended" and o.workload_hours == 40
    assert (o.duration_value, o.duration_unit) == (40, "hour")
    assert o.start_dates == ["2031-03-02", "2031-09-07"]
    assert o.places == [{"city": "Linz", "nuts": None, "country": "AT", "lat": 48.3,
                         "lon": 14.29}]
    assert (o.price, o.currency) == (450.5, "EUR")
    assert o.url == f"{SITE}/c/welding" and o.extras["loyaltyPoints"] == 12
    o = offers[f"{SITE}/c/short"]
    assert o.url == f"{SITE}/c/short" and o.title == {"de": "Kurz"}
    assert (o.duration_value, o.duration_unit) == (2, "week") and o.participation_form == "onsite"
    assert [n.field for n in notices(result)].count("loyaltyPoints") == 1


def test_a_broken_page_is_reported_and_the_others_still_load(session, make_source,
                                                               shared_data):
    docs = {name: raw for name, raw, _ in examples(shared_data)}
    good, mixed, empty, missing = (f"{SITE}/{p}.html" for p in ("good", "mixed", "empty", "gone"))
    broken = '{"@type": "Course", "name": "unfinished'
    pages = {good: html_page(docs["eg-0338.jsonld"]),
             mixed: html_page(broken, docs["eg-0335.jsonld"]),  # its second block is fine
             empty: html_page(title="No markup here"),
             f"{SITE}/sitemap.xml": sitemap([good, mixed, empty, missing])}
    source = make_source(f"{SITE}/sitemap.xml", fmt="schemaorg")
    first = run(session, source, fetch=serve(pages))
    assert first.status is RunStatus.PARTIAL and first.added == 2
    assert set(active(session, source)) == {f"{good}#1", f"{mixed}#1"}
    (error,) = [e for e in first.errors if e.remote_id == mixed]
    assert error.stage is Stage.PARSE and "block 1 of the page is not valid JSON" in error.message
    assert any(e.remote_id == missing and "404" in e.message for e in first.errors)
    assert any("1 of 4 pages" in n.message for n in notices(first))  # the page without JSON-LD

    pages[mixed] = html_page(broken)
    again = run(session, source, fetch=serve(pages))
    assert again.status is RunStatus.PARTIAL and again.unchanged == 1
    # what the broken page holds now is unknown, so its offer is not retired on that account
    assert again.retired == 0 and f"{mixed}#1" in active(session, source)


def test_a_source_that_is_neither_sitemap_nor_json_fails(session, make_source):
    source = make_source(f"{SITE}/feed", fmt="schemaorg")
    result = run(session, source, fetch=serve({f"{SITE}/feed": b"<rss><channel/></rss>"}))
    assert result.status is RunStatus.FAILED and "neither a sitemap" in result.message
    result = run(session, source, fetch=serve({f"{SITE}/feed": b'{"@type": "Course",'}))
    assert result.status is RunStatus.FAILED and "JSON" in result.message


# --- a run that finds nothing to catalogue; a single page as the source ----------------------------

def warnings(result) -> list[str]:
    return [n.message for n in notices(result)]


def test_a_sitemap_of_other_markup_warns_naming_the_types_it_found(session, make_source):
    work = '{"@context": "https://schema.org", "@type": "CreativeWork", "name": "Article %d"}'
    org = '{"@context": "https://schema.org", "@type": "Organization", "name": "Us"}'
    pages = {f"{SITE}/a{n}.html": html_page(work % n, *[org] * (n == 1)) for n in range(1, 4)}
    pages[f"{SITE}/event.html"] = html_page(json.dumps({
        "@context": "https://schema.org", "@graph": [{"@type": "Event", "name": "Open day"}]}))
    pages[f"{SITE}/sitemap.xml"] = sitemap(pages)
    source = make_source(f"{SITE}/sitemap.xml", fmt="schemaorg")
    result = run(session, source, fetch=serve(pages))
    assert (result.status, result.added, result.rejected) == (RunStatus.SUCCEEDED, 0, 0)
    assert ("nothing to catalogue: found 3 schema.org CreativeWork, 1 schema.org Organization, "
            "1 schema.org Event, but no Course, EducationalOccupationalProgram or "
            "EducationalOccupationalCredential") in warnings(result)


def test_json_ld_of_another_vocabulary_is_no_schema_org_course(session, make_source):
    feed = {"@context": {"ceterms": "https://purl.org/ctdl/terms/"},
            "@graph": [{"@type": "ceterms:Course", "@id": f"{SITE}/ctdl/1",
                        "name": "A course in another vocabulary"},
                       {"@type": "https://purl.org/ctdl/terms/Course", "@id": f"{SITE}/ctdl/2"},
                       {"@type": "ceterms:CredentialOrganization"}]}
    source = make_source(f"{SITE}/ctdl.json", fmt="schemaorg")
    result = run(session, source, fetch=serve({f"{SITE}/ctdl.json": json.dumps(feed).encode()}))
    assert (result.status, result.added) == (RunStatus.SUCCEEDED, 0)
    (warning,) = [w for w in warnings(result) if w.startswith("nothing to catalogue")]
    assert warning.startswith("nothing to catalogue: found 1 ceterms:Course, "
                              "1 https://purl.org/ctdl/terms/Course, "
                              "1 ceterms:CredentialOrganization, but no Course")


def test_an_empty_source_of_other_formats_warns_too(session, make_source, tmp_path):
    from tests.conftest import write_csv

    header_only = tmp_path / "empty.csv"
    header_only.write_text("id,title_en\n", encoding="utf-8")
    catalog = tmp_path / "catalog.xml"
    catalog.write_bytes(b'<catalog xmlns="http://xcri.org/profiles/1.2/catalog" xmlns:dc="http:'
                        b'//purl.org/dc/elements/1.1/" generated="2030-01-01T00:00:00Z"><provider>'
                        b"<dc:title>College</dc:title></provider></catalog>")
    for path, fmt, what in ((header_only, "csv", "data row"),
                            (catalog, "xcri-cap", "XCRI-CAP course")):
        result = run(session, make_source(path, fmt=fmt))
        assert (result.status, result.added) == (RunStatus.SUCCEEDED, 0), result.errors
        assert f"nothing to catalogue: the source holds no {what}" in warnings(result)
    # a source with records gets no such warning
    rows = write_csv(tmp_path / "one.csv", [{"id": "A1", "title_en": "Bookkeeping basics"}])
    assert not [w for w in warnings(run(session, make_source(rows)))
                if w.startswith("nothing to catalogue")]


MICRODATA = f"""<!DOCTYPE html><html lang="en"><head><title>Bricklaying</title></head><body>
<main itemscope itemtype="https://schema.org/Course" itemid="{SITE}/c/bricks">
  <h1 itemprop="name">Bricklaying for beginners</h1>
  <p itemprop="description">Walls, <em>bonds</em> and mortar.</p>
  <a itemprop="url" href="/c/bricks">permalink</a>
  <meta itemprop="inLanguage" content="en">
  <div itemprop="provider" itemscope itemtype="https://schema.org/Organization">
    <span itemprop="name">Builders' College</span>
    <div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">
      <meta itemprop="addressCountry" content="IE"></div></div>
  <div itemprop="hasCourseInstance" itemscope itemtype="https://schema.org/CourseInstance">
    <time itemprop="startDate" datetime="2031-04-07">7 April</time>
    <meta itemprop="courseMode" content="onsite">
    <div itemprop="offers" itemscope itemtype="https://schema.org/Offer">
      <data itemprop="price" value="320">€320</data>
      <meta itemprop="priceCurrency" content="EUR"></div></div>
  <div itemprop="hasCourseInstance" itemscope itemtype="https://schema.org/CourseInstance">
    <time itemprop="startDate" datetime="2031-09-01">1 September</time></div>
</main></body></html>""".encode()

RDFA = f"""<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" lang="fr"><head><title>Soudure</title></head>
<body vocab="https://schema.org/">
<div typeof="Course" resource="{SITE}/c/soudure">
  <h1 property="name">Soudure à l'arc</h1>
  <p property="description">Souder des tôles d'acier.</p>
  <span property="inLanguage" content="fr">français</span>
  <div property="provider" typeof="Organization"><span property="name">Atelier Test</span></div>
  <div property="hasCourseInstance" typeof="CourseInstance">
    <time property="startDate" datetime="2031-05-12">12 mai</time>
    <span property="courseMode">online</span></div>
</div>
<div typeof="BreadcrumbList"><span property="name">Accueil</span></div>
</body></html>""".encode()


def test_one_page_of_json_ld_microdata_or_rdfa_is_a_source(session, make_source):
    from harvesters.detect import detect_format

    course = {"@context": "https://schema.org", "@type": "Course", "@id": "/c/python",
              "name": "Python for analysts", "inLanguage": "en",
              "hasCourseInstance": {"@type": "CourseInstance", "startDate": "2031-02-03"}}
    pages = {f"{SITE}/c/python.html": html_page(json.dumps(course)),
             f"{SITE}/c/bricks.html": MICRODATA, f"{SITE}/c/soudure.xhtml": RDFA}
    for url, page in pages.items():
        assert detect_format(page, url) == "schemaorg"  # by content, not by name
    assert detect_format(sitemap(pages), f"{SITE}/sitemap.xml") == "schemaorg"
    assert detect_format(html_page(title="No markup"), f"{SITE}/plain.html") is None

    loaded = {}
    for url, page in pages.items():
        source = make_source(url, fmt="schemaorg")
        fetch = serve(pages)
        result = run(session, source, fetch=fetch)
        assert (result.status, result.added, result.rejected) == (RunStatus.SUCCEEDED, 1, 0), \
            (url, result.message, [e.message for e in result.errors])
        assert fetch.requested == [url]  # the page itself, read once, is the whole source
        loaded.update(active(session, source))

    o = loaded[f"{SITE}/c/python"]
    assert o.title == {"en": "Python for analysts"} and o.start_dates == ["2031-02-03"]

    o = loaded[f"{SITE}/c/bricks"]  # microdata: itemid, nested items, meta, data and time
    assert o.title == {"en": "Bricklaying for beginners"}
    assert o.description == {"en": "Walls, bonds and mortar."}
    assert o.url == f"{SITE}/c/bricks" and o.awarding_body == "Builders' College"
    assert o.start_dates == ["2031-04-07", "2031-09-01"] and o.participation_form == "onsite"
    assert (o.price, o.currency) == (320.0, "EUR") and o.country == "IE"

    o = loaded[f"{SITE}/c/soudure"]  # RDFa Lite: vocab, typeof, resource, property, content
    assert o.title == {"fr": "Soudure à l'arc"} and o.languages == ["fr"]
    assert o.awarding_body == "Atelier Test" and o.participation_form == "online"
    assert o.start_dates == ["2031-05-12"]


def test_a_page_without_course_markup_warns_and_a_broken_one_still_fails(session, make_source):
    event = (b'<!doctype html><html><body><div itemscope itemtype="https://schema.org/Event">'
             b'<span itemprop="name">Open day</span></div></body></html>')
    source = make_source(f"{SITE}/open-day.html", fmt="schemaorg")
    result = run(session, source, fetch=serve({f"{SITE}/open-day.html": event}))
    assert (result.status, result.added) == (RunStatus.SUCCEEDED, 0)
    assert any(w.startswith("nothing to catalogue: found 1 schema.org Event, but no Course")
               for w in warnings(result))
    # what is neither a page, a sitemap nor JSON is still refused, not taken for a page
    result = run(session, source, fetch=serve({f"{SITE}/open-day.html": b"<rss/>"}))
    assert result.status is RunStatus.FAILED and "neither a sitemap" in result.message
