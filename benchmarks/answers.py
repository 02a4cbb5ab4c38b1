"""Store throughput: many participants answering at once, and how soon the dashboard sees it.

60 simulated participants (one thread each, each with its own store connection as each
participant's kernel has) join 20 rooms of module 05-listen with the scale activity
``how-hard`` open, then answer once in every room as fast as they can: 1,200 distinct answers
through ``rapport.store.rooms.Rooms.submit``. A facilitator thread polls ``Rooms.answered`` for the
rooms being answered every ~50 ms, as the dashboard does.

    .venv/bin/python benchmarks/answers.py                 # SQLite, a fresh temporary file
    .venv/bin/python benchmarks/answers.py --postgres      # a throwaway PostgreSQL server
    .venv/bin/python benchmarks/answers.py --db-url URL    # any store URL (rooms are deleted)
    .venv/bin/python benchmarks/answers.py --check         # exit 1 if a target is missed

Targets: no answer lost out of 1,200; p95 submit-to-tally under 1 s on SQLite.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import random
import secrets
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import (
    finish,
    postgres_server,
    result_line,
    rounded,
    summary,
    table,
    terminate_cleanly,
    verdict,
)

MODULE = "05-listen"
ACTIVITY = "how-hard"  # a scale: answers 1 to 5
TALLY_TARGET_MS = 1000
GRACE_S = 10.0  # how long the facilitator keeps polling after the last submit, at most


@dataclass
class Submit:
    room: int
    participant: int
    start: float  # time.perf_counter() when submit was called
    end: float  # ... and when it returned
    ok: bool


@dataclass
class Poll:
    start: float
    end: float
    count: int


@dataclass
class Outcome:
    """What one run measured; times in seconds (perf_counter)."""

    backend: str
    participants: int
    rooms: int
    expected: int
    stored: int
    submits: list[Submit]
    polls: dict[int, list[Poll]]
    cycles: list[float]
    errors: list[str] = field(default_factory=list)
    poller: str = "thread"

    @property
    def lost(self) -> int:
        return self.expected - self.stored

    @property
    def wall(self) -> float:
        if not self.submits:
            return float("nan")
        return max(s.end for s in self.submits) - min(s.start for s in self.submits)

    @property
    def throughput(self) -> float:
        return sum(s.ok for s in self.submits) / self.wall if self.submits else float("nan")

    def submit_ms(self) -> list[float]:
        return [(s.end - s.start) * 1000 for s in self.submits if s.ok]

    def tally_ms(self) -> tuple[list[float], int]:
        return submit_to_tally(self.submits, self.polls)

    def figures(self) -> dict:
        tally, untallied = self.tally_ms()
        sub, tal, cyc = (
            summary(self.submit_ms()),
            summary(tally),
            summary([c * 1000 for c in self.cycles]),
        )
        return {
            "backend": self.backend,
            "poller": self.poller,
            "participants": self.participants,
            "rooms": self.rooms,
            "expected": self.expected,
            "stored": self.stored,
            "lost": self.lost,
            "submit_errors": len(self.errors),
            "wall_s": rounded(self.wall, 2),
            "answers_per_s": rounded(self.throughput),
            "submit_ms": {k: rounded(v) for k, v in sub.items()},
            "tally_ms": {k: rounded(v) for k, v in tal.items()},
            "never_tallied": untallied,
            "polls": sum(len(p) for p in self.polls.values()),
            "poll_cycle_ms": {k: rounded(v) for k, v in cyc.items() if k != "max"},
        }


def submit_to_tally(submits: list[Submit], polls: dict[int, list[Poll]]) -> tuple[list[float], int]:
    """Per answer: from the start of its submit until a facilitator poll first counts it.

    Polls see counts, not identities. In each room, the k-th answer to complete (by the time
    its submit returned) is counted by the first poll that returned a count of at least k and
    ended after that submit started; its latency is that poll's end minus the submit's start.
    Returns the latencies in ms, and how many answers no poll ever counted.
    """
    latencies: list[float] = []
    untallied = 0
    by_room: dict[int, list[Submit]] = {}
    for s in submits:
        if s.ok:
            by_room.setdefault(s.room, []).append(s)
    for room, done in by_room.items():
        done.sort(key=lambda s: s.end)
        room_polls = polls.get(room, [])
        first = 0  # polls before this one counted fewer answers than the current rank
        for rank, s in enumerate(done, start=1):
            while first < len(room_polls) and room_polls[first].count < rank:
                first += 1
            seen = next(
                (p for p in room_polls[first:] if p.end >= s.start),
                None,
            )
            if seen is None:
                untallied += 1
            else:
                latencies.append((seen.end - s.start) * 1000)
    return latencies, untallied


def run(
    url: str,
    participants: int = 60,
    rooms: int = 20,
    poll_ms: float = 50,
    shared_engine: bool = False,
    backend: str | None = None,
    seed: int | None = None,
    poller: str = "thread",
) -> Outcome:
    """Run the benchmark against the store at ``url``; the rooms it made are deleted after."""
    from sqlalchemy.engine import make_url

    from rapport.store.database import Store
    from rapport.store.rooms import Rooms

    backend = backend or make_url(url).get_backend_name()
    facilitator_store = Store(url)
    facilitator = Rooms(facilitator_store)
    stores = [facilitator_store] * participants if shared_engine else []
    for _ in range(0 if shared_engine else participants):
        stores.append(Store(url))  # each participant's kernel has its own connection
    codes: list[str] = []
    try:
        for _ in range(rooms):
            code = facilitator.create(MODULE).code
            codes.append(code)
            facilitator.show(code, ACTIVITY, "open")
        return _race(
            facilitator, stores, codes, participants, poll_ms / 1000, backend, seed, url, poller
        )
    finally:
        for code in codes:
            with contextlib.suppress(Exception):
                facilitator.delete(code)
        for store in {id(s): s for s in stores}.values():
            store.engine.dispose()
        facilitator_store.engine.dispose()


def poll_rooms(
    api, codes: list[str], participants: int, poll_s: float, live, done, owed
) -> tuple[dict[int, list[Poll]], list[float]]:
    """The facilitator: count the answers of every room being answered, every ``poll_s``.

    Shared with the participants (lists and an event for a thread, their multiprocessing
    twins for a process): ``live[r]``, someone has started answering in room ``r``; ``done``,
    set when every participant has finished; ``owed``, then how many answers went through in
    each room. Stops when every room is complete, when every answer that went through has
    been counted, or ``GRACE_S`` after the participants finished.
    """
    polls: dict[int, list[Poll]] = {r: [] for r in range(len(codes))}
    cycles: list[float] = []
    complete: set[int] = set()
    stop_at = None
    while True:
        began, polled = time.perf_counter(), False
        for r, code in enumerate(codes):
            if r in complete or not live[r]:
                continue
            polled = True
            p0 = time.perf_counter()
            count = api.answered(code, ACTIVITY)
            polls[r].append(Poll(p0, time.perf_counter(), count))
            if count >= participants:
                complete.add(r)
        if polled:
            cycles.append(time.perf_counter() - began)
        if len(complete) == len(codes):
            break
        if done.is_set():
            counts = list(owed)
            if all(polls[r] and polls[r][-1].count >= n for r, n in enumerate(counts) if n):
                break  # every answer that went through has been counted
            stop_at = stop_at or time.perf_counter() + GRACE_S
            if time.perf_counter() > stop_at:
                break
        time.sleep(max(0.0, poll_s - (time.perf_counter() - began)))
    return polls, cycles


def _poll_process(url, codes, participants, poll_s, live, done, owed, ready, out) -> None:
    """The facilitator in a process of its own, as the dashboard's kernel is."""
    from rapport.store.database import Store
    from rapport.store.rooms import Rooms

    store = Store(url)
    try:
        ready.set()
        polls, cycles = poll_rooms(Rooms(store), codes, participants, poll_s, live, done, owed)
        out.put(
            (
                {r: [(p.start, p.end, p.count) for p in ps] for r, ps in polls.items()},
                cycles,
            )
        )
    finally:
        store.engine.dispose()


