"""``rapport lab``: the command line, and the notebooks' widgets in a real JupyterLab."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from rapport.serving.lab import lab_argv, lab_env
from rapport.settings import DB_URL as ENV_URL
from rapport.settings import IDENTITY as ENV_IDENTITY
from rapport.settings import LEARNER as ENV_LEARNER

from ..browsing import WIDGET_ERRORS, free_port, stop, wait_for
from ..conftest import ROOT

# JupyterLab settings for the smoke test: never save the notebooks being run (autosave would
# write outputs into the repository), render every cell, and ask nothing about news or updates.
SETTINGS = {
    "docmanager-extension/plugin": {"autosave": False},
    "notebook-extension/tracker": {"windowingMode": "none"},
    "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}


def test_lab_argv_opens_the_welcome_notebook_on_loopback(tmp_path: Path):
    argv = lab_argv(tmp_path, port=8899, open_browser=False)
    assert argv[:4] == [sys.executable, "-m", "jupyter", "lab"]
    assert str(tmp_path.resolve() / "notebooks" / "00-welcome.ipynb") in argv
    assert f"--ServerApp.root_dir={tmp_path.resolve()}" in argv
    assert "--ServerApp.ip=127.0.0.1" in argv
    assert "--ServerApp.port=8899" in argv
    assert "--no-browser" in argv
    # JupyterLab's own token authentication stays on.
    assert not any("token" in arg.lower() or "password" in arg.lower() for arg in argv)


def test_lab_argv_defaults_and_refuses_other_devices(tmp_path: Path):
    argv = lab_argv(tmp_path)
    assert "--no-browser" not in argv
    assert not any(arg.startswith("--ServerApp.port=") for arg in argv)
    assert "--ServerApp.ip=::1" in lab_argv(tmp_path, host="::1")
    with pytest.raises(ValueError, match="private journal"):
        lab_argv(tmp_path, host="0.0.0.0")


def test_lab_env_leaves_the_journal_to_the_account():
    env = lab_env({ENV_IDENTITY: "browser", "PATH": "/bin"})
    assert env == {"PATH": "/bin"}


# -- JupyterLab in Chromium -------------------------------------------------------------------
@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab over the repository on a free loopback port, with a throwaway journal."""
    folder = tmp_path_factory.mktemp("lab")
    settings = folder / "settings"
    for name, values in SETTINGS.items():
        path = settings / "@jupyterlab" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = lab_env(
        {
            **os.environ,
            ENV_URL: f"sqlite:///{folder / 'lab.sqlite3'}",
            "RAPPORT_JOURNAL_URL": f"sqlite:///{folder / 'journal.sqlite3'}",
            ENV_LEARNER: "lab-smoke",
            # Keep the learner's own Jupyter configuration, workspaces and settings out of it.
            "JUPYTER_CONFIG_DIR": str(folder / "config"),
            "JUPYTER_RUNTIME_DIR": str(folder / "runtime"),
            "JUPYTERLAB_SETTINGS_DIR": str(settings),
            "JUPYTERLAB_WORKSPACES_DIR": str(folder / "workspaces"),
        }
    )
    port = free_port()
    token = secrets.token_hex(24)
    argv = [
        *lab_argv(ROOT, port=port, open_browser=False),
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        "--LabApp.expose_app_in_browser=True",  # window.jupyterapp, to run commands
        # Opening a notebook makes a checkpoint copy: keep it out of the repository.
        f"--FileCheckpoints.checkpoint_dir={folder / 'checkpoints'}",
    ]
    log = (folder / "lab.log").open("w")
    process = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/api/status?token={token}", process, seconds=60)
        yield base, token
    finally:
        stop(process)
        log.close()


