"""``dkdl cases``: list, validate and start case files (for trainers)."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from dkdl.cli_common import Fail, questionnaire
from dkdl.cli_common import library as load_cases
from dkdl.errors import os_problem
from dkdl.safetext import safe_text, shown


def add_cases_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cases",
        metavar="MAP",
        action="append",
        default=argparse.SUPPRESS,
        help="een map met eigen casussen, naast de ingebouwde (mag vaker; ook via DKDL_CASES)",
    )


def add_cases_commands(sub, common: argparse.ArgumentParser) -> None:
    cases = sub.add_parser(
        "cases",
        parents=[common],
        help="casussen tonen, controleren of een nieuwe beginnen",
        description="Casussen: de ingebouwde set plus eigen mappen (--cases of DKDL_CASES).",
    )
    cases_sub = cases.add_subparsers(title="opdrachten", metavar="OPDRACHT", required=True)

    listing = cases_sub.add_parser("list", parents=[common], help="alle casussen als tabel")
    add_cases_option(listing)
    listing.add_argument("--json", action="store_true", help="één JSON-object per regel")
    listing.set_defaults(func=cmd_list)

    validate = cases_sub.add_parser(
        "validate",
        parents=[common],
        help="controleer casusbestanden",
        description="Controleert de ingebouwde casussen (plus --cases), of alleen de gegeven "
        "mappen. Elk probleem wordt met bestand en veld gemeld; exitstatus 0 alleen als alles "
        "klopt.",
    )
    add_cases_option(validate)
    validate.add_argument("dirs", nargs="*", metavar="MAP", help="alleen deze mappen controleren")
    validate.set_defaults(func=cmd_validate)

    new = cases_sub.add_parser(
        "new",
        parents=[common],
        help="schrijf een sjabloon voor een nieuwe casus",
        description="Schrijft ID.yaml met uitleg in de map (standaard: de huidige map; een "
        "map die nog niet bestaat wordt gemaakt). Een id van een ingebouwde casus kan niet.",
    )
    new.add_argument("id", metavar="ID", help="kleine letters, cijfers en streepjes")
    new.add_argument("--dir", metavar="MAP", default=".", help="waar het bestand komt")
    new.set_defaults(func=cmd_new)


def cmd_list(args: argparse.Namespace) -> int:
    library = load_cases(args)
    for problem in library.problems:
        sys.stderr.write(f"{safe_text(problem)}\n")
    if args.json:
        for case in library.cases:
            record = {
                "id": case.id,
                "title": case.title,
                "difficulty": case.data.difficulty,
                "tags": case.data.tags,
                "trainer_tags": case.data.trainer_tags,
                "hint": case.hint is not None,
                "own": not case.builtin,
                "profile": case.profile,
            }
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    else:
        # 'eigen' marks a trainer's own case; trainer tags follow the nurse's tags after '|'
        rows = [("id", "bron", "niveau", "profiel", "titel", "tags | trainer_tags")]
        rows += [
            (
                c.id,
                "ingebouwd" if c.builtin else "eigen",
                str(c.data.difficulty),
                c.profile,
                safe_text(c.title),
                safe_text(", ".join(c.data.tags) + " | " + ", ".join(c.data.trainer_tags)),
            )
            for c in library.cases
        ]
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        for row in rows:
            sys.stdout.write(
                "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=False))
                + "  "
                + row[5]
                + "\n"
            )
        own = sum(1 for c in library.cases if not c.builtin)
        sys.stdout.write(f"\n{len(library.cases)} casussen, waarvan {own} eigen\n")
    return 1 if library.problems else 0


def cmd_validate(args: argparse.Namespace) -> int:
    from dkdl.cases import case_dirs

    dirs = [Path(d) for d in args.dirs] if args.dirs else None
    library = load_cases(args, dirs)
    for problem in library.problems:
        sys.stdout.write(f"{safe_text(problem)}\n")
    checked = ", ".join(shown(d) for d in (dirs or case_dirs(getattr(args, "cases", None) or [])))
    if library.problems:
        n = len(library.problems)
        sys.stdout.write(
            f"\n{n} {'probleem' if n == 1 else 'problemen'}; "
            f"{len(library.cases)} casussen in orde ({checked})\n"
        )
        return 1
    if not library.cases:
        sys.stdout.write(f"geen casussen gevonden in {checked}\n")
        return 1
    sys.stdout.write(f"{len(library.cases)} casussen in orde ({checked})\n")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from dkdl.cases import builtin_cases_dir, builtin_ids, case_template

    if not _valid_id(args.id):
        raise Fail(f"ongeldig id {args.id!r}: gebruik kleine letters, cijfers en streepjes")
    if args.id in builtin_ids():
        # the app would refuse the second case with this id on every start
        raise Fail(f"{args.id!r} is al het id van een ingebouwde casus; kies een ander id")
    folder = Path(args.dir)
    if folder.exists() and not folder.is_dir():
        raise Fail(f"{folder}: is een bestand, geen map")
    if folder.exists() and folder.resolve() == builtin_cases_dir().resolve():
        raise Fail("schrijf eigen casussen in een eigen map, niet tussen de ingebouwde")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Fail(f"{shown(folder)}: kan de map niet maken: {os_problem(exc)}") from None
    path = folder / f"{args.id}.yaml"
    if path.exists():
        raise Fail(f"{path}: bestaat al; kies een ander id")
    try:
        path.write_text(case_template(args.id, questionnaire(args), str(folder)), encoding="utf-8")
    except OSError as exc:
        raise Fail(f"{shown(path)}: kan niet schrijven: {os_problem(exc)}") from None
    sys.stdout.write(
        f"{path} geschreven. Vul het in en controleer met: dkdl cases validate {folder}\n"
    )
    return 0


def _valid_id(case_id: str) -> bool:
    return re.fullmatch(r"[a-z0-9][a-z0-9-]*", case_id) is not None and len(case_id) <= 80
