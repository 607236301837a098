import math

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


@pytest.mark.parametrize("text, expected", [
    ("Wien", ("Vienna", "AT")),         # another language's name of four letters counts
    ("Szabadka", ("Subotica", "RS")),   # Hungarian name of a city of exactly 100,000 people
    ("Rom", None),                      # three letters: too short to be told from a word
    ("pali", None),                     # all lower case: a romanisation (of Paris)
    ("ミュンヘン", None),                 # a script no EU language uses
    ("Վիեննա", None),
])
def test_which_names_in_other_languages_count(text, expected):
    assert where(text) == expected


def test_the_other_names_of_a_city_below_the_population_floor_do_not_count():
    def city(population):
        return {"name": "Kettwig", "population": population,
                "alternatenames": ["Kettwich", "Ḁbcd", "ab", "ABCD", "Ab1d", "kettwik", "東京市"]}
    assert places._names(city(places.MIN_ALT_POPULATION - 1)) == {"Kettwig"}
    assert places._names(city(places.MIN_ALT_POPULATION)) == {"Kettwig", "Kettwich", "Ḁbcd"}


def test_european_scripts_by_code_point():
    assert places._european_script("Ḁlẞ Ωμέγα Ёж 2024")  # Latin Extended Additional included
    assert not places._european_script("Münchenミ")
    assert not places._european_script("Հայ")


@pytest.mark.parametrize("text, rest", [
    ("in München", ""),                     # the connecting word opens the query
    ("Schweißen nahe bei München", "Schweißen"),  # the longer connecting word is taken whole
    ("welding in or near Munich", "welding"),
    ("welding Munich, evenings", "welding evenings"),
    ("Lyon cuisine Lyon", "cuisine Lyon"),   # the first mention of the same city is taken
])
def test_connecting_words_and_the_rest(text, rest):
    place, remaining = find_place(text)
    assert place is not None and remaining == rest


def test_the_more_populous_of_two_cities_of_one_length_wins_wherever_it_is():
    assert where("Lyon Paris") == ("Paris", "FR")
    assert where("Paris Lyon") == ("Paris", "FR")
    place, rest = find_place("cuisine Lyon Paris")
    assert rest == "cuisine Lyon"


def test_the_words_of_one_name_stand_together():
    assert find_place("Den Haag")[0].name == "The Hague"
    assert find_place("Den-Haag")[0].name == "The Hague"
    assert find_place("Den, Haag")[1] == "Den"  # "Haag" alone, not the two-word name


def test_a_common_word_needs_a_capital_as_well_as_a_connecting_word():
    assert where("near Bath") == ("Bath", "GB")
    assert where("near bath") is None
    assert where("Bath") is None


def test_nearest_city_within_the_limit():
    munich = lookup("Munich")
    assert places.nearest(munich.lat + 0.01, munich.lon) == munich
    assert places.nearest(45.0, -30.0) is None  # mid-Atlantic


def test_nearest_city_limit_is_fifty_km():
    """Points out at sea due west of Galway, whose nearest city is Galway: named up to 50 km."""
    galway = lookup("Galway")
    degree_km = math.pi * places.EARTH_RADIUS_KM / 180 * math.cos(math.radians(galway.lat))
    for km, expected in [(49.5, galway), (50.5, None)]:
        lon = galway.lon - km / degree_km
        assert distance_km(galway.lat, lon, galway.lat, galway.lon) == pytest.approx(km, abs=0.05)
        assert places.nearest(galway.lat, lon) == expected


@pytest.mark.parametrize("lat", [8, 30, 45, 60])
def test_antipodes_are_half_the_circumference_at_any_latitude(lat):
    half = math.pi * places.EARTH_RADIUS_KM
    assert distance_km(lat, 0, -lat, 180) == pytest.approx(half)
    assert distances_km(lat, 0, np.array([-lat]), np.array([180]))[0] == pytest.approx(half)


def test_a_common_word_alone_or_after_articles_only():
    assert places._common(["union"]) and places._common(["la", "union"])
    assert places._common(["de", "la", "union"])
    assert not places._common(["de", "la"])            # articles only: no word to be common
    assert not places._common(["puerto", "union"])     # a name's own word before the common one
    assert not places._common(["la", "union", "de"])
