"""JupyterLab + headless Chromium for the browser tests.

One JupyterLab server per test session (it takes seconds to start on a busy
two-core machine), on 127.0.0.1 with a random free port and a random token,
with every piece of configuration in temporary directories so that the
tests neither read nor write the user's Jupyter settings, and with the
JupyterLab features that reach the network (news, update checks, the
extension manager's package index) switched off.
"""
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

# Tests import lab_page.py from this folder (pytest runs in importlib mode).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import pytest

import lab_page  # noqa: E402 - found through the sys.path entry above

from lab_page import ARTIFACTS, REPO  # noqa: E402,F401 - the tests' paths, kept in lab_page

# JupyterLab user settings (one file per plugin). Autosave is off so that
# running the tour in the browser never writes outputs into the committed
# notebook; windowing is off so that every cell is in the DOM.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _requirements_missing():
    """Why the browser tests cannot run here, or None when they can."""
    if shutil.which("chromium") is None:
        return "chromium is not on PATH (scripts/test.sh installs Debian's chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install -e '.[test]')"
    return None


class LabServer:
    """A running JupyterLab: its base URL, token and log."""

    def __init__(self, base_url, token, process, log_path):
        self.base_url = base_url
        self.token = token
        self.process = process
        self.log_path = log_path

    def api(self, path):
        request = urllib.request.Request(
            self.base_url + path, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read().decode())

    def url(self, path):
        return f"{self.base_url}{path}?token={self.token}"

    def log(self):
        return self.log_path.read_text(errors="replace")


def _write_settings(settings_dir):
    for name, values in LAB_SETTINGS.items():
        path = settings_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def _wait_until_up(server, deadline):
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"JupyterLab exited with {server.process.returncode}:\n{server.log()[-4000:]}"
            )
        try:
            server.api("/api/status")
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.5)
    raise RuntimeError(f"JupyterLab did not answer /api/status in time:\n{server.log()[-4000:]}")


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    reason = _requirements_missing()
    if reason:
        pytest.skip(reason)
    home = tmp_path_factory.mktemp("jupyter")
    settings = home / "user-settings"
    _write_settings(settings)
    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        IPYTHONDIR=str(home / "ipython"),
        JUPYTER_PLATFORM_DIRS="1",
        # The kernel spec says "python": make it this interpreter's venv.
        PATH=str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", ""),
    )
    token = secrets.token_hex(16)
    port = _free_port()
    log_path = home / "jupyterlab.log"
    command = [
        sys.executable, "-m", "jupyter", "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--port-retries=0",
        f"--IdentityProvider.token={token}",  # ServerApp.token's current name
        "--ServerApp.password=",
        "--ServerApp.open_browser=False",
        f"--ServerApp.root_dir={REPO}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # CI containers run as root
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = LabServer(f"http://127.0.0.1:{port}", token, process, log_path)
    try:
        _wait_until_up(server, time.monotonic() + 90)
        yield server
    finally:
        _shut_down(server)


def _shut_down(server):
    """Ask the server to stop (it stops its kernels), then make sure."""
    if server.process.poll() is None:
        try:
            request = urllib.request.Request(
                server.base_url + "/api/shutdown", method="POST",
                headers={"Authorization": f"token {server.token}"},
            )
            urllib.request.urlopen(request, timeout=10).close()
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.process.terminate()
            try:
                server.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait(timeout=10)
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(server.log_path, ARTIFACTS / "jupyterlab.log")


@pytest.fixture(scope="session")
def browser(lab_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page that records console errors and uncaught page errors."""
    page = lab_page.new_page(browser)
    context = page.context
    try:
        yield page
    finally:
        context.close()
