"""The "Did you mean" speller's rules on hand-made word counts: word lengths and edit distances,
the first letter, known words, nearest then most frequent, and the reader's-language fallback."""
from collections import Counter

import wordfreq

from catalogue import vocabularies as vocab
from indexer import analysis, spelling
from indexer.spelling import (Speller, in_some_language, known_words, language_correction,
                              language_words)


def test_four_letter_words_are_corrected_three_letter_words_are_not():
    speller = Speller(Counter({"weld": 3, "cap": 3}))
    assert speller.correct("wela") == "weld"
    assert speller.correct("cax") is None  # one edit from "cap", but too short to guess


def test_a_four_letter_word_may_be_corrected_to_a_three_letter_one():
    """Catalogue words one letter shorter than the shortest corrected word are candidates."""
    assert Speller(Counter({"car": 3})).correct("carr") == "car"


def test_one_edit_up_to_seven_letters_two_from_eight():
    speller = Speller(Counter({"welding": 5, "plumbing": 5}))
    assert speller.correct("weldimg") == "welding"    # 7 letters, one edit
    assert speller.correct("wildeng") is None         # 7 letters, two edits
    assert speller.correct("plimbong") == "plumbing"  # 8 letters, two edits
    assert speller.correct("plimbonj") is None        # 8 letters, three edits


def test_a_known_word_is_never_corrected():
    """README's example: "lernen" is one edit from the Dutch "leren", and still right."""
    counts = Counter({"leren": 4})
    assert Speller(counts).correct("lernen") == "leren"
    speller = Speller(counts, known=frozenset({"lernen"}))
    assert speller.correct("lernen") is None
    assert speller.correct("Lernen") is None


def test_case_and_diacritics_are_folded_away():
    speller = Speller(Counter({"welding": 2, "ecole": 3}))
    assert speller.correct("WELDNG") == "welding"
    assert speller.correct("Wéldng") == "welding"
    assert speller.correct("Wélding") is None  # the catalogue has it
    assert speller.correct("École") is None


def test_nearest_then_most_frequent():
    assert Speller(Counter({"welding": 2, "wending": 7})).correct("weding") == "wending"
    assert Speller(Counter({"plumbing": 1, "plumbings": 50})).correct("plumbinng") == "plumbing"


def test_an_equal_tie_does_not_depend_on_the_order_of_the_counts():
    one = Speller(Counter({"welding": 3, "wending": 3})).correct("weding")
    other = Speller(Counter({"wending": 3, "welding": 3})).correct("weding")
    assert one == other and one in {"welding", "wending"}


def test_unknown_words_are_long_enough_and_neither_catalogue_nor_known_words():
    speller = Speller(Counter({"welding": 2}), known=frozenset({"lernen"}))
    assert speller.unknown("wxyz")
    assert not speller.unknown("wxy")
    assert not speller.unknown("Welding")
    assert not speller.unknown("lernen")
    assert not speller.unknown("20245")


def test_known_words_are_the_translations_and_the_esco_labels(tmp_path, monkeypatch):
    """Every translated string, singular or plural, and every ESCO label of both kinds, folded;
    translations are optional (called uncached, so the fake ESCO table stays in this test)."""
    esco = {"skills": {"s1": {"en": "weld steel", "it": "saldare"}},
            "occupations": {"o1": {"fr": "Soudeur"}}}
    monkeypatch.setattr(vocab, "esco_table", esco.__getitem__)
    po = tmp_path / "it" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
                  '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
                  'msgid "City"\nmsgstr "Città"\n\n'
                  'msgid "%(num)d offer"\nmsgid_plural "%(num)d offers"\n'
                  'msgstr[0] "%(num)d offerta"\nmsgstr[1] "%(num)d offerte"\n\n'
                  'msgid "Untranslated"\nmsgstr ""\n', encoding="utf-8")
    words = known_words.__wrapped__(str(tmp_path))
    assert {"citta", "offerta", "offerte", "weld", "saldare", "soudeur"} <= words
    without = known_words.__wrapped__(None)
    assert {"saldare", "soudeur"} <= without and "citta" not in without


def test_the_readers_language_counts_its_rare_words_other_languages_their_frequent_ones():
    """The module's example: "escanção" is Portuguese, too rare for any language's small list."""
    assert in_some_language("escanção", "pt")
    assert not in_some_language("escanção")
    assert not in_some_language("escanção", "mt")  # no wordfreq list for Maltese
    assert in_some_language("eliminare")
    assert in_some_language("eliminare", "en")
    assert not in_some_language("saldatrua", "it")


def test_a_word_of_another_eu_language_is_not_corrected_in_the_readers():
    """"eliminare" is Italian, though one edit from the English "eliminate"."""
    assert language_correction("eliminare", "en") == "eliminate"
    assert Speller(Counter({"welding": 1})).corrections(["eliminare"], "en") == {}


def test_language_words_are_the_50000_most_frequent_words_of_three_letters_or_more():
    buckets = language_words("en")
    top = wordfreq.top_n_list("en", 50_001)
    last, beyond = top[49_999], top[50_000]
    assert all(w.isalpha() and analysis.fold(w) == w for w in (last, beyond))
    assert (last, last) in buckets[last[0]]
    assert beyond not in [w for w, _ in buckets[beyond[0]]]
    assert buckets["t"][0] == ("the", "the")
    assert "of" not in [w for w, _ in buckets["o"]]
    folded = [w for bucket in buckets.values() for w, _ in bucket]
    assert all(w.isalpha() and len(w) >= 3 for w in folded)
    assert len(folded) == len(set(folded))
    assert all(w.startswith(letter) for letter, bucket in buckets.items() for w, _ in bucket)


def test_language_words_keep_the_written_form():
    assert ("enfermeria", "enfermería") in language_words("es")["e"]
    assert language_words("mt") is None


def test_language_correction_is_the_nearest_then_most_frequent_one_edit_away(monkeypatch):
    buckets = {"c": [("care", "care"), ("cart", "cart"), ("card", "card")],
               "e": [("ecole", "école")]}
    monkeypatch.setattr(spelling, "language_words", lambda lang: buckets)
    assert language_correction("carx", "xx") == "care"   # all one edit: the most frequent
    assert language_correction("Cart", "xx") == "cart"   # the word itself is nearest
    assert language_correction("ecoles", "xx") == "école"  # in its written form
    assert language_correction("cbxe", "xx") is None     # two edits from "care"
    assert language_correction("xart", "xx") is None     # another first letter


def test_no_language_correction_without_a_word_list_or_a_word():
    assert language_correction("saldatrua", "mt") is None
    assert language_correction("", "it") is None


def test_a_closer_word_of_another_first_letter_hides_no_word_of_the_same_one():
    """"datenanalyze": "batenanalyze" is one edit away but starts otherwise; "datenanalysi",
    two edits away (12 letters allow two), keeps the first letter and is the correction."""
    speller = Speller(Counter({"batenanalyze": 1, "datenanalysi": 1}))
    assert speller.correct("datenanalyze") == "datenanalysi"
