"""``dkdl web``: the practice app in the browser on this laptop, through textual-serve.

textual-serve (Textualize's own server for Textual apps: aiohttp, and xterm.js in the page) starts
one app process per browser tab, each on the same log file, which handles several writers (WAL).
What this module adds to it, because a nurse's work laptop needs it:

- bound to 127.0.0.1 only, on a port that is checked before anything starts;
- a secret key in the address (printed, and opened in the browser), so another user of the same
  machine (a shared terminal server) or a web page cannot open or drive the app; the websocket
  also checks the page's origin;
- a Dutch page that fetches nothing from the internet (textual-serve's own page links Google
  Fonts; ours serves the bundled Roboto Mono from the package);
- the app processes started without a shell (paths with spaces or quotes stay one argument);
- xterm.js's screen-reader mode, so the screen's text is in the page for assistive technology
  (and for the browser test, which reads what the nurse sees).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import secrets
import socket
import subprocess
import sys
import webbrowser
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from string import Template

from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from dkdl.errors import UserError

TITLE = "DKDL oefenen"
HOST = "127.0.0.1"
DEFAULT_PORT = 8000
KEY_PARAM = "sleutel"  # the query parameter that carries the secret key

log = logging.getLogger("dkdl.tui.web")

# Two changes to textual-serve's page script, each checked to apply exactly once (a textual-serve
# whose script differs is refused, see _page_script):
_SCRIPT_PATCHES = [
    # xterm.js's screen-reader mode: the screen's text is in the page for assistive technology
    ("allowProposedApi:!0,", "allowProposedApi:!0,screenReaderMode:!0,"),
    # WebGL and canvas drawing only with a real graphics chip. Without one (remote desktops,
    # virtual machines) the WebGL fallback takes seconds and the 2D canvas's first paint over a
    # second; xterm.js's own DOM drawing then shows the start screen soonest (bench_web.py)
    (
        "this.terminal.loadAddon(this.webglAddon),",
        "window.dkdlGpu&&this.terminal.loadAddon(this.webglAddon),",
    ),
    (
        "this.terminal.loadAddon(this.canvasAddon),",
        "window.dkdlGpu&&this.terminal.loadAddon(this.canvasAddon),",
    ),
]


class WebError(UserError):
    """A problem starting the web server (port taken, no network stack): exit status 2."""

    code = 2


def app_command(
    db: Path,
    cases: Sequence[str] = (),
    questionnaire: str | None = None,
    python: str | None = None,
) -> list[str]:
    """The command line of one app process: this Python, ``-m dkdl``, and the options the nurse
    gave to ``dkdl web`` (absolute paths, so every tab uses the same files)."""
    argv = [python or sys.executable, "-m", "dkdl", "--db", str(Path(db).absolute())]
    for folder in cases:
        argv += ["--cases", str(Path(folder).absolute())]
    if questionnaire:
        argv += ["--questionnaire", str(Path(questionnaire).absolute())]
    return argv


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:``port`` (0: any free port); :class:`WebError` if taken."""
    try:
        # create_server sets SO_REUSEADDR only where it cannot steal a port in use (not Windows)
        return socket.create_server((HOST, port))
    except OSError as exc:
        # Windows also refuses ports it has reserved (Hyper-V, WSL) with WSAEACCES (10013)
        if port and (exc.errno in _IN_USE or getattr(exc, "winerror", None) in (10048, 10013)):
            raise WebError(
                f"poort {port} is al in gebruik (draait dkdl web al?); kies een andere, "
                "bijvoorbeeld --port 8001"
            ) from None
        raise WebError(f"kan geen webserver starten op {HOST}:{port}: {exc.strerror}") from None


_IN_USE = {98, 48, 10048}  # EADDRINUSE on Linux, macOS, Windows


