"""The offer page and the API of an ELM offer: the file's skill labels and every awarding body."""
import json

from catalogue import vocabularies as vocab

UNKNOWN_SKILL = "http://data.europa.eu/esco/skill/00000000-0000-4000-8000-learncattest"


def test_offer_page_shows_the_files_skill_labels_and_every_awarding_body(tmp_path,
                                                                          harvested_offer):
    known = next(iter(vocab.esco_table("skills")))
    assert not vocab.esco_labels(UNKNOWN_SKILL)
    path = tmp_path / "joint.jsonld"
    path.write_text(json.dumps({"@graph": [
        {"id": "urn:test:lop:1", "type": "LearningOpportunity",
         "title": {"en": "Robot welding"}, "learningAchievementSpecification": "urn:test:q:1"},
        {"id": "urn:test:q:1", "type": "Qualification", "title": {"en": "Robot welding"},
         "awardingOpportunity": {"awardingBody": ["urn:test:org:1", "urn:test:org:2"]},
         "learningOutcome": {"id": "urn:test:lo:1", "type": "LearningOutcome",
                             "title": {"en": "Robots"}, "relatedESCOSkill": [
                                 {"id": UNKNOWN_SKILL,
                                  "prefLabel": {"en": "calibrate a weld robot"}},
                                 {"id": known, "prefLabel": {"en": "as the file names it"}}]}},
        {"id": "urn:test:org:1", "type": "Organisation",
         "legalName": {"en": "University of Girona"}},
        {"id": "urn:test:org:2", "type": "Organisation",
         "legalName": {"en": "Ghent University of Applied Sciences"}},
    ]}), encoding="utf-8")
    client, offer_id = harvested_offer(path, "elm-jsonld", ("girona-ghent", "Girona and Ghent",
                                                            "ES"))
    page = client.get(f"/en/opportunities/{offer_id}").get_data(as_text=True)
    assert f'<a href="{UNKNOWN_SKILL}"><span>calibrate a weld robot</span></a>' in page
    assert UNKNOWN_SKILL.rsplit("/", 1)[-1] + "</a>" not in page  # not as a bare id
    assert f"<span>{vocab.esco_labels(known)['en']}</span>" in page  # learncat's label first
    assert "<li>University of Girona</li><li>Ghent University of Applied Sciences</li>" in page
    data = client.get(f"/api/v1/opportunities/{offer_id}").get_json()
    assert data["awarding_bodies"] == [
        "University of Girona", "Ghent University of Applied Sciences"]
    assert data["concept_labels"][UNKNOWN_SKILL] == {"en": "calibrate a weld robot"}
