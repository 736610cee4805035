"""``dkdl export``, ``dkdl import`` and ``dkdl demo-data``: logs between laptops and trainers.

Every failure is one Dutch message on standard error and a non-zero exit status: a log file that
cannot be used raises :class:`dkdl.store.StoreError` (``main`` prints it, status 2), other
problems :class:`dkdl.cli_common.Fail`.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from dkdl.cli_cases import add_cases_option
from dkdl.cli_common import Fail


def _count(high: int):
    """An argparse type: a whole number from 1 to ``high``, refused in Dutch otherwise."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is geen geheel getal") from None
        if not 1 <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} moet tussen 1 en {high} liggen")
        return value

    return parse


def add_log_commands(sub, common: argparse.ArgumentParser) -> None:
    """Add ``export``, ``import`` and ``demo-data`` to the ``dkdl`` subcommands."""
    export = sub.add_parser(
        "export",
        parents=[common],
        help="schrijf het logboek als CSV, JSON Lines of XLSX (één regel per antwoord)",
        description="Schrijft elk antwoord met de gegevens van zijn sessie, de vraag, het "
        "antwoord van de sleutel en of het goed is. XLSX (voor Excel) heeft ook een blad met één "
        "regel per sessie. Het logbestand wordt alleen gelezen; een bestaand --out wordt alleen "
        "met --force vervangen.",
    )
    export.add_argument(
        "--format",
        choices=("csv", "jsonl", "xlsx"),  # = export.FORMATS (not imported: keeps start-up light)
        help="csv, jsonl of xlsx (standaard: volgens de extensie van --out)",
    )
    export.add_argument(
        "--out", required=True, metavar="BESTAND", help="doelbestand; '-' schrijft naar het scherm"
    )
    export.add_argument(
        "--excel",
        action="store_true",
        help="CSV zoals Nederlandse Excel het opent: puntkomma's, decimale komma, UTF-8 met BOM",
    )
    export.add_argument(
        "--force", action="store_true", help="vervang --out als dat bestand al bestaat"
    )
    add_selection_options(export)
    add_cases_option(export)
    export.set_defaults(func=cmd_export)

    merge = sub.add_parser(
        "import",
        parents=[common],
        help="voeg logbestanden van andere laptops samen in --db",
        description="Voegt de sessies uit de bronbestanden toe aan het logbestand (--db). "
        "Opnieuw importeren voegt niets toe; een sessie die op de laptop verder is gekomen, "
        "wordt bijgewerkt. Is één bron onbruikbaar, dan wordt niets geïmporteerd en wordt "
        "die bron genoemd. De bronnen worden alleen gelezen.",
    )
    merge.add_argument("sources", nargs="+", metavar="BRON.db", help="logbestanden van laptops")
    merge.set_defaults(func=cmd_import)

    demo = sub.add_parser(
        "demo-data",
        parents=[common],
        help="vul een nieuw logbestand met verzonnen oefensessies",
        description="Maakt realistische, verzonnen oefensessies op de ingebouwde casussen, "
        "verspreid over maanden, om de trainersoverzichten te proberen. Schrijft alleen in een "
        "nieuw of leeg logbestand, nooit in een logboek met echte oefeningen.",
    )
    demo.add_argument("--sessions", type=_count(1_000_000), required=True, metavar="N")
    demo.add_argument("--nurses", type=_count(10_000), required=True, metavar="M")
    demo.add_argument("--seed", type=int, metavar="S", help="zelfde getal, zelfde gegevens")
    demo.add_argument(
        "--months", type=_count(120), default=6, metavar="MND", help="periode (standaard 6)"
    )
    demo.set_defaults(func=cmd_demo)


def add_selection_options(parser: argparse.ArgumentParser) -> None:
    """The options that select sessions, as ``dkdl report`` has them."""
    parser.add_argument(
        "--nurse", metavar="NAAM", help="alleen deze verpleegkundige ('Anna' of 'Anna (laptop 2)')"
    )
    parser.add_argument("--case", metavar="ID", help="alleen deze casus")
    parser.add_argument("--since", metavar="DATUM", help="vanaf deze dag (JJJJ-MM-DD)")
    parser.add_argument("--until", metavar="DATUM", help="tot en met deze dag (JJJJ-MM-DD)")
    parser.add_argument("--mode", choices=("oefenen", "toets", "vrij"), help="alleen deze modus")
    parser.add_argument(
        "--attempts",
        choices=("first", "all"),
        help="alleen afgeronde sessies met een sleutel: first = per verpleegkundige de eerste "
        "poging per casus, all = elke poging (standaard: alle sessies)",
    )


