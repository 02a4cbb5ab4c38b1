"""A scenario's conversation as a graph: ids, conditions, where choices lead, what is reached, and
whether its debrief lines and plans name things that exist."""

from __future__ import annotations

from collections import deque

from rapport.content.loading import Problem, Source
from rapport.content.scenarios import CONDITION, Scenario, conditions


class Names:
    """What a scenario's conditions and plans may name."""

    def __init__(self, scenario: Scenario):
        self.meters = {m.id for m in scenario.meters}
        self.nodes = {n.id for n in scenario.nodes}
        self.choices = {c.id for n in scenario.nodes for c in n.choices}
        self.endings = {n.id for n in scenario.nodes if n.is_ending}
        self.lines = {line.id for line in scenario.debrief.lines}


def check_scenario(scenario: Scenario, loc: tuple, source: Source) -> list[Problem]:
    """Structural problems of one scenario: its graph, its names, its debrief and its plans."""
    problems = duplicates(scenario.nodes, (*loc, "nodes"), source)
    problems += duplicates(scenario.meters, (*loc, "meters"), source)
    problems += duplicates(scenario.debrief.lines, (*loc, "debrief", "lines"), source)
    problems += _duplicate_choices(scenario, loc, source)
    index = node_index(scenario)
    names = Names(scenario)
    if scenario.start not in index:
        problems.append(
            source.problem(
                (*loc, "start"),
                f"scenario {scenario.id!r} starts at {scenario.start!r}, which does not exist",
            )
        )
    edges = links(scenario)
    problems += _check_nodes(scenario, loc, source, index, names)
    problems += _check_debrief_and_plans(scenario, loc, source, names)
    if scenario.start in index:
        problems += _check_reach(scenario, loc, source, index, edges)
    return problems


def node_index(scenario: Scenario) -> dict[str, int]:
    """Each node's position in the file (the first, where an id is repeated)."""
    return {node.id: i for i, node in reversed(list(enumerate(scenario.nodes)))}


def _duplicate_choices(scenario: Scenario, loc: tuple, source: Source) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for n, node in enumerate(scenario.nodes):
        for c, choice in enumerate(node.choices):
            if choice.id in seen:
                problems.append(
                    source.problem(
                        (*loc, "nodes", n, "choices", c, "id"),
                        f"scenario {scenario.id!r}: duplicate choice id {choice.id!r} (choice "
                        "ids are unique in a scenario, so plans and conditions can name them)",
                    )
                )
            seen.add(choice.id)
    return problems


def _check_nodes(
    scenario: Scenario, loc: tuple, source: Source, index: dict, names: Names
) -> list[Problem]:
    """Each node and choice on its own: debriefs, meters, conditions and targets."""
    problems: list[Problem] = []
    name = f"scenario {scenario.id!r}"
    for n, node in enumerate(scenario.nodes):
        nloc = (*loc, "nodes", n)
        for v, variant in enumerate(node.variants):
            problems += check_when(variant.when, names, (*nloc, "variants", v, "when"), source)
        if node.is_ending and node.debrief is None:
            problems.append(
                source.problem(
                    nloc, f"{name}: node {node.id!r} ends the conversation without a debrief"
                )
            )
        if not node.is_ending and node.debrief is not None:
            problems.append(
                source.problem(
                    (*nloc, "debrief"),
                    f"{name}: node {node.id!r} has choices, so it is not an ending and "
                    "cannot have a debrief",
                )
            )
        if node.is_ending and node.your_words:
            problems.append(
                source.problem(
                    (*nloc, "your_words"),
                    f"{name}: node {node.id!r} is an ending: there is nothing to say there",
                )
            )
        for c, choice in enumerate(node.choices):
            cloc = (*nloc, "choices", c)
            problems += _check_choice(choice, node, cloc, source, index, names, name)
    return problems


def _check_choice(
    choice, node, cloc: tuple, source: Source, index: dict, names: Names, name: str
) -> list[Problem]:
    problems = []
    for meter in choice.effects:
        if meter not in names.meters:
            problems.append(
                source.problem(
                    (*cloc, "effects", meter),
                    f"{name}: choice {choice.id!r} changes {meter!r}, which is not a meter",
                )
            )
    routes = choice.routes
    if routes[-1].when is not None:
        problems.append(
            source.problem(
                (*cloc, "to"),
                f"{name}: choice {choice.id!r}: the last route of a choice must have no 'when', "
                "so that the conversation always goes on",
            )
        )
    for r, route in enumerate(routes):
        rloc = (*cloc, "to") if isinstance(choice.to, str) else (*cloc, "to", r)
        problems += check_when(route.when, names, (*rloc, "when"), source)
        if route.to not in index:
            problems.append(
                source.problem(
                    rloc,
                    f"{name}: choice {choice.id!r} of node {node.id!r} points to node "
                    f"{route.to!r}, which does not exist",
                )
            )
    return problems


