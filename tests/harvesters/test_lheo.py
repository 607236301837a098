"""LHEO 2.2 / 2.3 through the real runner, on documents this test writes (no LHEO feed is in the
shared data: only the Formacode vocabulary, checked against the project's label file below)."""
import csv

import pytest
from sqlalchemy import select

from catalogue.models import Opportunity, RunStatus, Severity, Stage, Status
from harvesters.detect import detect_format
from harvesters.lheo import code_labels
from harvesters.runner import run

NS_23, NS_22 = "http://lheo.gouv.fr/2.3", "http://www.lheo.org/2.2"

FORMATION_1 = """
  <formation numero="F1">
   <domaine-formation>
    <code-FORMACODE ref="V12" tag="principal">11001</code-FORMACODE>
    <code-FORMACODE>00042</code-FORMACODE>
    <code-NSF>114</code-NSF>
    <code-ROME>M1805</code-ROME>
   </domaine-formation>
   <intitule-formation>Technicien en optimisation de réseaux</intitule-formation>
   <objectif-formation>&lt;p&gt;Modéliser un réseau &lt;b&gt;logistique&lt;/b&gt;.&lt;/p&gt;
   </objectif-formation>
   <resultats-attendus>&lt;ul&gt;&lt;li&gt;Tracer un graphe de flux&lt;/li&gt;
    &lt;li&gt;Calculer un plus court chemin&lt;/li&gt;&lt;/ul&gt;</resultats-attendus>
   <contenu-formation>Théorie des graphes.
Programmation linéaire.</contenu-formation>
   <certifiante>1</certifiante>
   <contact-formation><coordonnees><courriel>accueil@reseaux.example</courriel></coordonnees>
   </contact-formation>
   <parcours-de-formation>2</parcours-de-formation>
   <code-niveau-entree>5</code-niveau-entree>
   <certification><code-RNCP>35430</code-RNCP><code-CPF>1234</code-CPF></certification>
   <code-niveau-sortie>6</code-niveau-sortie>
   <url-formation><urlweb>https://reseaux.example/technicien</urlweb></url-formation>
   <action numero="A1">
    <rythme-formation>Temps plein</rythme-formation>
    <code-public-vise>80015</code-public-vise>
    <modalites-enseignement>1</modalites-enseignement>
    <conditions-specifiques>Bac scientifique ou équivalent</conditions-specifiques>
    <lieu-de-formation><coordonnees><ligne>Campus Nord</ligne>
     <adresse><ligne>2 rue des Graphes</ligne><codepostal>35000</codepostal><ville>Rennes</ville>
      <region>53</region><pays>FR</pays>
      <geolocalisation><latitude>48.1147</latitude><longitude>-1.6794</longitude></geolocalisation>
     </adresse></coordonnees></lieu-de-formation>
    <modalites-entrees-sorties>0</modalites-entrees-sorties>
    <session numero="S1">
     <periode><debut>20270105</debut><fin>20270330</fin></periode>
     <adresse-inscription><adresse><ligne>2 rue des Graphes</ligne><codepostal>35000</codepostal>
      <ville>Rennes</ville></adresse></adresse-inscription>
     <periode-inscription><periode><debut>20261101</debut><fin>20261215</fin></periode>
     </periode-inscription>
     <etat-recrutement>1</etat-recrutement>
     <recrutement><modalite-recrutement>8</modalite-recrutement><nb-places>12</nb-places>
     </recrutement>
    </session>
    <session numero="S2">
     <periode><debut>00000000</debut><fin>99999999</fin></periode>
     <adresse-inscription><adresse><ligne>2 rue des Graphes</ligne><codepostal>35000</codepostal>
      <ville>Rennes</ville></adresse></adresse-inscription>
     <etat-recrutement>2</etat-recrutement>
    </session>
    <acces-handicapes>Locaux accessibles</acces-handicapes>
    <langue-formation>fr</langue-formation>
    <langue-formation>en</langue-formation>
    <prix-horaire-TTC>9,26</prix-horaire-TTC>
    <prix-total-TTC>1 250,50</prix-total-TTC>
    <duree-indicative>3 mois</duree-indicative>
    <nombre-heures-centre>100</nombre-heures-centre>
    <nombre-heures-entreprise>35</nombre-heures-entreprise>
    <organisme-financeur><code-financeur>2</code-financeur></organisme-financeur>
    <extras info="ACTION CARIF"><extra info="identifiant">A-77</extra></extras>
   </action>
   <action numero="A2">
    <code-public-vise>80015</code-public-vise>
    <modalites-enseignement>2</modalites-enseignement>
    <modalites-entrees-sorties>1</modalites-entrees-sorties>
    <session numero="S9">
     <periode><debut>00000000</debut><fin>00000000</fin></periode>
     <adresse-inscription><adresse><ligne>En ligne</ligne><codepostal>35000</codepostal>
      <ville>Rennes</ville></adresse></adresse-inscription>
    </session>
    <prix-total-TTC>0</prix-total-TTC>
    <nombre-heures-total>70</nombre-heures-total>
    <nombre-heures-centre>70</nombre-heures-centre>
    <duree-indicative>10 semaines</duree-indicative>
   </action>
   <action numero="A3">
    <code-public-vise>80015</code-public-vise>
    <modalites-enseignement>0</modalites-enseignement>
    <session numero="S1">
     <periode><debut>20271345</debut><fin>20271399</fin></periode>
     <adresse-inscription><adresse><ligne>x</ligne><codepostal>35000</codepostal>
      <ville>Rennes</ville></adresse></adresse-inscription>
    </session>
   </action>
   <organisme-formation-responsable numero="O1">
    <numero-activite>53350000000</numero-activite>
    <SIRET-organisme-formation><SIRET>12345678900011</SIRET></SIRET-organisme-formation>
    <nom-organisme>Institut des Réseaux</nom-organisme>
    <raison-sociale>-</raison-sociale>
    <coordonnees-organisme><coordonnees><adresse><ligne>2 rue des Graphes</ligne>
     <codepostal>35000</codepostal><ville>Rennes</ville></adresse></coordonnees>
    </coordonnees-organisme>
    <contact-organisme><coordonnees><courriel>contact@reseaux.example</courriel></coordonnees>
    </contact-organisme>
   </organisme-formation-responsable>
  </formation>"""

