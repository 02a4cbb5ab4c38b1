"""The course as a whole: order, seed coverage, variety and care, as CURRICULUM.md asks."""

from collections import Counter

from rapport.content.loading import load_manifest, load_module

from ..conftest import ROOT

MANIFEST = load_manifest(ROOT)
MODULES = [load_module(m, ROOT) for m in MANIFEST.modules]
PRINCIPLES = [m for m in MODULES if m.kind == "principle"]


def test_fourteen_modules_numbered_00_to_13_in_order():
    assert [m.number for m in MODULES] == list(range(14))
    assert [m.kind for m in MODULES] == ["framing", *["principle"] * 12, "framing"]
    for module in MODULES:
        assert (ROOT / "notebooks" / f"{module.id}.ipynb").exists()


def test_every_section_of_both_seeds_is_covered_by_some_module():
    covered = {(s.seed, s.section) for m in MODULES for s in m.sources}
    sections = {(seed.id, sec.id) for seed in MANIFEST.seeds for sec in seed.sections}
    assert sections - covered == set()
    assert (
        len(sections) == 10 + 15
    )  # seed 000: intro, 8 lessons, closing; seed 004: 12 ways and more


def test_each_principle_draws_on_the_sections_curriculum_md_assigns():
    expected = {
        "01-know-yourself": {("000", "closing"), ("004", "12")},
        "02-stay-true": {("000", "7"), ("004", "7")},
        "03-reach-out": {("000", "5"), ("004", "4")},
        "04-open-up": {("000", "1"), ("004", "5")},
        "05-listen": {("000", "2"), ("004", "8")},
        "06-common-ground": {("000", "4"), ("004", "2")},
        "07-share-experiences": {("004", "3")},
        "08-give-freely": {("000", "3"), ("004", "1")},
        "09-empathy": {("000", "8"), ("004", "9")},
        "10-attachment": {("004", "6")},
        "11-forgive-with-boundaries": {("004", "10")},
        "12-patience-and-time": {("000", "6"), ("004", "11")},
    }
    for module in PRINCIPLES:
        assert expected[module.id] <= {(s.seed, s.section) for s in module.sources}, module.id


def test_settings_vary_across_the_course():
    settings = Counter(s.setting for m in PRINCIPLES for s in m.scenarios)
    assert set(settings) == {"work", "friends", "family", "partner", "online", "community"}
    for module in PRINCIPLES:
        assert len({s.setting for s in module.scenarios}) >= 2, module.id


def test_every_main_character_is_someone_new():
    names = Counter(s.character.name for m in MODULES for s in m.scenarios)
    assert [name for name, count in names.items() if count > 1] == []
    ages = {s.character.age for m in MODULES for s in m.scenarios if s.character.age}
    assert min(ages) < 30 and max(ages) > 60


def test_modules_that_touch_pain_carry_a_care_note_pointing_to_help():
    for module_id in ("04-open-up", "10-attachment", "11-forgive-with-boundaries"):
        note = load_module(module_id, ROOT).care_note
        assert note, module_id
        assert any(word in note.lower() for word in ("counsellor", "doctor", "helpline")), module_id
    forgiveness = load_module("11-forgive-with-boundaries", ROOT).care_note.lower()
    assert "forgiv" in forgiveness and "harm" in forgiveness


def test_the_weaker_choices_are_not_all_in_one_place():
    """The helpful choice is not always first (or always last) at a decision point."""
    positions = Counter()
    for module in PRINCIPLES:
        for scenario in module.scenarios:
            for node in scenario.nodes:
                for i, choice in enumerate(node.choices):
                    if choice.tone == "helps":
                        positions[i] += 1
    assert len(positions) >= 3 and max(positions.values()) < 0.6 * sum(positions.values())


# -- teaching skills, not tips --------------------------------------------------------------
def test_every_principle_module_teaches_one_skill_with_evidence_and_a_drill():
    for module in PRINCIPLES:
        skill = module.skill
        assert skill is not None, module.id
        assert len(skill.steps) >= 2 and len(skill.stems) >= 2, module.id
        assert skill.example.weak and skill.example.strong and skill.example.why, module.id
        assert skill.sources and all(s.authors and s.year and s.title for s in skill.sources)
        assert skill.varies, module.id  # where it changes with culture, neurotype, relationship
        drill = module.drill
        assert drill is not None and drill.stems and len(drill.models) >= 2, module.id


def test_every_pair_exercise_has_a_version_for_a_learner_alone():
    pairs = [(m.id, a) for m in MODULES for a in m.activities if a.kind == "pair"]
    assert pairs
    assert [(module_id, a.id) for module_id, a in pairs if not a.solo] == []


def test_role_plays_ask_the_facilitators_debrief_questions_in_the_journal():
    from rapport.content.loading import load_facilitator_notes

    for module in MODULES:
        notes = load_facilitator_notes(module.id, ROOT)
        for scenario in module.scenarios:
            assert 1 <= len(scenario.debrief.questions) <= 2, scenario.id
            assert set(scenario.debrief.questions) <= set(notes.debrief[scenario.id]), scenario.id


def test_the_capstone_needs_skills_from_several_modules_over_a_long_path():
    from rapport.course.paths import walk

    [capstone] = MODULES[-1].scenarios
    assert walk(capstone).longest >= 8
    cited = {
        n for line in capstone.debrief.lines for n in range(1, 13) if f"module {n:02d}" in line.text
    }
    assert len(cited) >= 5
