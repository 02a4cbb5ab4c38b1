"""Kernels follow the people present: a closed tab gives its kernel back within 30 seconds."""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.browser

PAGES = 20
RELEASE_WITHIN = 30  # seconds
BATCH = 4


def kernel_alive(server: str, kernel_id: str) -> bool:
    try:
        with urllib.request.urlopen(f"{server}/api/kernels/{kernel_id}", timeout=10):
            return True
    except urllib.error.HTTPError as err:
        if err.code == 404:
            return False
        raise


def test_closing_twenty_pages_releases_their_twenty_kernels(browser, server):
    contexts, pages, kernels = [], [], []
    for start in range(0, PAGES, BATCH):  # a few at a time: two cores start the kernels
        contexts.append(browser.new_context())  # a browser of its own (one has 6 pages at most)
        batch = [contexts[-1].new_page() for _ in range(min(BATCH, PAGES - start))]
        for page in batch:
            page.goto(f"{server}/join", wait_until="commit", timeout=90_000)
        for page in batch:
            page.get_by_role("button", name="Join").wait_for(timeout=180_000)
            kernels.append(re.search(r'"kernelId": "([0-9a-f-]+)"', page.content()).group(1))
        pages += batch
    assert len(set(kernels)) == PAGES
    assert all(kernel_alive(server, k) for k in kernels)
    for page in pages:
        page.close(run_before_unload=True)
    deadline = time.monotonic() + RELEASE_WITHIN
    left = kernels
    while left and time.monotonic() < deadline:
        time.sleep(1)
        left = [k for k in left if kernel_alive(server, k)]
    for context in contexts:
        context.close()
    assert left == [], f"{len(left)} of {PAGES} kernels still running {RELEASE_WITHIN} s later"
