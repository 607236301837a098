"""The larger benchmark catalogue: real public course catalogues as learncat template rows.

Reads four files under ``<shared>/course-catalogues/`` (they stay there; nothing is copied into
the project) and yields one row of the CSV template (harvesters/templates/README.md) per course:

- ``mooc/edx_courses.csv``: id ``edx-<slug of course_url>``; the title and description in the
  ``language`` column's language; price 0 (audit is free; the certificate is extra), duration,
  hours (weekly effort x weeks);
- ``mooc/udemy_courses.csv``: id ``udemy-<course_id>``; price in USD (0 when not paid), video hours;
- ``mooc/coursera_courses.csv``: id ``coursera-<course_id>``;
- ``university/dtu-course-data-2026.json``: id ``dtu-<course code>``; English name (the only one
  the data has), language Danish or English, ECTS, EQF level from BSc/BEng/MSc/Ph.D., exam type.

Udemy and Coursera give no language, so it is guessed from the title (script, then common words).
MOOCs are online with the institution's country (US when not recognised); DTU is onsite in
Kongens Lyngby, DK. Values the template's validation would reject (ECTS 0, unknown codes) are
left out. None of the four has learning outcomes.

    write_csv(shared, path) -> number of rows written
"""
from __future__ import annotations

import csv
import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

DESCRIPTION_CHARS = 600
EDX_LANGUAGES = {"English": "en", "Español": "es", "Français": "fr", "Italiano": "it",
                 "Português": "pt", "Deutsch": "de", "中文": "zh", "日本語": "ja",
                 "اللغة العربية": "ar"}
DTU_LANGUAGES = {"Danish": "da", "English": "en"}
DTU_LEVELS = {"BSc": (6, "first"), "BEng": (6, "first"), "MSc": (7, "second"),
              "Ph.D.": (8, "third")}
DTU_EXAMS = {"Oral exam": "oral-exam", "Written exam": "written-exam",
             "Exam project": "project-work"}
# Institutions outside the US, by a word of their name (first match wins).
COUNTRIES = [
    ("Technical University of Denmark", "DK"), ("Copenhagen", "DK"), ("Delft", "NL"),
    ("Wageningen", "NL"), ("Eindhoven", "NL"), ("Erasmus", "NL"), ("Leiden", "NL"),
    ("Amsterdam", "NL"), ("Utrecht", "NL"), ("Leuven", "BE"), ("Louvain", "BE"),
    ("RWTH", "DE"), ("München", "DE"), ("Chalmers", "SE"), ("Lund", "SE"), ("Iceland", "IS"),
    ("ETH Zurich", "CH"), ("Lausanne", "CH"), ("Geneva", "CH"), ("Bocconi", "IT"),
    ("Napoli", "IT"), ("Madrid", "ES"), ("Barcelona", "ES"), ("Valencia", "ES"), ("IE ", "ES"),
    ("IESE", "ES"), ("HEC Montréal", "CA"), ("Montréal", "CA"), ("HEC Paris", "FR"),
    ("ESSEC", "FR"), ("ESCP", "FR"), ("EDHEC", "FR"), ("INSEAD", "FR"), ("Sciences Po", "FR"),
    ("École Polytechnique", "FR"), ("IMT", "FR"), ("London", "GB"), ("Oxford", "GB"),
    ("Edinburgh", "GB"), ("Manchester", "GB"), ("UCL", "GB"), ("Rolls-Royce", "GB"),
    ("Toronto", "CA"), ("British Columbia", "CA"), ("Alberta", "CA"), ("McMaster", "CA"),
    ("Queen’s University", "CA"), ("Queensland", "AU"), ("Adelaide", "AU"), ("Curtin", "AU"),
    ("Sydney", "AU"), ("Melbourne", "AU"), ("Macquarie", "AU"), ("Australian National", "AU"),
    ("Tsinghua", "CN"), ("Peking", "CN"), ("Hong Kong", "HK"), ("Singapore", "SG"),
    ("Waseda", "JP"), ("Tokyo", "JP"), ("Kyoto", "JP"), ("Yonsei", "KR"), ("IITBombay", "IN"),
    ("Indian Institute", "IN"), ("Israel", "IL"), ("Tel Aviv", "IL"), ("Hebrew", "IL"),
    ("Monterrey", "MX"), ("Anáhuac", "MX"), ("México", "MX"), ("Galileo", "GT"),
    ("Córdoba", "AR"), ("Austral", "AR"), ("Chile", "CL"), ("Javeriana", "CO"),
    ("Rosario", "CO"), ("Andes", "CO"), ("LOGYCA", "CO"), ("São Paulo", "BR"), ("Campinas", "BR"),
    ("Moscow", "RU"), ("Petersburg", "RU"), ("Higher School of Economics", "RU"),
    ("Nuclear", "RU"), ("Novosibirsk", "RU"), ("Ural", "RU"), ("Yandex", "RU"),
    ("Cape Town", "ZA"), ("Wits", "ZA"), ("United Arab Emirates", "AE"), ("JetBrains", "CZ"),
]
# Words that mark a title's language when its script is Latin (Udemy and Coursera only);
# one-letter words count only in lower case ("E-Book" is not Portuguese).
MARKERS = {
    "es": "el los las y con del para curso cómo como aprende aprender desde cero una tu tus sin "
          "más al por introducción gestión análisis programación básico principiantes fácil "
          "completo práctico guitarra tocar línea español niif pymes hacia novatos diseño "
          "contabilidad aprendiendo creando fundamentos herramientas competencias escalas "
          "primeros finanzas ilustración conviértete iníciate crea estrategias creación técnicas",
    "pt": "e o em com do da dos das para curso como aprenda uma você seu sua não ao introdução "
          "análise gestão programação básico iniciante iniciantes fácil completo ações jeito "
          "parte ciência computação financeira revisão criar ganhe utilizar efeito violão "
          "tratamento síntese preciso minhas",
    "fr": "le les des et pour avec du une cours apprendre à réussir gestion débutants français "
          "france étudier aux rédaction développement découvrez dessiner heure devenez devenir "
          "entreprise changement débuter présentation stratégie",
    "de": "der die das und mit für ein eine lernen kurs wie von zu im einführung leicht "
          "gemacht funktionieren spielen alles rund um verkaufe deine erfolgreich",
    "it": "il di per con corso come impara della delle gli le basi un una creare diventa tutti "
          "professionista costruzione proposta introduttivo suonare chitarra contabilità",
    "en": "the and to for of with in your how an learn course beginners guide complete "
          "introduction to from build create using master step by made easy you what it is be "
          "are on at",
}
MARKERS = {lang: set(words.split()) for lang, words in MARKERS.items()}
WEAK = {"de": ("es", "pt", "fr"), "la": ("es", "fr", "it"), "en": ("es", "fr"),
        "a": ("es", "pt", "it")}  # half a point each