def _race(facilitator, stores, codes, participants, poll_s, backend, seed, url, poller):
    from rapport.store.rooms import Rooms

    rng = random.Random(seed)
    values = [[rng.randint(1, 5) for _ in codes] for _ in range(participants)]
    tokens = [secrets.token_urlsafe(24) for _ in range(participants)]
    start = threading.Barrier(participants + 1)
    submits: list[Submit] = []
    errors: list[str] = []
    lock = threading.Lock()

    if poller == "process":
        mp = multiprocessing.get_context("spawn")
        live = mp.Array("b", len(codes), lock=False)
        owed = mp.Array("i", len(codes), lock=False)
        done, ready, out = mp.Event(), mp.Event(), mp.Queue()
        process = mp.Process(
            target=_poll_process,
            args=(url, codes, participants, poll_s, live, done, owed, ready, out),
            name="facilitator",
        )
    else:
        live = [0] * len(codes)
        owed = [0] * len(codes)
        done = threading.Event()
        found: dict = {}

        def poll_thread() -> None:
            found["result"] = poll_rooms(facilitator, codes, participants, poll_s, live, done, owed)

    def participant(i: int) -> None:
        api = Rooms(stores[i])
        try:
            for code in codes:
                api.join(code, tokens[i])
        except Exception as err:
            with lock:
                errors.append(f"join: {type(err).__name__}: {err}")
            start.abort()
            raise
        start.wait()
        for r, code in enumerate(codes):
            live[r] = 1
            t0 = time.perf_counter()
            try:
                api.submit(code, tokens[i], ACTIVITY, values[i][r])
                ok = True
            except Exception as err:
                ok = False
                with lock:
                    errors.append(f"submit: {type(err).__name__}: {err}")
            t1 = time.perf_counter()
            with lock:
                submits.append(Submit(r, i, t0, t1, ok))

    threads = [
        threading.Thread(target=participant, args=(i,), name=f"participant-{i}")
        for i in range(participants)
    ]
    if poller == "process":
        process.start()
        if not ready.wait(60):
            process.kill()
            raise RuntimeError("the facilitator process did not start")
    else:
        process = threading.Thread(target=poll_thread, name="facilitator")
    for t in threads:
        t.start()
    try:
        start.wait()
    except threading.BrokenBarrierError:
        for t in threads:
            t.join()
        if poller == "process":
            done.set()
        raise RuntimeError(f"participants could not join: {errors[:3]}") from None
    if poller == "thread":
        process.start()
    for t in threads:
        t.join()
    for s in submits:
        owed[s.room] += s.ok
    done.set()
    if poller == "process":
        raw, cycles = out.get(timeout=GRACE_S + 120)
        process.join(30)
        polls = {r: [Poll(*p) for p in ps] for r, ps in raw.items()}
    else:
        process.join()
        polls, cycles = found["result"]
    stored = sum(facilitator.answered(code, ACTIVITY) for code in codes)
    return Outcome(
        backend,
        participants,
        len(codes),
        participants * len(codes),
        stored,
        sorted(submits, key=lambda s: s.start),
        polls,
        cycles,
        errors,
        poller,
    )


