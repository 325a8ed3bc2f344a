"""The dashboard under a real browser, shared by tests/browser and bench/: `streamlit run app.py` on a
free local port (stopped afterwards), Debian's headless Chromium through Playwright, and the wait for the
end of a script run. bench/ scripts import it with tests/ on sys.path."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch(pw: Any) -> Any:
    """Headless Debian Chromium from a Playwright instance (sync: the browser; async: awaitable)."""
    return pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    """Poll the server's health endpoint until it answers (or the process dies)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not answer on {url} within {seconds} s")


@contextmanager
def serve_process(
    cwd: Path, env: dict[str, str], port: int, log_path: Path | None, seconds: float = 60
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run `streamlit run app.py` in cwd on 127.0.0.1:port (output appended to log_path, or dropped
    when None); yield its URL and process, stop it afterwards."""
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1"]
    command += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    with open(log_path or os.devnull, "a") as log:
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_up(url, proc, seconds)
            yield url, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def serve(cwd: Path, env: dict[str, str], port: int, log_path: Path, seconds: float = 60) -> Iterator[str]:
    """As serve_process, yielding the URL only."""
    with serve_process(cwd, env, port, log_path, seconds) as (url, _proc):
        yield url


# A script run is over when Streamlit shows no status widget (1.67 shows "Stop" while running, not
# "Running") and no element is stale (greyed, left from the previous run).
IDLE = (
    "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
    " && document.querySelectorAll('[data-stale=\"true\"]').length === 0"
)


def wait_idle(page, timeout_ms: float = 60_000) -> None:
    """Wait until the app's script run has finished (checked twice, 0.4 s apart, so a rerun is caught)."""
    page.wait_for_selector("[data-testid='stApp']")
    for _ in range(2):
        page.wait_for_timeout(400)
        page.wait_for_function(IDLE, timeout=timeout_ms)