class AppProcess(AppService):
    """One app process for one browser tab, started without a shell.

    It may start before its tab exists (a spare, see :class:`WebServer`): what it writes waits
    in order in an outbox until :meth:`pump` sends it to the tab's websocket.
    """

    MAX_WAITING = 2000  # writes kept for a tab not there yet; a spare with more is replaced

    def __init__(self, argv: Sequence[str], download_manager) -> None:
        self._outbox: asyncio.Queue[tuple[str, bytes | str | None]] = asyncio.Queue()
        super().__init__(
            " ".join(argv),
            write_bytes=self._send_bytes,
            write_str=self._send_str,
            close=self._close,
            download_manager=download_manager,
        )
        self.argv = list(argv)
        self.drawn = False  # the app has drawn its first screen
        self._size: tuple[int, int] | None = None  # a size to pass on once it has

    async def _send_bytes(self, data: bytes) -> None:
        self._outbox.put_nowait(("bytes", data))

    async def _send_str(self, data: str) -> None:
        self._outbox.put_nowait(("str", data))

    async def _close(self) -> None:
        self._outbox.put_nowait(("close", None))

    async def set_terminal_size(self, width: int, height: int) -> None:
        """Pass the tab's size on, but only once the app has drawn its first screen: before
        that, the app's own start-up size could arrive after it and win (a spare starts at
        the last tab's size, not necessarily this one's)."""
        if self.drawn:
            await super().set_terminal_size(width, height)
        else:
            self._size = (width, height)

    async def on_data(self, payload: bytes) -> None:
        await super().on_data(payload)
        if not self.drawn and len(payload) > 100:  # a screen, not one of the set-up codes
            self.drawn = True
            if self._size is not None:
                await super().set_terminal_size(*self._size)

    @property
    def usable(self) -> bool:
        """Still running, and not so far ahead of its tab that it should be replaced."""
        process = self._process
        return (
            process is not None
            and process.returncode is None
            and self._task is not None
            and not self._task.done()
            and self._outbox.qsize() < self.MAX_WAITING
        )

    async def pump(self, websocket: web.WebSocketResponse) -> None:
        """Send everything the app writes to ``websocket``, in order, until the app closes."""
        try:
            while True:
                kind, data = await self._outbox.get()
                if kind == "bytes":
                    await websocket.send_bytes(data)  # type: ignore[arg-type]
                elif kind == "str":
                    await websocket.send_str(data)  # type: ignore[arg-type]
                else:
                    await websocket.close()
                    return
        except (ConnectionResetError, RuntimeError):  # the tab went away
            return

    async def _open_app_process(self, width: int = 80, height: int = 24):
        environment = self._build_environment(width=width, height=height)
        environment["PYTHONIOENCODING"] = "utf-8"  # the app's error lines, on every platform
        # Its own process group: Ctrl+C in the server's window stops the server, which then
        # quits each app through its pipe (instead of every process catching the Ctrl+C).
        if sys.platform == "win32":
            group = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
        else:
            group = {"start_new_session": True}
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
            **group,  # type: ignore[arg-type]
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process


