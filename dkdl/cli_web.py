"""``dkdl web``: the practice app in the browser (the server lives in :mod:`dkdl.tui.web`)."""

from __future__ import annotations

import argparse
import os

from dkdl.cli_cases import add_cases_option


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is geen poortnummer") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"poort {value} moet tussen 0 en 65535 liggen")
    return value


def add_web_command(sub, common: argparse.ArgumentParser) -> None:
    web = sub.add_parser(
        "web",
        parents=[common],
        help="de oefen-app in je browser (alleen op deze computer)",
        description="Start de oefen-app in je webbrowser, alleen bereikbaar vanaf deze computer "
        "(127.0.0.1) en zonder internet. Elk tabblad is een eigen oefen-app op hetzelfde "
        "logbestand. Stoppen met Ctrl+C.",
    )
    add_cases_option(web)
    web.add_argument(
        "--port",
        type=_port,
        metavar="N",
        help="de poort (standaard 8000; is die bezet, dan een vrije; 0: altijd een vrije)",
    )
    web.add_argument("--questionnaire", metavar="BESTAND", help="een andere vragenlijstversie")
    web.add_argument(
        "--no-browser",
        action="store_true",
        help="open de browser niet zelf; het adres staat in het venster",
    )
    web.set_defaults(func=cmd_web)


def cmd_web(args: argparse.Namespace) -> int:
    """Check the log, the questionnaire and the case folders as the app would, then serve."""
    from dkdl import store
    from dkdl.cli_common import questionnaire
    from dkdl.tui import web

    # A log or questionnaire that cannot be used is refused here, once, instead of in each tab.
    db = store.resolve_db_path(getattr(args, "db", None))
    store.open_log(db).close()
    questionnaire(args)
    # DKDL_CASES and DKDL_DB reach the app processes through the environment as well
    argv = web.app_command(db, getattr(args, "cases", None) or [], args.questionnaire)
    if args.port is None:
        try:
            sock = web.bind(web.DEFAULT_PORT)
        except web.WebError:  # the usual port is taken: any free one will do
            sock = web.bind(0)
    else:
        sock = web.bind(args.port)
    open_browser = not args.no_browser and not os.environ.get("CI")
    web.serve_on(sock, argv, open_browser=open_browser)
    return 0
