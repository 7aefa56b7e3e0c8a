"""The ``monitor`` command as real processes: busy ports and SIGTERM.

A busy port is exit code 3 and one sentence, never a traceback; SIGTERM stops a command as
Ctrl-C does, together with what it started (Streamlit, the demo's servers)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from tests.conftest import CONFIG_DIR, config_folder
from tests.servers import free_port, html_site

# Every test here starts `monitor` as real processes (seconds each): the slow tier.
pytestmark = pytest.mark.slow

#: The most any start-up here may take before the test gives up (a safety net, not a check).
START_LIMIT_SECONDS = 180


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port another program is listening on."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield int(listener.getsockname()[1])


def monitor_env(tmp_path: Path, **settings: int | str) -> dict[str, str]:
    env = {
        **os.environ,
        "MONITOR_DATA_DIR": str(tmp_path / "data"),
        "MONITOR_CONFIG_DIR": str(CONFIG_DIR),
        "MONITOR_FEEDBACK_PORT": str(free_port()),
        "MONITOR_DEMO_PORT": str(free_port()),
        "MONITOR_DASHBOARD_PORT": str(free_port()),
    }
    env.pop("MONITOR_DATABASE_URL", None)
    env.update({f"MONITOR_{name.upper()}": str(value) for name, value in settings.items()})
    return env


def monitor(*args: str) -> list[str]:
    return [sys.executable, "-m", "monitor", *args]


@pytest.mark.parametrize(
    ("args", "setting", "hint"),
    [
        (["dashboard", "--port", "{port}"], None, "pass --port"),
        (["demo-site", "--port", "{port}"], None, "pass --port"),
        (["feedback", "serve", "--port", "{port}"], None, "pass --port"),
        (["demo", "run", "--no-serve"], "feedback_port", "set MONITOR_FEEDBACK_PORT"),
        (["demo", "run", "--no-serve"], "demo_port", "set MONITOR_DEMO_PORT"),
        # Found before the audit starts, not after it.
        (["demo", "run"], "dashboard_port", "set MONITOR_DASHBOARD_PORT"),
    ],
)
def test_a_busy_port_is_exit_3_and_one_sentence(
    args: list[str], setting: str | None, hint: str, busy_port: int, tmp_path: Path
) -> None:
    env = monitor_env(tmp_path, **({setting: busy_port} if setting else {}))
    command = [arg.format(port=busy_port) for arg in args]
    result = subprocess.run(
        monitor(*command), env=env, capture_output=True, text=True, timeout=START_LIMIT_SECONDS
    )
    assert result.returncode == 3, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert [line for line in result.stderr.splitlines() if line.strip()] == [
        f"port {busy_port} on 127.0.0.1 is already in use: stop whatever is using it or {hint}"
    ]
    assert "Auditing" not in result.stdout


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class Command:
    """``monitor ARGS`` running in the background, its output going to files (a pipe would
    be held open by any child left behind, and reading it would never end)."""

    def __init__(self, tmp_path: Path, env: dict[str, str], *args: str) -> None:
        self.out, self.err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
        self.children: list[psutil.Process] = []
        with self.out.open("w") as out, self.err.open("w") as err:
            self.process = subprocess.Popen(monitor(*args), env=env, stdout=out, stderr=err)

    def wait_until(self, ready: Callable[[], bool], what: str) -> None:
        """Wait for ``ready()``; fail if the command ends first or START_LIMIT_SECONDS pass."""
        deadline = time.monotonic() + START_LIMIT_SECONDS
        while not ready():
            if self.process.poll() is not None:
                raise AssertionError(
                    f"{what}: the command ended with {self.process.returncode}: "
                    + self.err.read_text()
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: not ready after {START_LIMIT_SECONDS} s")
            time.sleep(0.2)

    def stop_with_sigterm(self) -> list[psutil.Process]:
        """SIGTERM to the command alone (as ``kill PID`` or systemd's main-process mode
        sends it); its children as they were before the signal."""
        self.children = psutil.Process(self.process.pid).children(recursive=True)
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=START_LIMIT_SECONDS)
        return self.children

    def kill(self) -> None:
        """The command, and any child it left behind (only a failing test leaves one)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for child in self.children:
            if child.is_running():
                child.kill()


