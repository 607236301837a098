import time

import numpy as np
import pytest

from indexer import places
from indexer.places import Place, distance_km, distances_km, find_place, lookup


def where(text: str) -> tuple[str, str] | None:
    place, _ = find_place(text)
    return (place.name, place.country) if place else None


MUNICH = ("Munich", "DE")


@pytest.mark.parametrize("text", [
    "Munich", "München", "munchen", "MÜNCHEN", "Muenchen", "Mnichov", "Monaco di Baviera",
    "Monachium", "Munique", "Múnich",
])
def test_munich_in_any_language_and_case(text):
    assert where(text) == MUNICH


@pytest.mark.parametrize("text, expected", [
    ("soins infirmiers Lyon", ("Lyon", "FR")),
    ("courses near Porto", ("Porto", "PT")),
    ("kurs Python Warszawa", ("Warsaw", "PL")),
    ("Warsaw", ("Warsaw", "PL")),
    ("Varsovie", ("Warsaw", "PL")),
    ("Warschau", ("Warsaw", "PL")),
    ("Lisboa", ("Lisbon", "PT")),
    ("lisbon", ("Lisbon", "PT")),
    ("Frankfurt am Main", ("Frankfurt am Main", "DE")),
    ("Frankfurt", ("Frankfurt am Main", "DE")),  # the most populous Frankfurt
    ("La Coruña", ("A Coruña", "ES")),
    ("corsi di cucina Reggio nell'Emilia", ("Reggio nell'Emilia", "IT")),
    ("Den Haag", ("The Hague", "NL")),
    ("formation Lille", ("Lille", "FR")),  # a big city, though Danish "lille" is "small"
    ("Αθήνα", ("Athens", "GR")),
    ("курс София", ("Sofia", "BG")),
])
def test_cities(text, expected):
    assert where(text) == expected


@pytest.mark.parametrize("text, rest", [
    ("welding Munich", "welding"),
    ("Schweißen in München", "Schweißen"),
    ("Schweißen in der Nähe von München", "Schweißen"),
    ("courses near Porto", "courses"),
    ("soins infirmiers à Lyon", "soins infirmiers"),
    ("corsi a Monaco di Baviera", "corsi"),
    ("kurs Python w Warszawa", "kurs Python"),
    ("Lyon soins infirmiers", "soins infirmiers"),
    ("Mnichov", ""),
])
def test_the_rest_of_the_query(text, rest):
    place, remaining = find_place(text)
    assert place is not None and remaining == rest


def test_longest_name_wins():
    place, rest = find_place("Frankfurt am Main Buchhaltung")
    assert place.name == "Frankfurt am Main" and rest == "Buchhaltung"


def test_most_populous_city_of_a_name():
    assert where("Paris") == ("Paris", "FR")  # not Paris, Texas
    assert lookup("paris").country == "FR"


def test_only_europe():
    assert where("Toronto") is None
    assert where("Buenos Aires") is None


TOPICS = [
    "python", "data analysis", "Data", "nursing", "project management", "cybersecurity",
    "heat pumps", "sign language", "wine tourism", "first aid", "mobile apps", "Rust programming",
    "best practices", "most popular courses", "nice to have", "split testing", "reading skills",
    "sale management", "tours", "bar management", "bath", "police training", "rugby coaching",
    "wedding planning", "fleet management", "pest control", "time management", "Big Data",
    "deal with stress", "hull cleaning", "forest management", "Erste Hilfe", "Haar schneiden",
    "gesundes Essen", "Mut zur Führung", "Wärmepumpen", "Gebärdensprache", "Krankenpflege",
    "soins infirmiers", "pompes à chaleur", "formation trier les déchets", "écrire en russe",
    "la défense des droits", "primeros auxilios", "como programar", "curso de ventas",
    "lengua de signos", "enfermería", "la unión de metales", "gestão de projetos",
    "mestre de obras",
    "primo soccorso", "pompe di calore", "corsi di crema", "pierwsza pomoc", "pielęgniarstwo",
    "zarządzanie projektami", "ošetřovatelství", "kurz první pomoci", "most a tunel",
    "verpleegkunde", "van der Waals", "ensiapu", "sairaanhoito", "första hjälpen", "fordon",
    "porta a porta", "minden nap", "este curso", "enoturismo",
]


@pytest.mark.parametrize("text", TOPICS)
def test_topics_are_not_places(text):
    assert find_place(text) == (None, text)


@pytest.mark.parametrize("text, expected", [
    ("cours à Nice", ("Nice", "FR")),
    ("tourism in Split", ("Split", "HR")),
    ("formation à Tours", ("Tours", "FR")),
    ("courses near Bath", ("Bath", "GB")),
])
def test_a_common_word_is_a_place_after_a_connecting_word_and_capitalised(text, expected):
    assert where(text) == expected
    assert where(text.lower()) is None


def test_lookup_for_near_parameter():
    assert lookup("münchen") == lookup("Munich") == lookup("MNICHOV")
    assert lookup("Munich").country == "DE"
    assert lookup("nice").name == "Nice"  # an explicit place, even a common word
    assert lookup("Atlantis") is None
    assert lookup("") is None


def test_place_is_frozen():
    place = lookup("Lyon")
    assert isinstance(place, Place) and place.population > 400_000
    with pytest.raises(AttributeError):
        place.name = "x"


@pytest.mark.parametrize("a, b, km", [
    ((48.1374, 11.5755), (45.7640, 4.8357), 575),   # Munich - Lyon
    ((51.5074, -0.1278), (48.8566, 2.3522), 344),   # London - Paris
    ((52.5200, 13.4050), (48.1374, 11.5755), 504),  # Berlin - Munich
    ((0.0, 0.0), (0.0, 180.0), 20015),              # half the equator
])
def test_distance_km(a, b, km):
    assert distance_km(*a, *b) == pytest.approx(km, abs=3)
    assert distance_km(*b, *a) == pytest.approx(distance_km(*a, *b))
    assert distance_km(*a, *a) == 0


def test_distances_km_vectorised_matches_scalar():
    munich, lyon = lookup("Munich"), lookup("Lyon")
    lats = np.array([lyon.lat, munich.lat, 52.52])
    lons = np.array([lyon.lon, munich.lon, 13.405])
    got = distances_km(munich.lat, munich.lon, lats, lons)
    assert got.shape == (3,)
    one_by_one = [distance_km(munich.lat, munich.lon, a, o) for a, o in zip(lats, lons)]
    assert got == pytest.approx(one_by_one)
    assert 560 < got[0] < 590 and got[1] == 0


def test_parsing_is_fast_after_the_first_load():
    places._gazetteer()
    queries = ["welding Munich", "Schweißen in der Nähe von München", "data analysis",
               "kurs Python Warszawa"]
    start = time.perf_counter()
    for _ in range(250):
        for q in queries:
            find_place(q)
    assert (time.perf_counter() - start) / 1000 < 0.001
