from indexer import analysis
from indexer.sqlite.backend import match_expression


def test_fold_removes_diacritics_and_case():
    assert analysis.fold("Łódź") == "lodz"
    assert analysis.fold("Straße") == "strasse"
    assert analysis.fold("ÉCOLE") == "ecole"
    assert analysis.fold("Søren") == "soren"


def test_stems_are_language_specific_and_folded():
    assert analysis.analyze("Soins infirmiers gériatriques", "fr") == "soin infirmi geriatr"
    assert analysis.analyze("Schweißen von Baustahl", "de") == "schweiss von baustahl"
    assert analysis.analyze("Instalación de paneles", "es") == "instal de panel"
    assert analysis.analyze("Managing projects", "en") == "manag project"
    assert analysis.analyze("Kööki", "xx") == "kooki"  # no stemmer: folded words


def test_query_words_get_the_stems_of_every_catalogue_language():
    (alternatives,) = analysis.query_alternatives("infirmières", {"fr", "en"})
    assert "infirmi" in alternatives and "infirmieres" in alternatives


def test_match_expression_requires_every_word():
    expression = match_expression([{"soin"}, {"infirmi", "infirmier", "nurse"}])
    assert expression == '("soin") AND ("infirmi"* OR "nurse"*)'  # infirmier* is in infirmi*
    assert match_expression([set()]) == ""
