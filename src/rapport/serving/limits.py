"""How many kernels ``rapport serve`` allows and how soon it closes unused ones (its flags,
their defaults and checks), and the page a visitor sees when a limit is reached."""

from __future__ import annotations

import argparse
import html
from dataclasses import dataclass, replace
from pathlib import Path
from string import Template

KERNEL_MB = 70  # a participant's kernel (benchmarks/: 60-67 MB RSS)
MEMORY_SHARE = 0.75  # of the memory free at start, for kernels (spares included)
UNKNOWN_MEMORY_MAX = 100  # kernels, when the free memory cannot be read
FEWEST_KERNELS = 2
MAX_PER_BROWSER = 6  # a handful of tabs: the course, a module or two, the join page, a reload
CULL_UNCONNECTED = 60.0  # seconds
CULL_IDLE_MINUTES = 10.0
SHORTEST_UNCONNECTED = 10.0  # seconds: a phone on a busy network needs a few to connect
SHORTEST_IDLE_MINUTES = 0.1  # six seconds: for tests; a room wants minutes
RETRY_AFTER = 60  # seconds, in the refusals' Retry-After header
PAGE = Path(__file__).resolve().parent / "refusals" / "refusal.html"


class BadLimits(ValueError):
    """Limits that contradict each other (a pool bigger than the cap)."""


@dataclass(frozen=True)
class Limits:
    """The kernels ``rapport serve`` allows, and when it closes the ones nobody uses."""

    max_kernels: int = 0  # 0: as many as the free memory holds (see settle())
    max_per_browser: int = MAX_PER_BROWSER
    cull_unconnected: float = CULL_UNCONNECTED  # seconds
    cull_idle_minutes: float = CULL_IDLE_MINUTES  # 0: a page that has connected is kept
    from_memory: bool = False  # max_kernels was worked out from the free memory

    def settle(self, pool: int, available_mb: float | None) -> Limits:
        """These limits, with the cap worked out from the free memory if it was not given."""
        if self.max_kernels:
            return self
        return replace(self, max_kernels=default_max_kernels(available_mb, pool), from_memory=True)

    def banner(self) -> list[str]:
        """The start banner's lines about these limits, each naming the flag that changes it."""
        source = ", from the free memory" if self.from_memory else ""
        idle = (
            f"closed after {self.cull_idle_minutes:g} min"
            if self.cull_idle_minutes
            else "kept while the server runs"
        )
        return [
            f"  Pages open at most:     {self.max_kernels}{source} (--max-kernels N changes it)",
            f"  Pages per browser:      {self.max_per_browser} at most (--max-per-browser N)",
            f"  Pages never connected:  closed after {self.cull_unconnected:g} s "
            "(--cull-unconnected SECONDS)",
            f"  Pages disconnected:     {idle} (--cull-idle MINUTES)",
        ]


def default_max_kernels(available_mb: float | None, pool: int) -> int:
    """The cap when ``--max-kernels`` is not given: as many kernels as fit in three quarters
    of the memory free now, and always room for the pool and a couple of pages besides."""
    if available_mb is None:
        return max(UNKNOWN_MEMORY_MAX, pool + FEWEST_KERNELS)
    fit = int(available_mb * MEMORY_SHARE // KERNEL_MB)
    return max(FEWEST_KERNELS, pool + FEWEST_KERNELS, fit)


def fit_pool(pool: int, max_kernels: int, pool_given: bool) -> int:
    """The pool within the cap: a default pool shrinks to half the cap; a pool asked for that
    would leave no kernel for module pages is refused with :class:`BadLimits`."""
    if not pool_given:
        return min(pool, max_kernels // 2)
    if pool >= max_kernels:
        raise BadLimits(
            f"--pool {pool} would take every one of the {max_kernels} kernels --max-kernels "
            "allows, leaving none for module pages or the dashboard. Use a smaller --pool or "
            "a larger --max-kernels."
        )
    return pool


# -- the flags' values, checked as argparse reads them -------------------------------------------
def _number(text: str, kind: type, what: str) -> float:
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None


def kernel_count(text: str) -> int:
    """``--max-kernels``: a whole number of kernels, at least two."""
    value = int(_number(text, int, "a whole number of kernels"))
    if value < FEWEST_KERNELS:
        raise argparse.ArgumentTypeError(
            f"{value} kernels would leave no room for a participant: each open page has one "
            f"(about {KERNEL_MB} MB); give {FEWEST_KERNELS} or more"
        )
    return value


def per_browser(text: str) -> int:
    """``--max-per-browser``: a whole number of pages, at least one."""
    value = int(_number(text, int, "a whole number of pages"))
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"{value} pages per browser would refuse everyone: give 1 or more "
            f"(default {MAX_PER_BROWSER})"
        )
    return value


def unconnected_seconds(text: str) -> float:
    """``--cull-unconnected``: seconds, at least ten."""
    value = _number(text, float, "a number of seconds")
    if not value >= SHORTEST_UNCONNECTED:  # NaN too
        raise argparse.ArgumentTypeError(
            f"{text} seconds is too short: a phone on a busy network can take several seconds "
            f"to connect its page; give {SHORTEST_UNCONNECTED:g} or more "
            f"(default {CULL_UNCONNECTED:g})"
        )
    return value


def idle_minutes(text: str) -> float:
    """``--cull-idle``: minutes, 0 (never) or at least a tenth of a minute."""
    value = _number(text, float, "a number of minutes")
    if value != 0 and not value >= SHORTEST_IDLE_MINUTES:
        raise argparse.ArgumentTypeError(
            f"{text} is not a usable number of minutes: give e.g. {CULL_IDLE_MINUTES:g} "
            f"(the default), 0.5 for thirty seconds, or 0 to keep a page's kernel for as long "
            "as the server runs once the page has connected"
        )
    return value


# -- the page a visitor sees past a limit --------------------------------------------------------
def refusal(status: int, limit: int, again: str, dashboard: bool = False) -> str:
    """The HTML page for a refusal: 503 (the workshop is full) or 429 (this browser has as
    many pages open as one browser may). ``again`` is the address to try again."""
    if status == 429:
        title = "You have many pages open"
        said = (
            f"This browser already has {limit} workshop pages open, the most one browser may "
            "have at once, so this page was not opened. Nothing you saved is lost."
        )
        todo = (
            "Close the workshop tabs you no longer need, then try again. Pages left open "
            "elsewhere (on a phone that went to sleep, say) are closed after a few minutes."
        )
    else:
        title = "The workshop is full right now"
        said = (
            "This computer is running as many workshop pages as it has memory for, so this "
            "page was not opened. Nothing you saved is lost."
        )
        todo = (
            "Wait a minute, then try again: pages nobody is using are closed after a while "
            "and free their place. If this keeps happening, tell the facilitator."
        )
        if dashboard:
            todo += (
                " Facilitators: open the dashboard with its key (the link rapport serve "
                "printed), which is never turned away."
            )
    return Template(PAGE.read_text(encoding="utf-8")).substitute(
        title=html.escape(title),
        said=html.escape(said),
        todo=html.escape(todo),
        again=html.escape(again, quote=True),
    )