FORMATION_2 = """
  <formation numero="F2">
   <domaine-formation><code-FORMACODE>11002</code-FORMACODE></domaine-formation>
   <intitule-formation>Initiation au tableur</intitule-formation>
   <objectif-formation>Utiliser un tableur.</objectif-formation>
   <resultats-attendus>- Saisir des données
- Écrire une formule</resultats-attendus>
   <contenu-formation>Utiliser un tableur.</contenu-formation>
   <certifiante>0</certifiante>
   <contact-formation><coordonnees><courriel>a@b.example</courriel></coordonnees>
   </contact-formation>
   <parcours-de-formation>1</parcours-de-formation>
   <code-niveau-entree>0</code-niveau-entree>
   <code-niveau-sortie>14</code-niveau-sortie>
   <action>
    <code-public-vise>80016</code-public-vise>
    <modalites-enseignement>0</modalites-enseignement>
    <lieu-de-formation><coordonnees><adresse><ligne>1 place du Marché</ligne>
     <codepostal>69001</codepostal><ville>Lyon</ville><region>82</region></adresse></coordonnees>
    </lieu-de-formation>
    <session>
     <periode><debut>20270301</debut><fin>20270302</fin></periode>
     <adresse-inscription><adresse><ligne>1 place du Marché</ligne><codepostal>69001</codepostal>
      <ville>Lyon</ville></adresse></adresse-inscription>
    </session>
    <session>
     <periode><debut>20270201</debut><fin>20270202</fin></periode>
     <adresse-inscription><adresse><ligne>1 place du Marché</ligne><codepostal>69001</codepostal>
      <ville>Lyon</ville></adresse></adresse-inscription>
    </session>
    <prix-total-TTC>sur devis</prix-total-TTC>
    <nombre-heures-total>14</nombre-heures-total>
   </action>
   <organisme-formation-responsable>
    <numero-activite>84690000000</numero-activite>
    <SIRET-organisme-formation><SIRET>98765432100022</SIRET></SIRET-organisme-formation>
    <nom-organisme>Atelier Bureautique</nom-organisme>
    <raison-sociale>Atelier Bureautique SARL</raison-sociale>
    <coordonnees-organisme><coordonnees/></coordonnees-organisme>
    <contact-organisme><coordonnees/></contact-organisme>
   </organisme-formation-responsable>
  </formation>
  <formation numero="F3">
   <intitule-formation>Sans action</intitule-formation>
   <certifiante>0</certifiante>
  </formation>"""


def document(namespace: str | None = NS_23, formations: str = FORMATION_1 + FORMATION_2) -> str:
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<lheo{xmlns}>\n <offres>{formations}\n' \
           ' </offres>\n</lheo>\n'


