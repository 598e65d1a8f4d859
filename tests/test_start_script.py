"""README's main command, scripts/start.sh, run for real: it installs into
the repository's .venv (already there under scripts/test.sh, so pip only
checks) and serves the tour notebook in JupyterLab -- as root too, which
JupyterLab refuses without --allow-root."""
import json
import os
import pathlib
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
TOKEN = "start-script-test"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


@pytest.mark.slow
def test_start_script_serves_the_tour_notebook(tmp_path):
    port = _free_port()
    log = tmp_path / "start.log"
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), BROWSER="true")
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            ["bash", "scripts/start.sh", "--no-browser", f"--port={port}", "--port-retries=0",
             f"--IdentityProvider.token={TOKEN}", "--LabApp.news_url=None",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240  # pip checks the installed extras first
        while True:
            if proc.poll() is not None:
                pytest.fail(f"scripts/start.sh exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
            try:
                status, _ = _get(f"{base}/api/status?token={TOKEN}")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not answer in 240 s:\n{log.read_text()[-3000:]}")
            time.sleep(1)
        # JupyterLab serves the folder of the notebook it was started on.
        status, body = _get(f"{base}/api/contents/00_tour.ipynb?token={TOKEN}&content=1")
        notebook = json.loads(body)
        assert status == 200 and notebook["type"] == "notebook"
        sources = ["".join(c["source"]) for c in notebook["content"]["cells"]]
        assert any(s.startswith("%%dezero") for s in sources)
        status, page = _get(f"{base}/lab/tree/00_tour.ipynb?token={TOKEN}")
        assert status == 200 and b"JupyterLab" in page
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
