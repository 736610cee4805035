"""``dkdl web`` speed: from the page request to the start screen in the browser, dkdl vs a bare
Textual app served the same way (dkdl's web server), in one run.

Run: ``python benchmarks/bench_web.py [--rounds 5]``. Needs Chromium (``/usr/bin/chromium`` or
``DKDL_CHROMIUM``) and Playwright (the test extra). Goal: the start screen within 2 s.

Three situations, each timed for both apps in every round (the order alternates):

(a) the first tab, opened the moment ``dkdl web`` has printed its address (as its own browser
    start does): the spare app process has only just started;
(b) a further tab, a few seconds later: the spare is ready;
(c) without a spare (textual-serve's own way: the app process starts at the page request).

"Shown" is measured in the page, from the navigation start (the page request): a script wraps
the page's websocket, notes when the bytes with the start screen's text have arrived, then
waits until textual.js has handed them to xterm.js, xterm.js has parsed them (a timeout) and
the next frame is painted. Both apps show the same words ("Je naam of schuilnaam").
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARK = "Je naam of schuilnaam"

BARE = """
from textual.app import App
from textual.widgets import Footer, Header, Input, Label
class Bare(App):
    def compose(self):
        yield Header()
        yield Label("Je naam of schuilnaam")
        yield Input(placeholder="bijv. Anna")
        yield Footer()
Bare().run()
"""

SERVER = """
import json, sys
from dkdl.tui import web
server = web.WebServer(json.loads(sys.argv[2]), web.bind(0), spare=sys.argv[1] == "spare")
server.serve()
"""

WATCH = """
(() => {
  const Native = window.WebSocket;
  window.WebSocket = function (url, protocols) {
    const ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
    const decoder = new TextDecoder();
    let text = "";
    ws.addEventListener("message", (event) => {
      if (window.__arrived !== undefined || typeof event.data === "string") return;
      text += decoder.decode(new Uint8Array(event.data), { stream: true });
      if (text.includes(MARK_JSON)) {
        window.__arrived = performance.now();
        setTimeout(() => setTimeout(() => requestAnimationFrame(() => {
          window.__shown = performance.now();
        }), 0), 0);
      }
    });
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
})();
""".replace("MARK_JSON", json.dumps(MARK))

FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class Served:
    """A web server process for one app; ``url`` once it listens."""

    def __init__(self, argv: list[str], spare: bool) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SERVER, "spare" if spare else "none", json.dumps(argv)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
        )
        self.url = ""
        ready = threading.Event()

        def read() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                found = re.search(r"http://\S+", line)
                if found and not self.url:
                    self.url = found.group(0)
                    ready.set()
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(60) or not self.url:
            raise SystemExit("the web server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


def shown(browser, url: str) -> tuple[float, float]:
    """Open ``url`` in a new tab: (bytes arrived, start screen painted), in s from the request."""
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.add_init_script(WATCH)
    page.goto(url)
    page.wait_for_function("() => window.__shown !== undefined", timeout=60_000, polling=20)
    arrived, painted = page.evaluate("() => [window.__arrived, window.__shown]")
    page.close()
    return arrived / 1000, painted / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--gap", type=float, default=5.0, help="s before the further tab (b)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from dkdl.tui import web

    chromium = os.environ.get("DKDL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    tmp = tempfile.TemporaryDirectory()
    db = Path(tmp.name) / "bench.db"
    subprocess.run(  # create the log once (as after the first start)
        [sys.executable, "-m", "dkdl", "--db", str(db), "cases", "list"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    apps = {"dkdl": web.app_command(db), "bare": [sys.executable, "-c", BARE]}
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        shown(browser, Served(apps["bare"], spare=False).url)  # warm caches, unmeasured
        for round_ in range(args.rounds):
            names = ["dkdl", "bare"] if round_ % 2 == 0 else ["bare", "dkdl"]
            for name in names:
                server = Served(apps[name], spare=True)
                results.setdefault((name, "a"), []).append(shown(browser, server.url))
                time.sleep(args.gap)
                results.setdefault((name, "b"), []).append(shown(browser, server.url))
                server.stop()
                server = Served(apps[name], spare=False)
                results.setdefault((name, "c"), []).append(shown(browser, server.url))
                server.stop()
        browser.close()
    tmp.cleanup()

    def med(name: str, case: str, which: int) -> float:
        return statistics.median(r[which] for r in results[(name, case)])

    titles = {
        "a": "(a) first tab, as dkdl web opens it",
        "b": "(b) a further tab (spare ready)",
        "c": "(c) no spare (app starts at request)",
    }
    print(f"page request -> start screen in the browser, median of {args.rounds} rounds (s):")
    print(f"{'':40} {'dkdl':>14} {'bare Textual':>14} {'ratio':>6}")
    for case, title in titles.items():
        d, b = med("dkdl", case, 1), med("bare", case, 1)
        da, ba = med("dkdl", case, 0), med("bare", case, 0)
        print(f"{title:40} {d:8.2f} ({da:.2f}) {b:8.2f} ({ba:.2f}) {d / b:6.2f}")
    worst = max(r[1] for case in "ab" for r in results[("dkdl", case)])
    print("(in brackets: the start screen's bytes arrived; outside: painted)")
    print(f"goal: dkdl's start screen within 2 s in (a) and (b); worst of those: {worst:.2f} s")


if __name__ == "__main__":
    main()
