"""The room's own evaluation: how self-ratings changed from the start of a session to its end.

Each participant rates the same statements at the start and at the end (1 to 5). Their two
answers are paired through the room's token for them (never a name). For each statement the
room sees the mean change, its 95% confidence interval (Student's t) and Hedges' g for paired
data: the mean change over the standard deviation of the changes, corrected for small samples
(g_z; see Lakens, 2013, "Calculating and reporting effect sizes to facilitate cumulative
science", Frontiers in Psychology, 4, 863). Below ``MIN_PAIRS`` pairs nothing is computed: the
figures would say more about one or two people than about the room, and could single them out.

These are self-reports. They tell how people rated themselves, not what they can do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_PAIRS = 5  # fewer pairs than this and no change is shown


def paired(before: dict[str, int], after: dict[str, int]) -> list[tuple[int, int]]:
    """(before, after) for every participant who answered both, by their key."""
    return [(before[who], after[who]) for who in sorted(before.keys() & after.keys())]


@dataclass(frozen=True)
class Change:
    """How one statement's self-ratings moved, over the pairs given."""

    pairs: int
    mean_before: float | None = None
    mean_after: float | None = None
    mean_change: float | None = None
    low: float | None = None  # the 95% confidence interval of the mean change
    high: float | None = None
    hedges_g: float | None = None

    @property
    def enough(self) -> bool:
        return self.pairs >= MIN_PAIRS

    @property
    def needed(self) -> int:
        """How many more people must answer both times before the change is shown."""
        return max(0, MIN_PAIRS - self.pairs)


def change(pairs: list[tuple[int, int]]) -> Change:
    """The change over ``pairs`` of (before, after) ratings; figures only from ``MIN_PAIRS``."""
    n = len(pairs)
    if n < MIN_PAIRS:
        return Change(n)
    diffs = [after - before for before, after in pairs]
    mean = sum(diffs) / n
    sd = math.sqrt(sum((d - mean) ** 2 for d in diffs) / (n - 1))
    half = t_quantile(0.975, n - 1) * sd / math.sqrt(n)
    correction = 1 - 3 / (4 * (n - 1) - 1)  # Hedges' small-sample correction, df = n - 1
    g = (mean / sd) * correction if sd > 0 else None  # no spread: no standardised size
    return Change(
        pairs=n,
        mean_before=sum(b for b, _ in pairs) / n,
        mean_after=sum(a for _, a in pairs) / n,
        mean_change=mean,
        low=mean - half,
        high=mean + half,
        hedges_g=g,
    )


# -- Student's t, without a statistics package -------------------------------------------
def t_quantile(p: float, df: int) -> float:
    """The ``p`` quantile of Student's t with ``df`` degrees of freedom (0.5 < p < 1)."""
    if not 0.5 < p < 1 or df < 1:
        raise ValueError("t_quantile needs 0.5 < p < 1 and df >= 1")
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        high *= 2
    for _ in range(100):  # bisection: the cdf rises steadily
        mid = (low + high) / 2
        if t_cdf(mid, df) < p:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def t_cdf(t: float, df: int) -> float:
    """The probability that Student's t with ``df`` degrees of freedom is at most ``t``."""
    x = df / (df + t * t)
    tail = 0.5 * _incomplete_beta(df / 2, 0.5, x)
    return 1 - tail if t >= 0 else tail


def _incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b), by its continued fraction."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(1 - x)
    )
    if x < (a + 1) / (a + b + 2):
        return front * _beta_fraction(a, b, x) / a
    return 1 - front * _beta_fraction(b, a, 1 - x) / b


def _beta_fraction(a: float, b: float, x: float) -> float:
    """Lentz's evaluation of the continued fraction for the incomplete beta function."""
    tiny = 1e-300
    c, d = 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 300):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1) < 1e-14:
            break
    return result
