"""``dkdl report``: the trainer's review of a log as HTML, Markdown or JSON.

Every failure is one Dutch message on standard error and exit status 2: a log file that cannot
be used raises :class:`dkdl.store.StoreError` (the log is never written), bad arguments
:class:`dkdl.cli_common.Fail` or :class:`dkdl.review_model.FilterError`. The domain modules are
imported inside the command, so ``dkdl`` alone stays quick to start.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dkdl.cli_common import Fail

_SUFFIXES = ".html, .md of .json"


def add_report_command(sub, common: argparse.ArgumentParser) -> None:
    """Add ``report`` to the ``dkdl`` subcommands."""
    from dkdl.cli_cases import add_cases_option

    report = sub.add_parser(
        "report",
        parents=[common],
        help="schrijf een verslag voor trainers (HTML, Markdown of JSON)",
        description="Telt de afgeronde oefen- en toetssessies in het logbestand (--db): per "
        "vraag hoe vaak goed, welke antwoorden, hoe eens verpleegkundigen het zijn, per casus "
        "en per verpleegkundige. De extensie van --out kiest het formaat: .html (één bestand "
        "om te printen), .md of .json. Het logbestand wordt alleen gelezen.",
    )
    report.add_argument(
        "--out", required=True, metavar="BESTAND", help=f"doelbestand ({_SUFFIXES})"
    )
    report.add_argument("--nurse", metavar="NAAM", help="alleen deze verpleegkundige")
    report.add_argument("--case", metavar="ID", help="alleen deze casus")
    report.add_argument("--since", metavar="DATUM", help="vanaf deze dag (jjjj-mm-dd)")
    report.add_argument("--until", metavar="DATUM", help="tot en met deze dag (jjjj-mm-dd)")
    report.add_argument("--mode", metavar="MODUS", help="alleen oefenen of toets")
    report.add_argument(
        "--attempts",
        metavar="POGINGEN",
        default="first",
        help="first: de eerste afgeronde poging per verpleegkundige per casus (standaard); "
        "all: elke poging",
    )
    report.add_argument(
        "--force", action="store_true", help="vervang --out als dat bestand al bestaat"
    )
    add_cases_option(report)
    report.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from dkdl.outfile import Interrupted, OutputError, check_target
    from dkdl.review import Review, ReviewFilter
    from dkdl.review_report import clean, format_of, write_report
    from dkdl.store import resolve_db_path

    db = resolve_db_path(getattr(args, "db", None))
    out = Path(args.out)
    if format_of(out) is None:
        raise Fail(f"{out}: --out moet eindigen op {_SUFFIXES}")
    try:  # a folder, a symlink, the log itself, an existing file without --force: refused
        target = check_target(out, log_path=db, force=args.force)
    except OutputError as exc:
        raise Fail(str(exc)) from None
    flt = ReviewFilter.parse(
        nurse=args.nurse,
        case=args.case,
        since=args.since,
        until=args.until,
        mode=args.mode,
        attempts=args.attempts,
    )
    if flt.mode == "vrij":
        raise Fail(
            "--mode vrij: vrije registraties hebben geen sleutel en tellen niet mee in een "
            "verslag; kies oefenen of toets"
        )
    with Review.open(db, cases=getattr(args, "cases", None) or []) as review:
        if flt.nurse is not None and not review.nurse_keys(flt.nurse):
            names = [clean(n.display) for n in review.nurses()]
            shown = ", ".join(names[:12]) + (" ..." if len(names) > 12 else "")
            raise Fail(
                f"--nurse {flt.nurse!r}: niet gevonden in {db.name}"
                + (f"; bekend: {shown}" if names else " (er staan nog geen namen in)")
            )
        if flt.case is not None and flt.case not in review.case_ids():
            raise Fail(f"--case {flt.case!r}: geen sessies met deze casus in {db.name}")
        analysis = review.analysis(flt)
        try:
            write_report(analysis, target, log_name=db.name)
        except OutputError as exc:
            raise Fail(str(exc)) from None
        except (KeyboardInterrupt, Interrupted) as exc:
            code = 130 if isinstance(exc, KeyboardInterrupt) else 143
            raise Fail("verslag afgebroken; er is niets geschreven", code) from None
    sys.stderr.write(f"dkdl: verslag over {analysis.sessions} sessies geschreven naar {out}\n")
    return 0