def write(tmp_path, content: str, name: str = "offres.xml"):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def active(session, source) -> dict[str, Opportunity]:
    return {o.remote_id: o for o in session.scalars(select(Opportunity).where(
        Opportunity.source_id == source.id, Opportunity.status == Status.ACTIVE))}


@pytest.mark.parametrize("namespace", [NS_23, NS_22, None])
def test_one_record_per_action_in_every_lheo_namespace(session, make_source, tmp_path, namespace):
    source = make_source(write(tmp_path, document(namespace)), country="FR", fmt="lheo")
    result = run(session, source)
    assert (result.status, result.added, result.rejected) == (RunStatus.PARTIAL, 3, 1)
    assert set(active(session, source)) == {"F1/A1", "F1/A2", "F2"}
    errors = {(e.remote_id, e.field) for e in result.errors if e.severity is Severity.ERROR}
    assert errors == {("F1/A3", "start_dates")}  # 20271345: month 13


def test_formation_and_action_mapping(session, make_source, tmp_path):
    source = make_source(write(tmp_path, document()), country="FR", fmt="lheo")
    run(session, source)
    rows = active(session, source)
    a1, a2 = rows["F1/A1"], rows["F1/A2"]
    # the formation's text, shared by its actions
    for row in (a1, a2):
        assert row.title == {"fr": "Technicien en optimisation de réseaux"}
        assert row.qualification_title == row.title  # certifiante: titled as its certification
        assert row.description["fr"] == (
            "<p>Modéliser un réseau <b>logistique</b>.</p>"
            "<p>Théorie des graphes.</p><p>Programmation linéaire.</p>")
        assert row.learning_outcomes == {"fr": ["Tracer un graphe de flux",
                                                "Calculer un plus court chemin"]}
        assert row.nqf_level == "FR 5"  # code 6, niveau III (BTS, DUT): level 5 since 2019
        assert row.eqf_level == 5  # derived centrally from the French table
        assert row.awarding_body is None  # the certifier is not the organisme
        assert row.url == "https://reseaux.example/technicien"
    labels = code_labels()
    assert a1.subject_codes == [
        {"scheme": "FORMACODE", "code": "11001", "label": labels[("FORMACODE", "11001")]},
        {"scheme": "FORMACODE", "code": "00042", "label": None},
        {"scheme": "NSF", "code": "114", "label": labels[("NSF", "114")]},
        {"scheme": "ROME", "code": "M1805", "label": None}]
    assert a1.isced_f == []  # no published Formacode to ISCED-F correspondence
    # the action's practical facts
    assert (a1.participation_form, a2.participation_form) == ("blended", "online")
    assert a1.languages == ["fr", "en"]
    assert a1.prerequisites == {"fr": "Bac scientifique ou équivalent"}
    assert a1.accessibility == {"fr": "Locaux accessibles"}
    assert (a1.workload_hours, a2.workload_hours) == (135, 70)  # centre + company; the total
    assert (a1.duration_value, a1.duration_unit) == (3, "month")
    assert (a2.duration_value, a2.duration_unit) == (10, "week")
    assert a1.prices == [{"amount": 1250.5, "currency": "EUR", "condition": None}]
    assert (a1.price, a1.currency) == (1250.5, "EUR")
    assert (a2.price, a2.currency) == (0, None)
    assert a1.extras["prix-horaire-TTC"] == ["9,26"]
    assert a1.places == [{"city": "Rennes", "nuts": "FRH", "country": "FR",
                          "lat": 48.1147, "lon": -1.6794}]
    assert set(a1.funding) == {"national-registry", "ila", "public-grant"}
    assert a1.extras["extras[ACTION CARIF]"] == [{"extra[identifiant]": "A-77"}]
    assert a1.extras["code-public-vise"] == [
        {"code": "80015", "label": labels[("FORMACODE", "80015")]}]
    assert a1.extras["code-niveau-entree"] == ["FR 4"]  # code 5, niveau IV
    # sessions: dates, an unknown 00000000 / 99999999 period, application period, places
    venue = "Campus Nord, 2 rue des Graphes, 35000 Rennes"
    assert a1.sessions == [
        {"start": "2027-01-05", "end": "2027-03-30", "apply_from": "2026-11-01",
         "apply_until": "2026-12-15", "places": 12, "venue": venue, "study_mode": "full-time"},
        {"venue": venue, "study_mode": "full-time"}]
    assert a1.start_dates == ["2027-01-05"] and not a1.start_anytime
    assert a1.application_deadline is None  # two sessions: each has its own
    assert a1.extras["etat-recrutement"] == [{"code": "1", "label": "ouvert"},
                                             {"code": "2", "label": "fermé"}]
    assert a2.sessions == [{}] and a2.start_dates == [] and a2.start_anytime  # entrées permanentes


