"""The ``dkdl`` command line: the app by default, and the batch and trainer commands.

Every command reports bad input as one Dutch message on standard error and a non-zero exit
status; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from dkdl import __version__
from dkdl.cli_cases import add_cases_commands, add_cases_option
from dkdl.cli_common import questionnaire
from dkdl.cli_log import add_log_commands
from dkdl.cli_report import add_report_command
from dkdl.cli_web import add_web_command
from dkdl.errors import UserError
from dkdl.safetext import safe_text

# The domain modules (pydantic, PyYAML, sqlite-utils) are imported inside the commands that use
# them: `dkdl` alone starts the app, and its start-up time is a measured goal.

# -- dkdl score ------------------------------------------------------------------------------


def cmd_score(args: argparse.Namespace) -> int:
    from dkdl.score_stream import run_score  # msgspec and the questionnaire only when scoring
    from dkdl.scoring import Scorer

    return run_score(Scorer(questionnaire(args)), args.file)


# -- the app ---------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    if getattr(args, "trainer", False):
        from dkdl.tui.trainer.app import run_trainer

        return run_trainer(args)
    from dkdl.tui.app import run_app  # Textual only loads when the app starts

    return run_app(args)


# -- parser ----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    # --db is accepted before and after the command. The sub-commands share one action whose
    # default is SUPPRESS, so a sub-command without --db keeps the one given before it; the
    # top level has its own action (a shared one would get its default from set_defaults).
    db_help = "het logbestand (SQLite); ook via DKDL_DB"
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="PAD", default=argparse.SUPPRESS, help=db_help)
    parser = argparse.ArgumentParser(
        prog="dkdl",
        description="Oefenen met de DKDL cliëntprofiel-registratie (NZa case-mix vragenlijst). "
        "Zonder opdracht start de oefen-app.",
    )
    parser.add_argument("--db", metavar="PAD", default=None, help=db_help)
    parser.add_argument(
        "--version", action="version", version=f"dkdl {__version__}", help="toon de versie en stop"
    )
    parser.add_argument(
        "--trainer",
        action="store_true",
        help="open de trainersweergave: de oefeningen in het logbestand bekijken (alleen lezen)",
    )
    parser.set_defaults(func=cmd_run)
    sub = parser.add_subparsers(title="opdrachten", metavar="OPDRACHT")

    add_cases_option(parser)
    questionnaire_help = "een andere vragenlijstversie (YAML)"
    parser.add_argument("--questionnaire", metavar="BESTAND", help=questionnaire_help)
    run = sub.add_parser("run", parents=[common], help="start de oefen-app (standaard)")
    add_cases_option(run)
    run.add_argument(
        "--questionnaire", metavar="BESTAND", default=argparse.SUPPRESS, help=questionnaire_help
    )
    run.set_defaults(func=cmd_run)

    score = sub.add_parser(
        "score",
        parents=[common],
        help="bereken profielen voor antwoordsets (JSON Lines)",
        description="Leest per regel een JSON-object met antwoorden (bestand of standaardinvoer) "
        "en schrijft per geldige regel het profiel als JSON. Foute regels worden met "
        "regelnummer op standaardfout gemeld; de exitstatus is dan 1.",
    )
    score.add_argument("file", nargs="?", metavar="BESTAND", help="JSON Lines; '-' of leeg: stdin")
    score.add_argument("--questionnaire", metavar="BESTAND", help="een andere vragenlijstversie")
    score.set_defaults(func=cmd_score)

    add_cases_commands(sub, common)
    add_log_commands(sub, common)
    add_web_command(sub, common)
    add_report_command(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Text on the console in UTF-8 everywhere (Windows redirects would use cp1252 otherwise);
    # an unencodable character shows as '?' instead of ending in a traceback.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UserError as exc:  # Fail, LoadError, StoreError: a message, never a traceback
        sys.stderr.write(f"dkdl: {safe_text(exc, multiline=True)}\n")  # names files from elsewhere
        return exc.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