ACCENTS = {"es": "ñ¿¡", "pt": "ãõ", "fr": "èêëœ", "de": "äöüß", "it": "ù", "tr": "şğı",
           "pl": "łąęśżź"}
SCRIPTS = [("ja", r"[\u3040-\u30ff]"), ("zh", r"[\u4e00-\u9fff]"), ("ru", r"[\u0400-\u04ff]"),
           ("ar", r"[\u0600-\u06ff]"), ("th", r"[\u0e00-\u0e7f]"), ("ko", r"[\uac00-\ud7af]")]


def template_rows(shared: Path) -> Iterator[dict]:
    """One template row (column -> cell text) per course of the four catalogues."""
    base = Path(shared) / "course-catalogues"
    yield from _edx(base / "mooc" / "edx_courses.csv")
    yield from _udemy(base / "mooc" / "udemy_courses.csv")
    yield from _coursera(base / "mooc" / "coursera_courses.csv")
    yield from _dtu(base / "university" / "dtu-course-data-2026.json")


def write_csv(shared: Path, path: Path) -> int:
    """Write template_rows(shared) to ``path`` as a UTF-8 template CSV; returns the row count."""
    rows = list(template_rows(shared))
    header = list(dict.fromkeys(k for row in rows for k in row))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def _edx(path: Path) -> Iterator[dict]:
    for c in _read_csv(path):
        lang = EDX_LANGUAGES.get(c["language"].strip(), "en")
        weeks = _first_number(c["course_length"])
        effort = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", c["course_effort"])]
        row = {"id": "edx-" + c["course_url"].rstrip("/").rsplit("/", 1)[-1],
               f"title_{lang}": c["title"].strip(),
               f"description_{lang}": _short(c["summary"], c["course_description"]),
               "awarding_body": c["institution"].strip(),
               "country": _country(c["institution"]), "participation_form": "online",
               "languages": lang, "url": c["course_url"].strip(),
               "start_anytime": "yes" if c["course_type"].startswith("Self-paced") else "no"}
        if weeks and "week" in c["course_length"].lower():
            row["duration"] = f"{weeks:g} weeks"
            if effort and "week" in c["course_effort"]:
                row["workload_hours"] = f"{round(weeks * sum(effort) / len(effort)):g}"
        if c["price"].upper().startswith("FREE"):
            row.update(price="0", currency="USD")
        yield _clean(row)


def _udemy(path: Path) -> Iterator[dict]:
    for c in _read_csv(path):
        lang = guess_language(c["course_title"])
        paid = c["is_paid"].strip().lower() == "true"
        price = c["price"].strip() if paid else "0"
        yield _clean({"id": f"udemy-{c['course_id'].strip()}",
                      f"title_{lang}": c["course_title"].strip(), "awarding_body": "Udemy",
                      "country": "US", "participation_form": "online", "languages": lang,
                      "workload_hours": _positive(c["content_duration"]), "start_anytime": "yes",
                      "price": price if price.replace(".", "").isdigit() else "",
                      "currency": "USD", "url": c["url"].strip()})


