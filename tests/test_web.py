"""``dkdl web``: the app in the browser (issue 11).

The server runs as the nurse starts it (``python -m dkdl ... web``, a real process on a free
port); the browser tests drive Debian's Chromium through Playwright and read the screen the way
a screen reader does (xterm.js's accessibility tree, which it refreshes at most once a second).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from dkdl.tui import web

ROOT = Path(__file__).resolve().parent.parent
KIND_CASE = ROOT / "tests" / "data" / "tui_cases" / "tui-kind-01.yaml"
IN_CI = bool(os.environ.get("CI"))
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# -- the server as a process ------------------------------------------------------------------


class Running:
    """A ``dkdl web`` process: its address, its output so far, its app processes."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.output: list[str] = []
        self.url = ""
        got_url = threading.Event()

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                self.output.append(line)
                found = re.search(r"http://\S+", line)
                if found and not self.url:
                    self.url = found.group(0)
                    got_url.set()
            got_url.set()

        threading.Thread(target=read, daemon=True).start()
        if not got_url.wait(60) or not self.url:
            proc.kill()
            pytest.fail("dkdl web printed no address:\n" + "".join(self.output))
        parts = urlsplit(self.url)
        self.base = f"{parts.scheme}://{parts.netloc}"
        self.port = parts.port
        self.key = parts.query.split("=", 1)[1]

    def children(self) -> set[int]:
        """The app processes (Linux: from /proc)."""
        pids: set[int] = set()
        for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
            pids.update(int(p) for p in (task / "children").read_text().split())
        return pids


@contextmanager
def serving(db: Path, *extra: str) -> Iterator[Running]:
    cmd = [sys.executable, "-m", "dkdl", "--db", str(db), "web", "--port", "0", "--no-browser"]
    proc = subprocess.Popen(
        [*cmd, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
        env={k: v for k, v in os.environ.items() if k not in ("DKDL_DB", "DKDL_CASES")},
    )
    try:
        yield Running(proc)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT) if os.name != "nt" else proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read().decode("utf-8", "replace")
            return response.status, dict(response.headers), body
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode("utf-8", "replace")


# -- without a browser -----------------------------------------------------------------------


def test_app_command_passes_db_cases_and_questionnaire_as_absolute_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = web.app_command(Path("log.db"), ["mijn casussen"], "vl.yaml", python="py")
    assert argv == [
        "py",
        "-m",
        "dkdl",
        "--db",
        str(tmp_path / "log.db"),
        "--cases",
        str(tmp_path / "mijn casussen"),  # a space stays inside one argument: no shell
        "--questionnaire",
        str(tmp_path / "vl.yaml"),
    ]


def test_bind_listens_on_localhost_only_and_refuses_a_taken_port():
    sock = web.bind(0)
    try:
        host, port = sock.getsockname()[:2]
        assert host == "127.0.0.1"
        with pytest.raises(web.WebError, match=f"poort {port} is al in gebruik"):
            web.bind(port)
    finally:
        sock.close()


def run_cli(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dkdl", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        stdin=subprocess.DEVNULL,
        **kwargs,
    )