def test_a_non_certifying_formation_and_an_action_without_number(session, make_source, tmp_path):
    source = make_source(write(tmp_path, document()), country="FR", fmt="lheo")
    result = run(session, source)
    f2 = active(session, source)["F2"]  # its only action has no numero: the formation's id
    assert (f2.nqf_level, f2.eqf_level, f2.qualification_title) == ("FR 4", 4, {})
    assert (f2.awarding_body, f2.awarding_bodies) == ("Atelier Bureautique",
                                                      ["Atelier Bureautique"])
    assert f2.description == {"fr": "<p>Utiliser un tableur.</p>"}  # objective = content: once
    assert f2.learning_outcomes == {"fr": ["Saisir des données", "Écrire une formule"]}
    assert f2.start_dates == ["2027-02-01", "2027-03-01"]
    assert [s["venue"] for s in f2.sessions] == ["1 place du Marché, 69001 Lyon"] * 2
    assert f2.places[0]["nuts"] == "FRK"  # 82, Rhône-Alpes before 2016
    assert f2.price is None and f2.extras["prix-total-TTC"] == ["sur devis"]
    assert "code-niveau-entree" not in f2.extras  # 0: information not given
    notices = [e for e in result.errors if e.stage is Stage.GATHER]
    assert all(e.severity is Severity.WARNING for e in notices)
    fields = [e.field for e in notices]
    assert len(fields) == len(set(fields))  # one notice per element, not one per record
    assert {"prix-total-TTC", "code-public-vise", "organisme-formation-responsable",
            "action"} <= set(fields)  # "action": F3 has none, so it gives no offer


@pytest.mark.parametrize("namespace", [NS_23, NS_22, None])
def test_lheo_is_detected(namespace):
    assert detect_format(document(namespace).encode("utf-8"), "offres.xml") == "lheo"


@pytest.mark.parametrize("content", [
    '<lheo xmlns="http://example.org/not-lheo"><offres/></lheo>',
    '<dict xmlns="http://www.gelaba.org/gml/1.1" name="dict-FORMACODE"><entry/></dict>',
    '<catalog><lheo/></catalog>'])
def test_other_xml_is_not_taken_for_lheo(content):
    assert detect_format(content.encode("utf-8")) != "lheo"


@pytest.mark.parametrize("broken, reason", [
    (document()[:-40], "not well-formed"),
    ('<lheo xmlns="http://example.org/x"><offres/></lheo>', "namespace"),
    ('<catalogue xmlns="http://lheo.gouv.fr/2.3"/>', "not an lheo <lheo>"),
    (f'<lheo xmlns="{NS_23}"/>', "no <offres>"),
    ('<?xml version="1.0"?>\n<!DOCTYPE lheo [<!ENTITY nom "Institut">]>\n'
     + document().split("\n", 1)[1].replace("Institut des Réseaux", "&nom;"), "entities")])
def test_a_broken_document_fails_the_run_and_changes_nothing(session, make_source, tmp_path,
                                                              broken, reason):
    good = write(tmp_path, document())
    source = make_source(good, country="FR", fmt="lheo")
    assert run(session, source).status is RunStatus.PARTIAL
    before = {rid: o.content_hash for rid, o in active(session, source).items()}
    assert before

    source.location = str(write(tmp_path, broken, "broken.xml"))
    session.commit()
    result = run(session, source)
    assert result.status is RunStatus.FAILED and reason in result.message.lower()
    assert [e.stage for e in result.errors] == [Stage.FETCH]
    assert {rid: o.content_hash for rid, o in active(session, source).items()} == before


def test_formacode_labels_are_the_published_ones(shared_data):
    """Every code of the Formacode thesaurus in shared data, with its label, is in the project's
    file (counted from the published file, not typed in)."""
    path = shared_data / "vocabularies" / "fr-formacode" / "FCod-utf-8.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        published = {row[0]: row[2].strip() for row in csv.reader(fh, delimiter=";")}
    labels = code_labels()
    assert published and {code: labels.get(("FORMACODE", code)) for code in published} == published