def _coursera(path: Path) -> Iterator[dict]:
    for c in _read_csv(path):
        lang = guess_language(c["name"])
        yield _clean({"id": f"coursera-{c['course_id'].strip()}",
                      f"title_{lang}": c["name"].strip(),
                      "awarding_body": c["institution"].strip(),
                      "country": _country(c["institution"]), "participation_form": "online",
                      "languages": lang, "url": c["course_url"].strip()})


def _dtu(path: Path) -> Iterator[dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    for code, name in data["course_english_names"].items():
        get = lambda key: data.get(key, {}).get(code)  # noqa: E731
        level, cycle = DTU_LEVELS.get(get("course_type"), (None, None))
        online = "online" in name.lower()
        row = {"id": f"dtu-{code}", "title_en": name.strip(),
               "awarding_body": "Technical University of Denmark", "country": "DK",
               "ects": _positive(get("course_ects")), "eqf_level": level or "",
               "qf_ehea_cycle": cycle or "",
               "assessment_type": DTU_EXAMS.get(get("course_exam"), ""),
               "participation_form": "online" if online else "onsite",
               "languages": DTU_LANGUAGES.get(get("course_language"), ""),
               "grading_en": "pass / fail" if get("course_grade") == "P/F" else "",
               "url": f"https://kurser.dtu.dk/course/{code}"}
        if not online:
            row.update(place_city="Kongens Lyngby", place_nuts="DK012", place_country="DK")
        yield _clean(row)


def guess_language(title: str) -> str:
    """ISO 639-1 code of a short title: its script (kana make CJK Japanese), else the language
    whose common words and letters it uses most; English when nothing clearly says otherwise."""
    letters = sum(ch.isalpha() for ch in title)
    counts = {lang: len(re.findall(pattern, title)) for lang, pattern in SCRIPTS}
    if counts["ja"] >= 3 or counts["ja"] and counts["ja"] + counts["zh"] >= 0.3 * letters:
        return "ja"
    for lang, count in counts.items():
        if letters and count >= 0.3 * letters:
            return lang
    words = re.findall(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", title)
    scores = {lang: 0.0 for lang in (*MARKERS, "tr", "pl")}
    for word in words:
        low = word.lower()
        if len(word) == 1 and word.isupper():
            continue
        if re.match(r"(l|d|qu)['’]", low):
            scores["fr"] += 1
        for lang, marks in MARKERS.items():
            scores[lang] += low in marks
        if re.search("[áíóú]", low):
            scores["es"] += 0.5
            scores["pt"] += 0.5
        for lang in WEAK.get(low, ()):
            scores[lang] += 0.5
    low = title.lower()
    for lang, chars in ACCENTS.items():
        scores[lang] += 2 * sum(ch in chars for ch in low)
    scores["pt"] += 2 * (low.count("ção") + low.count("ções"))
    best = max(scores, key=lambda lang: (scores[lang], lang == "en"))
    return best if scores[best] >= 1.5 and scores[best] > scores["en"] else "en"


def _read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _short(*texts: str) -> str:
    """Plain text of the texts (tags dropped, whitespace folded), cut to DESCRIPTION_CHARS at a
    word boundary."""
    parts = [re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", t or ""))).strip()
             for t in texts]
    parts = [p if p[-1:] in ".!?:;" else p + "." for p in dict.fromkeys(p for p in parts if p)]
    text = " ".join(parts)
    if len(text) <= DESCRIPTION_CHARS:
        return text
    return text[:DESCRIPTION_CHARS].rsplit(" ", 1)[0].rstrip(" ,;:") + " …"


def _country(institution: str) -> str:
    return next((cc for word, cc in COUNTRIES if word in institution), "US")


def _first_number(text: str) -> float | None:
    match = re.search(r"\d+(?:\.\d+)?", text or "")
    return float(match[0]) if match else None


def _positive(value) -> str:
    """A number as text when above zero (the template rejects 0 ECTS or hours), else empty."""
    try:
        number = float(str(value).replace(",", "."))
    except (TypeError, ValueError):
        return ""
    return f"{number:g}" if number > 0 else ""


def _clean(row: dict) -> dict:
    """The row without empty cells, '|' inside single values, or straight double quotes.

    The harvester sniffs the CSV dialect from the header row alone, which (having no quotes)
    makes Python's csv.Sniffer choose doublequote=False: a doubled "" inside a quoted cell
    then ends the cell and shifts the row's columns. Typographic quotes avoid that."""
    return {k: _quotes(str(v).replace("|", "/") if k != "languages" else str(v))
            for k, v in row.items() if str(v).strip()}


def _quotes(text: str) -> str:
    parts = text.split('"')
    marks = ("“" if i % 2 == 0 else "”" for i in range(len(parts) - 1))
    return "".join(p + m for p, m in zip(parts, marks)) + parts[-1]
