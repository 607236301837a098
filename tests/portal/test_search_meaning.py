"""What a user typing loose, misspelt or foreign words meets, on the page and in the API."""
import pytest


def api(client, **params):
    response = client.get("/api/v1/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def titles(data):
    return [" ".join(r["title"].values()) for r in data["results"]]


def test_a_generic_word_never_empties_the_page(client):
    alone = api(client, q="Schweißen")
    with_course = api(client, q="Schweißen Kurs")
    assert alone["total"] >= 5
    assert titles(with_course)[:5] == titles(alone)[:5]
    assert all("chwei" in t for t in titles(with_course)[:5])


@pytest.mark.parametrize("typed, meant", [("weldng", "welding"), ("nursng", "nursing"),
                                          ("pythn", "python"), ("cybersecurty", "cybersecurity")])
def test_typing_errors_find_the_offers_and_say_what_was_meant(client, typed, meant):
    data = api(client, q=typed)
    assert data["did_you_mean"] == meant
    assert data["query"]["corrections"] == {typed: meant}
    assert data["total"] and meant in titles(data)[0].lower()
    page = client.get("/en/", query_string={"q": typed}).get_data(as_text=True)
    assert "Did you mean:" in page and f"q={meant}" in page


@pytest.mark.parametrize("text", ["Cybersicherheit", "Datenanalyse", "ανάλυση δεδομένων"])
def test_words_in_another_language_find_the_topic(client, text):
    data = api(client, q=text)
    assert data["total"] > 0 and not data["closest"]
    first = titles(data)[0].lower()
    assert any(w in first for w in ("cyber", "küber", "data", "analy", "andme")), first


def test_a_city_in_the_words_is_a_place_filter(client):
    data = api(client, q="welding Munich")
    near = data["query"]["near"]
    assert near["place"] == "Munich" and near["radius_km"] == 25
    assert data["query"]["text"] == "welding"
    assert data["total"] >= 2 and all("München" in r["cities"] for r in data["results"])
    for other in ("München", "Mnichov", "Monaco di Baviera"):
        assert api(client, q=f"Schweißen {other}")["query"]["near"]["place"] == "Munich"
    page = client.get("/en/?q=welding+Munich").get_data(as_text=True)
    assert "Within 25 km of Munich" in page


def test_radius_search_and_online_offers_by_choice(client):
    lyon = api(client, near="Lyon", radius_km="10", per_page="100")
    assert lyon["total"] > 0 and all("Lyon" in r["cities"] for r in lyon["results"])
    wider = api(client, near="Lyon", radius_km="10", online="include", per_page="100")
    assert wider["total"] > lyon["total"]
    assert {r["form"] for r in wider["results"]} >= {"online"}
    by_point = api(client, lat="45.76", lon="4.84", radius_km="10", per_page="100")
    assert by_point["total"] == lyon["total"]


@pytest.mark.parametrize("query, param", [
    ("near=Atlantis", "near"), ("near=Lyon&radius_km=0", "radius_km"),
    ("near=Lyon&radius_km=5000", "radius_km"), ("lat=91&lon=3", "lat"), ("lat=45&lon=abc", "lon"),
])
def test_bad_place_parameters_are_400_problems(client, query, param):
    response = client.get(f"/api/v1/search?{query}")
    assert response.status_code == 400
    assert param in {e["param"] for e in response.get_json()["errors"]}


def test_no_dead_end_the_closest_offers_are_labelled(client):
    data = api(client, q="astrophysics of black holes")
    assert data["closest"] and data["results"]
    assert not api(client, q="welding")["closest"]
    page = client.get("/en/?q=astrophysics+of+black+holes").get_data(as_text=True)
    assert "These are the closest in meaning" in page and 'class="card"' in page


@pytest.mark.parametrize("lang, typed, meant, found", [
    ("es", "curso de sodladura", "soldadura", "schwei"), ("nl", "cursus boekhouen", "boekhouden",
                                                          "bookkeeping"),
    ("es", "curso de enfremería", "enfermería", "infirm")])
def test_a_typing_error_in_the_readers_language_finds_offers_in_others(client, lang, typed, meant,
                                                                       found):
    data = api(client, q=typed, lang=lang)
    assert meant in data["query"]["corrections"].values()
    assert data["total"] > 0 and not data["closest"]
    assert any(found in t.lower() for t in titles(data)[:10]), titles(data)[:10]
    typed_only = api(client, q=typed, lang="en")  # no Italian or Spanish words to correct with
    assert not any(found in t.lower() for t in titles(typed_only)[:10])
