"""A scenario's conversation as a graph: ids, conditions, where choices lead, what is reached."""

from __future__ import annotations

from collections import deque

from rapport.content.loading import Problem, Source
from rapport.content.schema import CONDITION, Scenario


def duplicates(items, loc: tuple, source: Source) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for i, item in enumerate(items):
        if item.id in seen:
            out.append(source.problem((*loc, i, "id"), f"duplicate id {item.id!r}"))
        seen.add(item.id)
    return out


def check_scenario(scenario: Scenario, loc: tuple, source: Source) -> list[Problem]:
    """Structural problems of one scenario's conversation graph."""
    problems = duplicates(scenario.nodes, (*loc, "nodes"), source)
    problems += duplicates(scenario.meters, (*loc, "meters"), source)
    index = node_index(scenario)
    if scenario.start not in index:
        problems.append(
            source.problem(
                (*loc, "start"),
                f"scenario {scenario.id!r} starts at {scenario.start!r}, which does not exist",
            )
        )
    edges: dict[str, set[str]] = {node.id: set() for node in scenario.nodes}
    problems += _check_nodes(scenario, loc, source, index, edges)
    if scenario.start in index:
        problems += _check_reach(scenario, loc, source, index, edges)
    return problems


def node_index(scenario: Scenario) -> dict[str, int]:
    """Each node's position in the file (the first, where an id is repeated)."""
    return {node.id: i for i, node in reversed(list(enumerate(scenario.nodes)))}


def _check_nodes(
    scenario: Scenario, loc: tuple, source: Source, index: dict, edges: dict
) -> list[Problem]:
    """Each node and choice on its own: debriefs, meters, conditions and targets. Fills
    ``edges`` with where each node's choices lead."""
    problems: list[Problem] = []
    name = f"scenario {scenario.id!r}"
    meters = {m.id for m in scenario.meters}
    for n, node in enumerate(scenario.nodes):
        nloc = (*loc, "nodes", n)
        for v, variant in enumerate(node.variants):
            problems += check_condition(
                variant.when, meters, (*nloc, "variants", v, "when"), source
            )
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
        for c, choice in enumerate(node.choices):
            cloc = (*nloc, "choices", c)
            for meter in choice.effects:
                if meter not in meters:
                    problems.append(
                        source.problem(
                            (*cloc, "effects", meter),
                            f"{name}: choice changes {meter!r}, which is not one of its meters",
                        )
                    )
            routes = choice.routes
            if routes[-1].when is not None:
                problems.append(
                    source.problem(
                        (*cloc, "to"),
                        f"{name}: the last route of a choice must have no 'when', so that "
                        "the conversation always goes on",
                    )
                )
            for r, route in enumerate(routes):
                rloc = (*cloc, "to") if isinstance(choice.to, str) else (*cloc, "to", r)
                if route.when is not None:
                    problems += check_condition(route.when, meters, (*rloc, "when"), source)
                if route.to not in index:
                    problems.append(
                        source.problem(
                            rloc,
                            f"{name}: choice {c + 1} of node {node.id!r} points to node "
                            f"{route.to!r}, which does not exist",
                        )
                    )
                else:
                    edges[node.id].add(route.to)
    return problems


def _check_reach(
    scenario: Scenario, loc: tuple, source: Source, index: dict, edges: dict
) -> list[Problem]:
    """Nodes no path reaches, and places from which no path leads to an ending."""
    problems: list[Problem] = []
    name = f"scenario {scenario.id!r}"
    reached = reach(scenario.start, edges)
    for node in scenario.nodes:
        if node.id not in reached:
            problems.append(
                source.problem(
                    (*loc, "nodes", index[node.id]),
                    f"{name}: node {node.id!r} cannot be reached from the start",
                )
            )
    endings = {node.id for node in scenario.nodes if node.is_ending}
    for node_id in sorted(reached, key=index.__getitem__):
        if not reach(node_id, edges) & endings:
            problems.append(
                source.problem(
                    (*loc, "nodes", index[node_id]),
                    f"{name}: from node {node_id!r} no path leads to an ending",
                )
            )
    return problems


def check_condition(condition: str, meters: set[str], loc: tuple, source: Source) -> list[Problem]:
    match = CONDITION.match(condition)
    if match and match.group(1) not in meters:
        return [
            source.problem(
                loc, f"condition {condition!r} names {match.group(1)!r}, which is not a meter"
            )
        ]
    return []


def reach(start: str, edges: dict[str, set[str]]) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in edges.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def fewest_decisions(scenario: Scenario) -> int:
    """The number of decisions on the shortest path from the start to any ending."""
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