CURRENT_NOTEBOOK = "window.jupyterapp.shell.currentWidget"
KERNEL_IDLE = f"""() => {{
    const w = {CURRENT_NOTEBOOK};
    const kernel = w && w.sessionContext && w.sessionContext.session
        && w.sessionContext.session.kernel;
    return !!kernel && kernel.status === 'idle';
}}"""
# Null while cells are still to run; then the errors the cells raised, if any. Run All stops at
# the first error, so an error also ends the wait.
ALL_RUN = f"""() => {{
    const w = {CURRENT_NOTEBOOK};
    const cells = w.content.model.cells;
    const errors = [];
    let pending = false;
    for (let i = 0; i < cells.length; i++) {{
        const cell = cells.get(i);
        if (cell.type !== 'code') continue;
        for (let j = 0; j < cell.outputs.length; j++) {{
            const out = cell.outputs.get(j).toJSON();
            if (out.output_type !== 'error') continue;
            errors.push(`cell ${{i}}: ${{out.ename}}: ${{out.evalue}}`);
        }}
        if (!cell.executionCount) pending = true;
    }}
    const idle = w.sessionContext.session.kernel.status === 'idle';
    return idle && (errors.length || !pending) ? errors : null;
}}"""


def open_notebook(page, path: str) -> None:
    """Wait until the notebook at ``path`` is the current tab and its kernel is idle."""
    page.wait_for_function("() => !!window.jupyterapp", timeout=60_000)
    page.wait_for_function(
        f"""() => {{
            const w = {CURRENT_NOTEBOOK};
            return !!w && !!w.context && w.context.path === {json.dumps(path)}
                && w.context.isReady;
        }}""",
        timeout=60_000,
    )
    select_kernel = page.locator(".jp-Dialog", has_text="Select Kernel")
    for _ in range(60):
        if page.evaluate(KERNEL_IDLE):
            return
        if select_kernel.count():
            select_kernel.locator(".jp-mod-accept").click()
        page.wait_for_timeout(500)
    raise AssertionError(f"the kernel of {path} did not become idle within 30 s")


def command(page, name: str, args: dict | None = None) -> None:
    """Run one of JupyterLab's commands, as its menus and shortcuts do."""
    page.evaluate(
        "async ([name, args]) => { await window.jupyterapp.commands.execute(name, args); }",
        [name, args or {}],
    )


def run_all_cells(page) -> None:
    command(page, "notebook:run-all-cells")
    errors = page.wait_for_function(ALL_RUN, timeout=60_000, polling=250).json_value()
    assert errors == [], f"cells raised errors in JupyterLab: {errors}"


def assert_no_widget_errors(page) -> None:
    body = page.inner_text("body")
    assert "Error displaying widget" not in body
    assert "Traceback" not in body
    errors = [line for line in page.console_lines if any(e in line for e in WIDGET_ERRORS)]
    assert errors == []


@pytest.mark.browser
@pytest.mark.timeout(150)
def test_the_welcome_notebook_renders_its_widgets_in_jupyterlab(page, lab):
    base, token = lab
    page.goto(f"{base}/lab/tree/notebooks/00-welcome.ipynb?token={token}", timeout=60_000)
    open_notebook(page, "notebooks/00-welcome.ipynb")
    run_all_cells(page)
    # Module 00 has a self-assessment form, reflections and activities.
    page.wait_for_function(
        "document.querySelectorAll('.jp-OutputArea .rp-box').length >= 3", timeout=30_000
    )
    assert page.locator(".rp-box textarea").count() >= 1
    assert_no_widget_errors(page)

    # A principle module, opened in the same JupyterLab: its role-plays respond to clicks.
    command(page, "docmanager:open", {"path": "notebooks/05-listen.ipynb"})
    open_notebook(page, "notebooks/05-listen.ipynb")
    run_all_cells(page)
    notebook = page.locator(".jp-NotebookPanel:visible")
    scenario = notebook.locator(".rp-box", has=page.locator(".rp-choice")).first
    scenario.wait_for(timeout=30_000)
    before = scenario.inner_text()
    scenario.locator(".rp-choice").first.click()
    expect(scenario).not_to_have_text(before, timeout=15_000)
    assert_no_widget_errors(page)