def test_a_taken_port_is_refused_in_dutch(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        proc = run_cli("--db", str(tmp_path / "l.db"), "web", "--port", str(port), "--no-browser")
    assert proc.returncode == 2
    assert f"poort {port} is al in gebruik" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_an_unusable_log_is_refused_before_serving(tmp_path):
    bad = tmp_path / "notities.db"
    bad.write_bytes(b"geen database, maar notities\n")
    proc = run_cli("--db", str(bad), "web", "--port", "0", "--no-browser")
    assert proc.returncode == 2
    assert str(bad) in proc.stderr and "Traceback" not in proc.stderr
    assert "draait in je browser" not in proc.stdout
    assert bad.read_bytes() == b"geen database, maar notities\n"


def test_a_bad_port_number_is_refused_in_dutch(tmp_path):
    proc = run_cli("--db", str(tmp_path / "l.db"), "web", "--port", "70000")
    assert proc.returncode == 2
    assert "poort 70000 moet tussen 0 en 65535 liggen" in proc.stderr


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action", "data-session-websocket-url") and value:
                self.urls.append(value)


def test_the_page_references_no_other_host_and_needs_the_key(tmp_path):
    with serving(tmp_path / "l.db") as server:
        assert server.base.startswith("http://127.0.0.1:")
        status, _, text = fetch(server.base + "/")
        assert status == 403 and "adres dat dkdl web in zijn venster toont" in text
        status, _, _ = fetch(server.base + "/?sleutel=fout")
        assert status == 403

        status, headers, page = fetch(server.url)
        assert status == 200
        parser = _Links()
        parser.feed(page)
        urls = parser.urls + re.findall(r"url\(\"?([^\")]+)", page)
        urls += re.findall(r"(?:https?|wss?)://[^\s\"'<>)]+", page)
        assert len(urls) >= 5  # stylesheet, script, font, websocket, icon
        for url in urls:
            host = urlsplit(url).hostname
            assert host in (None, "127.0.0.1"), url  # relative, data: or this server
        assert "googleapis" not in page and "Roboto Mono" in page
        assert (
            f"default-src 'self' data: ws://127.0.0.1:{server.port}"
            in (headers["Content-Security-Policy"])
        )
        assert '<html lang="nl">' in page and "Opnieuw starten" in page  # the page speaks Dutch

        status, _, script = fetch(server.base + "/static/js/textual.js")
        assert status == 200 and "screenReaderMode:!0" in script
        font = server.base + "/static/fonts/RobotoMono-VariableFont_wght.ttf"
        assert fetch(font)[0] == 200


async def _ws_status(url: str, origin: str) -> int:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        try:
            async with session.ws_connect(url, headers={"Origin": origin}) as ws:
                await ws.close()
                return 101
        except aiohttp.WSServerHandshakeError as exc:
            return exc.status


def test_the_websocket_refuses_other_pages_and_wrong_keys(tmp_path):
    import asyncio

    with serving(tmp_path / "l.db") as server:
        ws = f"ws://127.0.0.1:{server.port}/ws/"
        assert asyncio.run(_ws_status(ws + server.key, "http://evil.example")) == 403
        assert asyncio.run(_ws_status(ws + "fout", server.base)) == 403
        assert asyncio.run(_ws_status(ws + server.key, server.base)) == 101


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_stops_the_server_and_its_app_processes(tmp_path):
    with serving(tmp_path / "l.db") as server:
        deadline = time.monotonic() + 30
        while not server.children() and time.monotonic() < deadline:
            time.sleep(0.2)  # the spare app process starts with the server
        children = server.children()
        assert children
        server.proc.send_signal(signal.SIGINT)
        assert server.proc.wait(30) == 0
        deadline = time.monotonic() + 15
        while any(Path(f"/proc/{pid}").exists() for pid in children):
            assert time.monotonic() < deadline, "app processes still running"
            time.sleep(0.2)


# -- in a real browser -----------------------------------------------------------------------


def chromium_path() -> str | None:
    configured = os.environ.get("DKDL_CHROMIUM")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def _missing(reason: str):
    # Under CI a browser test that cannot run fails: a skip there would pass silently.
    if IN_CI:
        pytest.fail(reason + " (CI=true: .ci/run installs Debian's chromium)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install '.[test]')")
    path = chromium_path()
    if path is None:
        _missing("no Chromium found (Debian: apt install chromium; or set DKDL_CHROMIUM)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


# A person's pace between keys. Faster, a key can reach the app before the focus change of
# the key before it (Enter in the name field moves focus to the menu), and is then lost.
PACE = 0.75


class Tab:
    """One browser tab on the app, read like a screen reader reads it; keys at a person's pace."""

    def __init__(self, browser, url: str) -> None:
        self.page = browser.new_page(viewport={"width": 1200, "height": 800})
        self.requests: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.goto(url)

    def screen(self) -> str:
        return self.page.evaluate(
            "() => (document.querySelector('.xterm-accessibility-tree') || {}).innerText || ''"
        )

    def wait_for(self, *texts: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if all(text in screen for text in texts):
                return screen
            if time.monotonic() > deadline:
                pytest.fail(f"not on screen after {timeout} s: {texts}\n---\n{screen}")
            time.sleep(0.1)

    def type(self, text: str) -> None:
        self.page.focus(".xterm-helper-textarea")  # the terminal's own input, as a click does
        self.page.keyboard.type(text)
        time.sleep(PACE)

    def press(self, key: str) -> None:
        self.page.focus(".xterm-helper-textarea")
        self.page.keyboard.press(key)
        time.sleep(PACE)


@pytest.fixture
def own_cases(tmp_path) -> Path:
    """A trainer's case folder (for --cases) with one case whose title no built-in case has."""
    folder = tmp_path / "eigen casussen"
    folder.mkdir()
    text = KIND_CASE.read_text("utf-8")
    text = text.replace("id: tui-kind-01", "id: web-kind-01")
    text = text.replace("Testcasus: kind met sondevoeding", "Webcasus kind met sondevoeding")
    (folder / "web-kind-01.yaml").write_text(text, "utf-8")
    return folder


def exported(db: Path) -> list[dict]:
    proc = run_cli("--db", str(db), "export", "--format", "jsonl", "--out", "-")
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def test_answer_a_case_in_the_browser_and_find_it_in_the_log(browser, tmp_path, own_cases):
    db = tmp_path / "oefenlog.db"
    with serving(db, "--cases", str(own_cases)) as server:
        tab = Tab(browser, server.url)
        tab.wait_for("Je naam of schuilnaam", "casussen beschikbaar")
        tab.type("Anna")
        tab.press("Enter")
        tab.press("Enter")  # the menu's first item: Oefenen met een casus
        tab.wait_for("kies een casus")
        tab.type("Webcasus")
        tab.wait_for("Webcasus kind met sondevoeding", "1 van ")
        tab.press("Enter")
        tab.wait_for("Q1 Medische kindzorg thuis", "De cliënt is jonger dan 18 jaar.")
        tab.type("2")
        tab.press("ArrowRight")
        feedback = tab.wait_for("Jouw profiel", "Profiel volgens de sleutel")
        assert feedback.count("KINDZORG") >= 2  # hers and the key's
        assert "Goed: hetzelfde profiel als de sleutel" in feedback
        assert "Medische kindzorg thuis" in feedback

        rows = [row for row in exported(db) if row.get("case_id") == "web-kind-01"]
        assert rows, "the session is not in the log"
        (row,) = rows
        assert (row["nurse"], row["question"], row["option"]) == ("Anna", "Q1", 2)
        assert (row["profile"], row["status"]) == ("KINDZORG", "afgerond")
        assert all(urlsplit(url).hostname == "127.0.0.1" for url in tab.requests), tab.requests
        tab.page.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_each_tab_is_its_own_app_on_the_same_log(browser, tmp_path):
    db = tmp_path / "oefenlog.db"
    with serving(db) as server:
        first, second = Tab(browser, server.url), Tab(browser, server.url)
        for tab, name in ((first, "Anna"), (second, "Bram")):
            tab.wait_for("Je naam of schuilnaam", "casussen beschikbaar")
            tab.type(name)
        first.wait_for("Anna")
        assert "Anna" not in second.wait_for("Bram")  # what one tab types stays in it
        for tab in (first, second):
            tab.press("Enter")
            tab.press("Enter")
            tab.wait_for("kies een casus")
            tab.press("Enter")  # the first case of the list
            tab.wait_for("Vraag 1 van")
        assert len(server.children()) >= 2  # one app process per tab (plus the spare)
        first.type("1")
        second.type("1")
        first.press("ArrowRight")
        second.press("ArrowRight")
        first.wait_for("Vraag 2 van")
        second.wait_for("Vraag 2 van")
        # both nurses' answers are in the one log
        assert {(row["nurse"], row["question"]) for row in exported(db)} == {
            ("Anna", "Q1"),
            ("Bram", "Q1"),
        }
        for tab in (first, second):
            assert all(urlsplit(url).hostname == "127.0.0.1" for url in tab.requests)
            tab.page.close()
