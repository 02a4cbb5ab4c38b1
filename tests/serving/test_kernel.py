"""The kernel spec ``rapport serve`` gives its pages: IPython without the debugger or history."""

from __future__ import annotations

import json
import os

from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager

from rapport.serving.serve import TEMPLATES, use_rapport_templates


def test_served_pages_find_rapports_python3_kernel_first(monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", "")
    use_rapport_templates()
    spec = KernelSpecManager().get_kernel_spec("python3")
    assert spec.resource_dir == str(TEMPLATES / "kernels" / "python3")
    assert spec.argv[:3] == ["python", "-m", "rapport.serving.kernel"]


def test_the_page_kernel_runs_without_debugger_and_history(monkeypatch, tmp_path):
    monkeypatch.setenv("JUPYTER_PATH", "")
    use_rapport_templates()
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(tmp_path), env={**os.environ, "IPYTHONDIR": str(tmp_path)})
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        lines = []
        probe = (
            "import json, os, sys\n"
            "h = get_ipython().history_manager\n"
            "print(json.dumps([sys.argv[0], sys.modules.get('debugpy') is not None, h.enabled,"
            " getattr(h, 'save_thread', None) is None,"
            " os.environ.get('PYDANTIC_DISABLE_PLUGINS')]))"
        )
        reply = client.execute_interactive(
            probe,
            timeout=60,
            output_hook=lambda m: lines.append(m["content"].get("text", "")),
        )
        assert reply["content"]["status"] == "ok"
        launcher, debugger, history, no_thread, plugins = json.loads("".join(lines))
        assert launcher.endswith(os.path.join("rapport", "serving", "kernel.py"))
        assert (debugger, history, no_thread, plugins) == (False, False, True, "__all__")
        assert not any(tmp_path.rglob("history.sqlite"))
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_serving_byte_compiles_the_package_for_its_kernels(tmp_path, monkeypatch):
    import importlib.util

    import rapport.pages.live
    from rapport.serving.serve import compile_package

    cached = importlib.util.cache_from_source(rapport.pages.live.__file__)
    if os.path.exists(cached):
        os.remove(cached)
    assert compile_package()
    assert os.path.exists(cached)


def test_an_interrupt_while_the_kernel_starts_ends_it_quietly():
    import subprocess
    import sys

    probe = (
        "import os, signal, time\n"
        "from rapport.serving.kernel import quiet_interrupts\n"
        "quiet_interrupts()\n"
        "os.kill(os.getpid(), signal.SIGINT)\n"
        "time.sleep(10)\n"
        "print('still running')"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