class WebServer(Server):
    """textual-serve's server with the page, checks and messages described in the module."""

    SPARE_DELAY = 2.0  # seconds after a tab took the spare before the next spare starts

    def __init__(
        self,
        argv: Sequence[str],
        sock: socket.socket,
        key: str | None = None,
        *,
        spare: bool = True,
    ) -> None:
        port = sock.getsockname()[1]
        super().__init__(" ".join(argv), host=HOST, port=port, title=TITLE)
        self.argv = list(argv)
        self.sock = sock
        self.key = key or secrets.token_urlsafe(16)
        self.public_url = f"http://{HOST}:{port}"
        self.origins = {f"http://{HOST}:{port}", f"http://localhost:{port}"}
        self.on_ready: Callable[[str], object] | None = None  # once listening: open the browser
        self.spare = spare
        self._spare: AppProcess | None = None
        self._spare_task: asyncio.Task[None] | None = None
        self._size = (80, 24)  # the last tab's terminal size: the next spare starts at it

    @property
    def url(self) -> str:
        """The address to open: the page with the secret key."""
        return f"{self.public_url}/?{KEY_PARAM}={self.key}"

    def _key_ok(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self.key.encode())

    # -- the web application ---------------------------------------------------------------

    async def _make_app(self) -> web.Application:
        app = web.Application()
        app.add_routes(
            [
                web.get("/", self.handle_index),
                web.get("/ws/{key}", self.handle_websocket),
                web.get("/static/js/textual.js", self.handle_script),
                web.static("/static", self.statics_path, name="static"),
            ]
        )
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    async def on_startup(self, app: web.Application) -> None:
        print(f"{TITLE} draait in je browser op dit adres (alleen op deze computer):")
        print(f"    {self.url}")
        print("Elk tabblad is een eigen oefen-app op hetzelfde logbestand.")
        print("Stoppen: Ctrl+C in dit venster.", flush=True)
        self._start_spare(0)
        if self.on_ready is not None:
            self.on_ready(self.url)

    async def handle_index(self, request: web.Request) -> web.Response:
        if not self._key_ok(request.query.get(KEY_PARAM)):
            return _refused(
                "Open de oefen-app via het adres dat dkdl web in zijn venster toont "
                "(met de sleutel erin)."
            )
        font_size = _font_size(request.query.get("fontsize", ""))
        page = _page().substitute(
            title=TITLE,
            static=f"{self.public_url}/static/",
            websocket=f"ws://{HOST}:{self.port}/ws/{self.key}",
            font_size=font_size,
        )
        return web.Response(
            text=page,
            content_type="text/html",
            headers={
                "Cache-Control": "no-store",
                "Referrer-Policy": "no-referrer",
                # nothing but this server, even if something in the page tried
                "Content-Security-Policy": (
                    f"default-src 'self' data: ws://{HOST}:{self.port}; "
                    "script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'"
                ),
            },
        )

    async def handle_script(self, request: web.Request) -> web.Response:
        return web.Response(
            text=_page_script(self.statics_path / "js" / "textual.js"),
            content_type="application/javascript",
        )

    async def handle_websocket(  # type: ignore[override]  # a refusal is a plain response
        self, request: web.Request
    ) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if not self._key_ok(request.match_info["key"]) or origin not in self.origins:
            return _refused("Geen toegang.")
        websocket = web.WebSocketResponse(heartbeat=15)
        width = _whole(request.query.get("width"), 80)
        height = _whole(request.query.get("height"), 24)
        await websocket.prepare(request)
        service = await self._take_process(width, height)
        pump = asyncio.create_task(service.pump(websocket))
        try:
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as exc:  # noqa: BLE001 - one tab's failure must not stop the server
            log.error("de oefen-app in een tabblad is gestopt: %s", exc)
        finally:
            await service.stop()  # the tab is gone: the app quits (its answers are stored)
            pump.cancel()
        return websocket

    # -- app processes: one per tab, and a spare started ahead of the next tab -----------------

    async def _new_process(self, width: int, height: int) -> AppProcess:
        service = AppProcess(self.argv, self.download_manager)
        await service.start(width, height)
        return service

    async def _take_process(self, width: int, height: int) -> AppProcess:
        """The spare if it is running (then at this tab's size), else a new process."""
        spare, self._spare = self._spare, None
        if spare is not None and spare.usable:
            await spare.set_terminal_size(width, height)
            service = spare
        else:
            if spare is not None:
                await spare.stop()
            service = await self._new_process(width, height)
        self._size = (width, height)
        self._start_spare(self.SPARE_DELAY)
        return service

    def _start_spare(self, delay: float) -> None:
        if self.spare and (self._spare_task is None or self._spare_task.done()):
            self._spare_task = asyncio.create_task(self._make_spare(delay))

    async def _make_spare(self, delay: float) -> None:
        # after a delay: the tab that just took a process gets the CPU for its own start first
        await asyncio.sleep(delay)
        if self._spare is None:
            self._spare = await self._new_process(*self._size)

    async def on_shutdown(self, app: web.Application) -> None:
        if self._spare_task is not None:
            self._spare_task.cancel()
        spare, self._spare = self._spare, None
        if spare is not None:
            await spare.stop()

    async def _process_messages(self, websocket, app_service) -> None:  # type: ignore[override]
        # textual-serve's loop, minus its assert and ping (a malformed message is skipped)
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                kind, *rest = message.json()
            except (ValueError, TypeError):
                continue
            data = rest[0] if rest else None
            if kind == "stdin" and isinstance(data, str):
                await app_service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                width, height = _whole(data.get("width"), 80), _whole(data.get("height"), 24)
                await app_service.set_terminal_size(width, height)
            elif kind == "ping" and isinstance(data, str):
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()

    # -- running ---------------------------------------------------------------------------

    def serve(self, debug: bool = False) -> None:  # type: ignore[override]
        """Serve until Ctrl+C (or SIGTERM)."""
        logging.basicConfig(level=logging.WARNING, format="dkdl web: %(message)s")
        # textual-serve's own log lines are English; an app that fails says why itself (Dutch,
        # on its standard error, which textual-serve copies to this window)
        logging.getLogger("textual-serve").setLevel(logging.CRITICAL)
        loop = asyncio.new_event_loop()  # Windows: the proactor loop, which runs subprocesses
        asyncio.set_event_loop(loop)
        web.run_app(
            self._make_app(),
            sock=self.sock,
            handle_signals=True,
            loop=loop,
            print=None,
            access_log=None,
        )


def _refused(text: str) -> web.Response:
    return web.Response(status=403, text=text + "\n", content_type="text/plain", charset="utf-8")


def _whole(value: object, default: int, low: int = 1, high: int = 1000) -> int:
    """A terminal size from the browser, as a whole number in a sane range."""
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return default
    return min(max(number, low), high)


def _font_size(text: str) -> int:
    return _whole(text, 16, 8, 48)


def _page() -> Template:
    return Template(resources.files(__package__).joinpath("page.html").read_text("utf-8"))


_script_cache: dict[Path, str] = {}


def _page_script(path: Path) -> str:
    """textual-serve's page script with the changes above (read once)."""
    if path not in _script_cache:
        text = path.read_text("utf-8")
        for old, new in _SCRIPT_PATCHES:
            if text.count(old) != 1:
                raise WebError(f"{path}: onverwachte versie van textual-serve")
            text = text.replace(old, new)
        _script_cache[path] = text
    return _script_cache[path]


def can_open_browser() -> bool:
    """Whether opening a browser makes sense: not on a Linux console without a desktop (where
    Python's webbrowser would start a text browser in this very terminal)."""
    if sys.platform.startswith(("linux", "freebsd", "openbsd")):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def serve_on(sock: socket.socket, argv: Sequence[str], *, open_browser: bool) -> None:
    """Print the address, open the browser if asked, and serve on ``sock`` until Ctrl+C."""
    server = WebServer(argv, sock)
    _page_script(server.statics_path / "js" / "textual.js")  # refuse an unknown version now
    if open_browser and can_open_browser():
        server.on_ready = lambda url: webbrowser.open(url)
    server.serve()