def report(outcome: Outcome) -> tuple[str, dict, dict[str, bool]]:
    f = outcome.figures()
    sub, tal, cyc = f["submit_ms"], f["tally_ms"], f["poll_cycle_ms"]

    def trio(d: dict) -> str:
        return " / ".join("-" if d[k] is None else f"{d[k]:,.1f}" for k in ("p50", "p95", "max"))

    rows = [
        ("store", outcome.backend),
        ("facilitator poller", outcome.poller),
        ("participants x rooms", f"{outcome.participants} x {outcome.rooms}"),
        ("answers expected", f["expected"]),
        ("answers stored", f["stored"]),
        ("lost (expected - stored)", f["lost"]),
        ("submits that raised", f["submit_errors"]),
        ("wall time (s)", f"{f['wall_s']:.2f}"),
        ("throughput (answers/s)", f"{f['answers_per_s']:,.1f}"),
        ("submit latency p50 / p95 / max (ms)", trio(sub)),
        ("submit-to-tally p50 / p95 / max (ms)", trio(tal)),
        ("answers no poll counted", f["never_tallied"]),
        ("facilitator polls", f["polls"]),
        (
            "poll cycle p50 / p95 (ms)",
            " / ".join("-" if cyc[k] is None else f"{cyc[k]:,.1f}" for k in ("p50", "p95")),
        ),
    ]
    targets = {f"no answer lost ({f['lost']} of {f['expected']})": f["lost"] == 0}
    if outcome.backend == "sqlite":
        p95 = tal["p95"]
        targets[f"p95 submit-to-tally under {TALLY_TARGET_MS} ms on SQLite ({p95} ms)"] = (
            p95 is not None and p95 < TALLY_TARGET_MS and f["never_tallied"] == 0
        )
    f["targets_met"] = all(targets.values())
    return table(("figure", "value"), rows), f, targets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--postgres", action="store_true", help="start a throwaway PostgreSQL")
    where.add_argument("--db-url", help="a store URL to use instead of a fresh SQLite file")
    parser.add_argument("--participants", type=int, default=60)
    parser.add_argument("--rooms", type=int, default=20, help="answers per participant")
    parser.add_argument("--poll-ms", type=float, default=50, help="the facilitator's poll period")
    parser.add_argument(
        "--shared-engine",
        action="store_true",
        help="one connection pool for all participants (default: one store each, as kernels)",
    )
    parser.add_argument(
        "--poller",
        choices=("thread", "process"),
        default="thread",
        help="run the facilitator as a thread beside the participants (default), or in a "
        "process of its own as the dashboard's kernel is, away from their GIL",
    )
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)

    options = {
        "participants": args.participants,
        "rooms": args.rooms,
        "poll_ms": args.poll_ms,
        "shared_engine": args.shared_engine,
        "seed": args.seed,
        "poller": args.poller,
    }
    with terminate_cleanly():
        if args.postgres:
            with postgres_server() as url:
                outcome = run(url, backend="postgresql", **options)
        elif args.db_url:
            outcome = run(args.db_url, **options)
        else:
            with tempfile.TemporaryDirectory(prefix="rapport-bench-") as tmp:
                outcome = run(f"sqlite:///{tmp}/answers.sqlite3", **options)
    text, figures, targets = report(outcome)
    print(text)
    if outcome.errors:
        print(f"\nfirst errors ({len(outcome.errors)} in all):")
        for line in outcome.errors[:5]:
            print("  " + line)
    print("\ntargets:\n" + verdict(targets))
    print(result_line("answers", **figures, shared_engine=args.shared_engine))
    return finish(targets, args.check)


if __name__ == "__main__":
    sys.exit(main())
