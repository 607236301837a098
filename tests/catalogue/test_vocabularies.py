from catalogue import vocabularies as vocab


def test_eqf_has_eight_levels_with_plain_descriptions():
    eqf = vocab.get("eqf")
    assert [t.code for t in eqf] == [str(i) for i in range(1, 9)]
    assert all(t.description and t.uri.endswith(f"/eqf/{t.code}") for t in eqf)


def test_commission_lists_are_loaded():
    assert vocab.get("isced_f").label("0913") == "Nursing and midwifery"
    assert vocab.get("nuts").label("DE21") == "Oberbayern"
    assert {t.code for t in vocab.get("participation_forms")} == {"online", "onsite", "blended"}
    assert len(list(vocab.get("supervision_levels"))) == 4
    assert all(t.uri.startswith("http://data.europa.eu/snb/assessment/")
               for t in vocab.get("assessment_types"))


def test_names_come_from_cldr_in_the_readers_language():
    assert vocab.country_name("DE", "fr") == "Allemagne"
    assert vocab.language_name("et", "de") == "Estnisch"
    assert vocab.is_country("PT") and not vocab.is_country("XX")
    assert not vocab.is_country("ZZ") and not vocab.is_country("EU")  # CLDR, but not countries


def test_hierarchies():
    assert vocab.isced_ancestors("0613") == ["06", "061", "0613"]
    assert vocab.nuts_ancestors("FRK26") == ["FRK", "FRK2", "FRK26"]


def test_esco_labels_in_three_languages():
    labels = vocab.esco_labels("http://data.europa.eu/esco/skill/0005c151-5b5a-4a66-8aac-60e734beb1ab")
    assert labels == {"en": "manage musical staff", "fr": "gérer le personnel musical",
                      "es": "gestionar tareas en relación con los músicos"}
    assert vocab.esco_labels("http://data.europa.eu/esco/skill/unknown") == {}


def test_generated_vocabularies_match_the_commissions_files(shared_data, tmp_path):
    from catalogue.vocabularies import extract
    extract.main(shared_data, tmp_path)
    generated = sorted(p.name for p in tmp_path.iterdir())
    assert generated == ["esco_occupations.csv", "esco_skills.csv", "isced_f.csv", "nuts.csv"]
    for name in generated:
        assert (tmp_path / name).read_bytes() == (vocab.DATA / name).read_bytes(), name


def test_a_country_by_its_code_its_alpha_3_code_or_its_english_name():
    assert [vocab.country_code(v) for v in ("ie", "IRL", "Ireland", " united states ")] == \
        ["IE", "IE", "IE", "US"]
    assert [vocab.country_code(v) for v in ("Europe", "EU", "XYZ", "", None)] == [None] * 5
    assert vocab.is_place_name("Europe") and not vocab.is_place_name("High Street")
    assert vocab.language_of_name(" english ") == "en" and vocab.language_of_name("Klingon x") is None
