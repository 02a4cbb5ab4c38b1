"""The benchmarks' own helpers work (benchmarks/): quick, and no Voila or browser started."""

from __future__ import annotations

import json
import math
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import answers
import benchlib
import first_widget
import room_join


def test_percentile_interpolates_between_ranks_like_numpy():
    values = [4, 1, 3, 2]
    assert benchlib.percentile(values, 0) == 1
    assert benchlib.percentile(values, 50) == 2.5
    assert benchlib.percentile(values, 100) == 4
    assert benchlib.percentile(values, 95) == pytest.approx(3.85)
    assert benchlib.percentile([7], 95) == 7
    assert math.isnan(benchlib.percentile([], 50))
    with pytest.raises(ValueError):
        benchlib.percentile(values, 101)


def test_summary_and_rounding():
    assert benchlib.summary(range(1, 101)) == {"p50": 50.5, "p95": pytest.approx(95.05), "max": 100}
    assert benchlib.rounded(math.nan) is None
    assert benchlib.rounded(1.26) == 1.3


def test_table_aligns_numbers_right_and_text_left():
    lines = benchlib.table(("name", "ms"), [("bare", 1234.5), ("05-listen", 7.0)]).splitlines()
    assert lines[0] == "| name      |      ms |"
    assert lines[1] == "|-----------|--------:|"
    assert lines[2] == "| bare      | 1,234.5 |"
    assert lines[3] == "| 05-listen |     7.0 |"


def test_result_line_is_one_json_object_naming_the_benchmark():
    line = benchlib.result_line("answers", lost=0)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["benchmark"] == "answers" and parsed["lost"] == 0 and "date" in parsed


def test_a_missed_target_fails_only_with_check():
    assert benchlib.finish({"a": True, "b": False}, check=False) == 0
    assert benchlib.finish({"a": True, "b": False}, check=True) == 1
    assert benchlib.finish({"a": True}, check=True) == 0


def test_submit_to_tally_counts_the_kth_answer_at_the_first_poll_showing_k():
    Submit, Poll = answers.Submit, answers.Poll
    submits = [
        Submit(room=0, participant=0, start=0.00, end=0.02, ok=True),
        Submit(room=0, participant=1, start=0.01, end=0.10, ok=True),
        Submit(room=0, participant=2, start=0.05, end=0.06, ok=False),  # raised: not counted
        Submit(room=1, participant=0, start=0.00, end=0.01, ok=True),
    ]
    polls = {
        0: [Poll(0.03, 0.04, 1), Poll(0.08, 0.09, 1), Poll(0.13, 0.15, 2)],
        1: [Poll(0.00, 0.005, 0)],  # never saw its answer
    }
    latencies, untallied = answers.submit_to_tally(submits, polls)
    assert latencies == [pytest.approx(40), pytest.approx(140)]
    assert untallied == 1


def test_answers_benchmark_loses_nothing_on_a_tiny_run(any_store):
    outcome = answers.run(any_store.url, participants=3, rooms=2, poll_ms=10, seed=1)
    figures = outcome.figures()
    assert (figures["expected"], figures["stored"], figures["lost"]) == (6, 6, 0)
    assert figures["submit_errors"] == 0 and figures["never_tallied"] == 0
    assert figures["tally_ms"]["p95"] >= figures["submit_ms"]["p50"] > 0
    text, _, targets = answers.report(outcome)
    assert "answers stored" in text and all(targets.values())
    from rapport.store.rooms import Rooms

    assert Rooms(any_store).list() == []  # the benchmark deletes the rooms it made


def test_first_widget_root_links_the_course_and_adds_a_bare_notebook(tmp_path):
    import nbformat

    names = first_widget.course_notebooks()
    assert names[0] == "00-welcome" and names[-1] == "join" and len(names) >= 10
    root = first_widget.build_root(tmp_path, names)
    served = {p.stem for p in (root / "notebooks").glob("*.ipynb")}
    assert served == {*names, "bare"}
    assert (root / "exercises" / "manifest.yaml").is_file()
    assert (root / "facilitator").is_dir()
    bare = nbformat.read(root / "notebooks" / "bare.ipynb", as_version=4)
    nbformat.validate(bare)
    assert "w.Button" in bare.cells[0].source


def test_first_widget_ratios_are_against_the_bare_median():
    measured = {
        "times": {"bare": [100, 300, 200], "05-listen": [260, 250, 240], "join": [100]},
        "first": {},
        "errors": {"bare": [], "05-listen": [], "join": []},
    }
    rows = {r["notebook"]: r for r in first_widget.results(measured)}
    assert rows["bare"]["ratio"] == 1
    assert rows["05-listen"]["ratio"] == 1.25 and rows["05-listen"]["module"]
    assert not rows["join"]["module"]


class _Pages(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/join":
            self.send_response(302)
            self.send_header("Location", "/page")
            self.end_headers()
            return
        body = b"<html><body>missing</body></html>"
        if self.path == "/page":
            body = (
                b'<html><script>{"kernelId": "ab-12"}</script>'
                b"application/vnd.jupyter.widget-view+json</html>"
            )
        self.send_response(200)
        self.send_header("X-Rapport-Upstream", "127.0.0.1:8867")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_room_join_fetch_follows_the_redirect_and_checks_the_page():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        got = room_join.fire(base + "/join", 3, timeout=10)
        assert [g.ok for g in got] == [True] * 3
        assert all(g.kernel == "ab-12" and g.total >= g.headers > 0 for g in got)
        assert {g.upstream for g in got} == {"127.0.0.1:8867"}  # the server behind a proxy
        missing = room_join.fetch(base + "/other", timeout=10)
        assert not missing.ok and "without the participant app: missing" in missing.error
    finally:
        server.shutdown()
        server.server_close()


def test_page_text_leaves_out_scripts_and_tags():
    body = b"<p>Hello <b>there</b></p><script>var x = '<p>no</p>';</script><style>p{}</style>"
    assert room_join.page_text(body) == "Hello there"


def test_the_pool_size_and_kernel_ids_are_read_from_the_server():
    banner = (
        "  Facilitator key:        k\n"
        "  Join pages kept ready:  10 (--pool N changes it)\n[WorkshopVoila] ..."
    )
    assert int(benchlib.POOL_BANNER.search(banner).group(1)) == 10
    launcher = "/tmp/voila_x/kernel-5cdf612b-dd6d-4cad-bbee-0123456789ab.json"
    assert room_join.KERNEL_FILE.search(launcher).group(1) == "5cdf612b-dd6d-4cad-bbee-0123456789ab"


def test_room_join_adds_up_the_memory_of_several_servers():
    one = {"kernels": 3, "spare_kernels": 2, "kernel_rss_mean_mb": 70.0, "kernel_rss_max_mb": 71}
    two = {"kernels": 1, "spare_kernels": 0, "kernel_rss_mean_mb": 74.0, "kernel_rss_max_mb": 74}
    for i, memory in enumerate((one, two)):
        memory.update(kernel_uss_mean_mb=30.0 + 4 * i, server_rss_mb=100.0, total_pss_mb=400.0)
        memory.update(fork_server_rss_mb=60.0, total_rss_mb=500.0)
    both = room_join.combined([one, two])
    assert both["kernels"] == 4 and both["spare_kernels"] == 2
    assert both["kernel_rss_mean_mb"] == 71.0  # weighted by each server's kernels
    assert both["kernel_rss_max_mb"] == 74 and both["kernel_uss_mean_mb"] == 31.0
    assert both["total_pss_mb"] == 800.0 and both["server_rss_mb"] == 200.0