def _check_debrief_and_plans(
    scenario: Scenario, loc: tuple, source: Source, names: Names
) -> list[Problem]:
    problems: list[Problem] = []
    name = f"scenario {scenario.id!r}"
    for i, line in enumerate(scenario.debrief.lines):
        problems += check_when(line.when, names, (*loc, "debrief", "lines", i, "when"), source)
    seen: set[str] = set()
    for p, plan in enumerate(scenario.plans):
        ploc = (*loc, "plans", p)
        if plan.name in seen:
            message = f"{name}: two plans are named {plan.name!r}"
            problems.append(source.problem((*ploc, "name"), message))
        seen.add(plan.name)
        for what in _unknown_in_plan(plan, names):
            message = f"{name}: plan {plan.name!r} names {what}, which does not exist"
            problems.append(source.problem(ploc, message))
    return problems


def _unknown_in_plan(plan, names: Names) -> list[str]:
    expect = plan.expect
    unknown = [f"choice {c!r}" for c in plan.choose if c not in names.choices]
    if expect.node and expect.node not in names.nodes:
        unknown.append(f"node {expect.node!r}")
    if expect.ending and expect.ending not in names.endings:
        unknown.append(f"ending {expect.ending!r}")
    unknown += [f"meter {m!r}" for m in expect.meters if m not in names.meters]
    lines = (*expect.shows, *expect.hides)
    unknown += [f"debrief line {i!r}" for i in lines if i not in names.lines]
    return unknown


def _check_reach(
    scenario: Scenario, loc: tuple, source: Source, index: dict, edges: dict
) -> list[Problem]:
    """Nodes no path reaches, and places from which no path leads to an ending."""
    problems: list[Problem] = []
    name = f"scenario {scenario.id!r}"
    unreached, trapped = cut_off(scenario, edges)
    for node_id in unreached:
        problems.append(
            source.problem(
                (*loc, "nodes", index[node_id]),
                f"{name}: node {node_id!r} cannot be reached from the start",
            )
        )
    for node_id in trapped:
        problems.append(
            source.problem(
                (*loc, "nodes", index[node_id]),
                f"{name}: from node {node_id!r} no path leads to an ending",
            )
        )
    return problems


def check_when(when, names: Names, loc: tuple, source: Source) -> list[Problem]:
    """Every condition of a ``when`` names a meter, choice or node that exists."""
    problems = []
    for condition in conditions(when):
        match = CONDITION.match(condition)
        if match is None:
            continue  # the schema reports it
        if match["meter"] and match["meter"] not in names.meters:
            what = f"{match['meter']!r}, which is not a meter"
        elif match["verb"] == "took" and match["target"] not in names.choices:
            what = f"the choice {match['target']!r}, which does not exist"
        elif match["verb"] == "reached" and match["target"] not in names.nodes:
            what = f"the node {match['target']!r}, which does not exist"
        else:
            continue
        problems.append(source.problem(loc, f"condition {condition!r} names {what}"))
    return problems


def duplicates(items, loc: tuple, source: Source) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for i, item in enumerate(items):
        if item.id in seen:
            out.append(source.problem((*loc, i, "id"), f"duplicate id {item.id!r}"))
        seen.add(item.id)
    return out


def links(scenario: Scenario) -> dict[str, set[str]]:
    """Where each node's choices can lead, whatever the conditions (nodes that exist only)."""
    index = node_index(scenario)
    edges: dict[str, set[str]] = {node.id: set() for node in scenario.nodes}
    for node in scenario.nodes:
        for choice in node.choices:
            edges[node.id] |= {route.to for route in choice.routes if route.to in index}
    return edges


def cut_off(scenario: Scenario, edges: dict[str, set[str]]) -> tuple[list[str], list[str]]:
    """The nodes no path reaches from the start, and the reached nodes from which no path
    leads to an ending (a loop with no way out), each in file order."""
    index = node_index(scenario)
    reached = reach(scenario.start, edges) if scenario.start in index else set()
    unreached = [node.id for node in scenario.nodes if node.id not in reached]
    endings = {node.id for node in scenario.nodes if node.is_ending}
    trapped = [n for n in sorted(reached, key=index.__getitem__) if not reach(n, edges) & endings]
    return unreached, trapped


def reach(start: str, edges: dict[str, set[str]]) -> set[str]:
    """Every node a path from ``start`` can come to, ``start`` included."""
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in edges.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def fewest_decisions(scenario: Scenario) -> int:
    """The number of decisions on the shortest path (in the graph) to any ending."""
    depth = {scenario.start: 0}
    queue = deque([scenario.start])
    while queue:
        node = scenario.node(queue.popleft())
        if node.is_ending:
            return depth[node.id]
        for choice in node.choices:
            for route in choice.routes:
                if route.to not in depth:
                    depth[route.to] = depth[node.id] + 1
                    queue.append(route.to)
    return 0