def test_sigterm_stops_the_dashboard_and_its_streamlit(tmp_path: Path) -> None:
    port = free_port()
    command = Command(tmp_path, monitor_env(tmp_path), "dashboard", "--port", str(port))
    try:
        command.wait_until(lambda: answers(f"http://127.0.0.1:{port}/_stcore/health"), "Streamlit")
        children = command.stop_with_sigterm()
    finally:
        command.kill()
    err = command.err.read_text()
    assert command.process.returncode == 128 + signal.SIGTERM, err
    assert "Traceback" not in err and "Stopped (SIGTERM)." in err
    assert children, "the dashboard had started no process"
    assert not [child for child in children if child.is_running()]
    assert port_is_free(port)


@pytest.mark.browser
def test_sigterm_stops_the_whole_demo(tmp_path: Path) -> None:
    env = monitor_env(tmp_path)
    command = Command(tmp_path, env, "demo", "run", "--feedback", "5")
    dashboard = f"http://127.0.0.1:{env['MONITOR_DASHBOARD_PORT']}/_stcore/health"
    try:
        # The audit, the journeys and the feedback come first; then it serves.
        command.wait_until(
            lambda: "Serving until Ctrl-C." in command.out.read_text(), "the demo's audit"
        )
        command.wait_until(lambda: answers(dashboard), "the demo's dashboard")
        children = command.stop_with_sigterm()
    finally:
        command.kill()
    err = command.err.read_text()
    assert command.process.returncode == 128 + signal.SIGTERM, err
    assert "Traceback" not in err
    assert children, "the demo had started no process"
    assert not [child for child in children if child.is_running()]
    for name in ("MONITOR_DASHBOARD_PORT", "MONITOR_DEMO_PORT", "MONITOR_FEEDBACK_PORT"):
        assert port_is_free(int(env[name])), name


def test_sigterm_stops_the_demo_site(tmp_path: Path) -> None:
    port = free_port()
    command = Command(tmp_path, monitor_env(tmp_path), "demo-site", "--port", str(port))
    try:
        command.wait_until(lambda: answers(f"http://127.0.0.1:{port}/"), "the demo site")
        command.stop_with_sigterm()
    finally:
        command.kill()
    err = command.err.read_text()
    assert command.process.returncode == 128 + signal.SIGTERM, err
    assert "Traceback" not in err
    assert port_is_free(port) and port_is_free(port + 1)


@pytest.mark.parametrize(
    ("args", "first_words"),
    [
        (["audit"], "Browser unavailable: "),
        (["audit-urls", "{site}/"], "Browser unavailable: "),
        (["schedule", "run", "audit", "--force"], "audit: failed: "),
    ],
)
def test_no_browser_is_exit_3_in_one_sentence(
    args: list[str], first_words: str, tmp_path: Path
) -> None:
    with html_site(lambda path: "<html><title>A page</title><main>Hi</main></html>") as site:
        config = config_folder(
            tmp_path,
            "services:\n  - id: one-page\n    name: One page\n"
            "    owner: {name: Test, email: test@example.gov.uk}\n"
            f"    start_urls: ['{site}/']\n    max_depth: 0\n",
        )
        env = monitor_env(tmp_path, config_dir=str(config), chromium_path="/nowhere/chromium")
        result = subprocess.run(
            monitor(*[arg.format(site=site) for arg in args]),
            env=env,
            capture_output=True,
            text=True,
            timeout=START_LIMIT_SECONDS,
        )
    assert result.returncode == 3, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    log = tmp_path / "data" / "logs" / "errors.log"
    sentence = (
        f"{first_words}Chromium not found at /nowhere/chromium: run `make install` "
        f"(details in {log})"
    )
    assert sentence in result.stderr.splitlines()
    assert "BrowserUnavailable" in log.read_text() and "Traceback" in log.read_text()


def test_a_disk_with_no_space_left_is_exit_3_in_one_sentence(tmp_path: Path) -> None:
    # /dev/full answers every write with ENOSPC, as a full disk does.
    result = subprocess.run(
        monitor("feedback", "export", "--output", "/dev/full"),
        env=monitor_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=START_LIMIT_SECONDS,
    )
    assert result.returncode == 3, result.stdout + result.stderr
    log = tmp_path / "data" / "logs" / "errors.log"
    assert result.stderr.splitlines() == [
        f"Disk full: no space left; free some space (details in {log})"
    ]
    assert "No space left on device" in log.read_text()