def cmd_export(args: argparse.Namespace) -> int:
    from dkdl.cli_common import questionnaire
    from dkdl.export import FORMATS, Selection, export_log, format_from_suffix
    from dkdl.outfile import Interrupted, OutputError, check_target
    from dkdl.review import Review, ReviewFilter
    from dkdl.store import resolve_db_path

    db = resolve_db_path(getattr(args, "db", None))
    out = None if args.out == "-" else Path(args.out)
    selection = Selection(  # FilterError (Dutch, exit 2) for a bad value
        ReviewFilter.parse(
            nurse=args.nurse,
            case=args.case,
            since=args.since,
            until=args.until,
            mode=args.mode,
            attempts=args.attempts,
        ),
        counted=args.attempts is not None,
    )
    try:
        target = check_target(out, log_path=db, force=args.force)
    except OutputError as exc:  # ExportError too
        raise Fail(str(exc)) from None
    fmt = args.format or format_from_suffix(args.out)
    if fmt not in FORMATS:
        raise Fail(f"geef --format {'|'.join(FORMATS)} (de extensie van --out zegt het niet)")
    if out is None and fmt == "xlsx":
        raise Fail("XLSX kan niet naar het scherm; geef --out BESTAND.xlsx")
    if args.excel and fmt != "csv":
        raise Fail("--excel hoort bij CSV; XLSX opent Excel zo al goed")
    q = questionnaire(args)
    try:
        with Review.open(db, cases=getattr(args, "cases", None) or [], questionnaire=q) as review:
            rows = export_log(review, fmt, target, selection, excel=args.excel)
    except OutputError as exc:  # ExportError too
        raise Fail(str(exc)) from None
    except (KeyboardInterrupt, Interrupted) as exc:
        code = 130 if isinstance(exc, KeyboardInterrupt) else 143
        left = "wat al geschreven was blijft staan" if target.through else "er is niets geschreven"
        raise Fail(f"export afgebroken; {left}", code) from None
    if not rows:
        sys.stderr.write("dkdl: geen sessies bij deze keuze (kijk --nurse, --case en de data na)\n")
    if out is not None:
        sys.stderr.write(f"dkdl: {rows} regels geschreven naar {out}\n")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from dkdl.store import describe_import, import_logs, open_log, resolve_db_path

    target = resolve_db_path(getattr(args, "db", None))
    sources = [Path(s) for s in args.sources]
    with open_log(target) as log:
        reports = import_logs(log, sources)
    for item in reports:
        print(describe_import(item))
    if len(reports) > 1:
        added = sum(r.report.added for r in reports)
        updated = sum(r.report.updated for r in reports)
        print(f"totaal: {added} sessies toegevoegd, {updated} bijgewerkt, in {target}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from dkdl.demo import demo_bundle
    from dkdl.store import DB_ENV, merge_bundle, open_log, resolve_db_path

    if getattr(args, "db", None) is None and not os.environ.get(DB_ENV, "").strip():
        raise Fail(
            "geef met --db het bestand voor de demodata (demodata komt nooit in het "
            "standaardlogboek)"
        )
    path = resolve_db_path(getattr(args, "db", None))
    try:  # made before the file is touched, so a failure leaves no new file behind
        bundle = demo_bundle(args.sessions, args.nurses, seed=args.seed, months=args.months)
    except ValueError as exc:
        raise Fail(str(exc)) from None
    with open_log(path) as log:
        if log.counts()["sessions"]:
            raise Fail(
                f"{path}: bevat al sessies; demodata komt alleen in een nieuw of leeg bestand. "
                "Kies met --db een nieuwe naam."
            )
        report = merge_bundle(log, bundle)
    first, last = bundle.sessions[0].started_at[:10], bundle.sessions[-1].started_at[:10]
    print(
        f"{path}: {report.added} verzonnen sessies van {report.nurses_added} verpleegkundigen "
        f"({report.answers_added} antwoorden), {first} t/m {last}"
    )
    return 0
