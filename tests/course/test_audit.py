"""Test plans and the transparency checks: each broken fixture is caught, by file, scenario,
node and line, and `rapport check --strict` turns the warnings into errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rapport.cli import main
from rapport.content.check import check_module_file
from rapport.content.loading import parse, read_yaml
from rapport.content.schema import Module
from rapport.course.audit import THRESHOLDS, audit_module, audit_project, run_plan

from ..conftest import DATA

AUDIT = DATA / "audit"
BROKEN = DATA / "broken-audit"


def audited(folder: Path) -> list[str]:
    source = read_yaml(folder / "01-sample.yaml", folder)
    return [str(p) for p in audit_module(parse(Module, source), source)]


def test_the_audit_fixture_passes_every_plan_and_check():
    assert audit_project(AUDIT) == []
    assert main(["--root", str(AUDIT), "check", "--strict"]) == 0


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (
            "plan-fails",
            "01-sample.yaml:90: scenarios[0].plans[0]: scenario 'the-stairs': plan 'the listener': "
            "expected trust 3, found 4",
        ),
        (
            "ending-without-plan",
            "01-sample.yaml:81: scenarios[0].nodes[8]: scenario 'the-stairs': no plan reaches the "
            "ending 'apart'; add one under plans",
        ),
        (
            "length-tell",
            "warning: 01-sample.yaml:18: scenarios[0].nodes[0]: scenario 'the-stairs': node "
            "'stairs': one option (104 characters) is more than 2 times as long as another (38)",
        ),
        (
            "no-branching",
            "warning: 01-sample.yaml:10: scenarios[0]: scenario 'the-stairs': only 1 of 6 "
            "decision points send different choices to different next nodes; at least 50% should",
        ),
        (
            "short-path",
            "warning: 01-sample.yaml:10: scenarios[0]: scenario 'the-stairs': its shortest path "
            "has 1 decision; at least 4",
        ),
        (
            "never-line",
            "warning: 01-sample.yaml:88: scenarios[0].debrief.lines[2]: scenario 'the-stairs': "
            "debrief line 'both' can never hold: no path meets took ask and took same",
        ),
        (
            "no-helpful",
            "warning: 01-sample.yaml:56: scenarios[0].nodes[4]: scenario 'the-stairs': node "
            "'kettle' has no helpful option",
        ),
        (
            "helpful-longest",
            "warning: 01-sample.yaml:10: scenarios: module 01-sample: the helpful option is the "
            "longest at 3 of 6 decision points (50%); at most 40% should be",
        ),
    ],
)
def test_each_broken_audit_fixture_is_reported(case, expected):
    assert expected in audited(BROKEN / case)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (
            "unknown-name",
            "01-sample.yaml:86: scenarios[0].debrief.lines[0].when: condition 'took repare' "
            "names the choice 'repare', which does not exist",
        ),
        (
            "duplicate-choice",
            "01-sample.yaml:25: scenarios[0].nodes[0].choices[1].id: scenario 'the-stairs': "
            "duplicate choice id 'ask'",
        ),
    ],
)
def test_names_that_do_not_exist_are_content_errors(case, expected):
    found = [str(p) for p in check_module_file(BROKEN / case / "01-sample.yaml", BROKEN / case)]
    assert any(expected in p for p in found), found


def test_every_broken_audit_fixture_has_a_case():
    cases = {
        "plan-fails",
        "ending-without-plan",
        "length-tell",
        "no-branching",
        "short-path",
        "never-line",
        "no-helpful",
        "helpful-longest",
        "unknown-name",
        "duplicate-choice",
    }
    assert {p.name for p in BROKEN.iterdir()} == cases


def test_a_plan_reports_where_it_went_wrong():
    scenario = parse(Module, read_yaml(AUDIT / "exercises/01-sample.yaml", AUDIT)).scenarios[0]
    plan = scenario.plans[0].model_copy(update={"choose": ["ask", "stay"]})
    assert run_plan(scenario, plan) == [
        "choice 2 of 2: node 'opens' has no choice 'stay' (its choices: name-it, fix, joke)"
    ]
    short = scenario.plans[0].model_copy(update={"choose": ["ask"]})
    assert "expected the ending 'close', reached node 'opens'" in run_plan(scenario, short)


def test_strict_check_fails_naming_the_module_whose_helpful_options_are_three_times_longer(
    tmp_path, capsys
):
    root = tmp_path / "course"
    shutil.copytree(AUDIT, root)
    path = root / "exercises/01-sample.yaml"
    module = parse(Module, read_yaml(path, root))
    text = path.read_text(encoding="utf-8")
    for node in module.scenarios[0].nodes:
        for choice in node.choices:
            if choice.tone == "helps":
                longer = " ".join([choice.text.rstrip(".?!")] * 3) + "?"
                text = text.replace(f'"{choice.text}"', f'"{longer}"')
    path.write_text(text, encoding="utf-8")
    assert main(["--root", str(root), "check"]) == 0  # warnings only, without --strict
    assert "warning:" in capsys.readouterr().out
    assert main(["--root", str(root), "check", "--strict"]) == 1
    out = capsys.readouterr().out
    assert "module 01-sample: the helpful option is the longest at 6 of 6" in out
    assert "warning:" not in out  # under --strict, they are errors


def test_the_thresholds_live_in_one_place():
    assert (THRESHOLDS.longest_helpful, THRESHOLDS.length_ratio) == (0.40, 2.0)
    assert (THRESHOLDS.shortest_path, THRESHOLDS.longest_path, THRESHOLDS.branching) == (4, 5, 0.5)


def test_coaching_and_debriefs_name_the_modules_skill():
    from rapport.content.skills import Skill
    from rapport.course.audit import names_the_skill

    source = read_yaml(AUDIT / "exercises/01-sample.yaml", AUDIT)
    module = parse(Module, source)
    listen = parse(Module, read_yaml(DATA.parent.parent / "exercises/05-listen.yaml", DATA))
    skill = Skill.model_validate(
        {**listen.skill.model_dump(), "name": "Repair", "terms": ["repair", "a reflection"]}
    )
    found = [str(p) for p in names_the_skill(module.model_copy(update={"skill": skill}), source)]
    assert found[0].endswith(
        "scenario 'the-stairs': the coaching names the skill (Repair) in 2 of 12 helpful and "
        "mixed choices; at least 50% should"
    )
    assert any("the debrief of the ending 'apart' does not name the skill" in p for p in found)
    named = skill.model_copy(update={"terms": ["e", "a"]})  # in nearly every coaching
    assert names_the_skill(module.model_copy(update={"skill": named}), source) == []


def test_a_problem_elsewhere_does_not_hide_a_failing_plan(tmp_path, capsys):
    root = tmp_path / "course"
    shutil.copytree(AUDIT, root)
    notes = root / "facilitator/01-sample.yaml"
    notes.write_text(
        notes.read_text().replace("{minutes: 5, what: The idea.}", "{minutes: 6, what: The idea.}")
    )
    module = root / "exercises/01-sample.yaml"
    module.write_text(module.read_text().replace("meters: {trust: 4}", "meters: {trust: 3}"))
    assert main(["--root", str(root), "check"]) == 1
    out = capsys.readouterr().out
    assert "the timing plan adds up to 11 minutes" in out
    assert "plan 'the listener': expected trust 3, found 4" in out
