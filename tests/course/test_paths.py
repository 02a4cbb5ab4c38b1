"""Walking every path of a scenario: lengths, endings, and loops that end the walk."""

from rapport.content.loading import load_module, parse, read_yaml
from rapport.content.schema import Module
from rapport.course.paths import walk

from ..conftest import DATA


def test_every_path_is_walked_with_its_ending_and_length():
    scenario = load_module("01-sample", DATA / "audit").scenario("the-stairs")
    paths = walk(scenario)
    assert (paths.shortest, paths.longest) == (4, 5)
    assert paths.endings == {"close", "fine", "apart"}
    assert not paths.looped and not paths.cut
    assert ("ask", "name-it", "stay", "lunch-yes") in {p.choices for p in paths.paths}


def test_a_loop_with_no_way_out_ends_the_walk_and_is_reported():
    folder = DATA / "broken" / "dead-loop"
    scenario = parse(Module, read_yaml(folder / "01-sample.yaml", folder)).scenarios[0]
    paths = walk(scenario)
    assert paths.looped
    assert paths.endings <= {n.id for n in scenario.endings}
