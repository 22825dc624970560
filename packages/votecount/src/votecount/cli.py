"""The ``votecount`` command: ``count`` an election or ``check`` a .pb file."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from votecount import __version__
from votecount.errors import PbFormatError, VotecountError
from votecount.explain import money_en, money_pl
from votecount.pbio import read_pb
from votecount.rules import COMPARISONS, COMPLETIONS, RULES, CountOptions, count
from votecount.ties import TiePolicy
from votecount.validate import check_declared_counts


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"'{text}' is not a finite number")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="votecount",
        description="Exact, explainable counting of participatory budgets (Pabulib .pb files).",
    )
    parser.add_argument("--version", action="version", version=f"votecount {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    c = sub.add_parser("count", help="count an election and explain the outcome")
    c.add_argument("file", help="a Pabulib .pb file")
    c.add_argument(
        "--rule",
        choices=RULES,
        default="from-file",
        help="the rule; from-file (default) applies the rule named in the file's META",
    )
    c.add_argument(
        "--measure",
        choices=("votes", "score"),
        help="greedy: rank by votes or by points (default: votes for approval "
        "ballots, points otherwise)",
    )
    c.add_argument(
        "--threshold",
        type=_decimal,
        help="greedy-threshold: minimum score (default: META min_project_score_threshold)",
    )
    c.add_argument(
        "--utility",
        choices=("cost", "points"),
        help="MES: cost utilities (default) or point utilities",
    )
    c.add_argument(
        "--completion",
        choices=COMPLETIONS,
        help="MES completion (default add1-utilitarian; from-file uses the file's rule)",
    )
    c.add_argument(
        "--add1-start",
        choices=("integral", "exact"),
        help="Add1: start from the share rounded down to whole units (default) or "
        "from the exact share",
    )
    c.add_argument("--add1-increment", type=_decimal, help="Add1: step per voter (default 1)")
    stop = c.add_mutually_exclusive_group()
    stop.add_argument(
        "--add1-stop-when-exhaustive",
        dest="add1_stop",
        action="store_true",
        default=None,
        help="Add1: stop at the first exhaustive outcome (default)",
    )
    stop.add_argument(
        "--add1-no-exhaustive-stop",
        dest="add1_stop",
        action="store_false",
        help="Add1: go on until the next step would overspend",
    )
    c.add_argument(
        "--comparison",
        choices=COMPARISONS,
        help="MES: compare with greedy by votes and keep the outcome more voters prefer",
    )
    c.add_argument(
        "--eligibility-divisor",
        type=int,
        metavar="D",
        help="MES: projects need votes/voters >= cost/(D * budget) (Świecie: 3)",
    )
    arith = c.add_mutually_exclusive_group()
    arith.add_argument(
        "--exact",
        dest="exact",
        action="store_true",
        default=True,
        help="exact rational arithmetic (default)",
    )
    arith.add_argument(
        "--float",
        dest="exact",
        action="store_false",
        help="floating-point arithmetic (faster, for comparison)",
    )
    c.add_argument(
        "--tie-breaking",
        metavar="POLICY",
        help="comma-separated criteria tried in order: min-cost, max-cost, "
        "max-votes, max-score, max-first-places, id-order, lot; 'error' to fail "
        "on any decisive tie",
    )
    c.add_argument("--seed", type=int, help="seed for the lot (recorded in the output)")
    c.add_argument("--lang", choices=("en", "pl"), default="en", help="language of the text output")
    c.add_argument("--json", action="store_true", help="print one JSON object")
    c.add_argument(
        "--lenient",
        action="store_true",
        help="count even if some ballots break the election's constraints",
    )

    k = sub.add_parser("check", help="validate a .pb file")
    k.add_argument("file")
    k.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        return _count(args)
    except VotecountError as exc:
        print(f"votecount: {args.file}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"votecount: {exc}", file=sys.stderr)
        return 2


def _check(args: argparse.Namespace) -> int:
    try:
        instance = read_pb(args.file, strict=False)
    except VotecountError as exc:
        if args.json:
            print(
                json.dumps(
                    {"file": args.file, "valid": False, "errors": [str(exc)], "warnings": []},
                    ensure_ascii=False,
                )
            )
        else:
            print(f"{args.file}: INVALID\n  error: {exc}")
        return 1
    issues = list(instance.issues) + list(check_declared_counts(instance))
    errors = [str(i) for i in issues if i.severity == "error"]
    warnings = [str(i) for i in issues if i.severity == "warning"]
    if args.json:
        print(
            json.dumps(
                {
                    "file": args.file,
                    "valid": not errors,
                    "projects": len(instance.projects),
                    "voters": len(instance.ballots),
                    "vote_type": instance.vote_type.value,
                    "rule": instance.rule,
                    "errors": errors,
                    "warnings": warnings,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        status = "OK" if not errors else "INVALID"
        print(
            f"{args.file}: {status} ({len(instance.projects)} projects, "
            f"{len(instance.ballots)} voters, {instance.vote_type.value}, "
            f"rule {instance.rule or 'missing'})"
        )
        for line in errors + warnings:
            print(f"  {line}")
    return 0 if not errors else 1


def _count(args: argparse.Namespace) -> int:
    try:
        instance = read_pb(args.file, strict=not args.lenient)
    except PbFormatError as exc:
        if args.lenient:
            raise
        try:
            read_pb(args.file, strict=False)
        except VotecountError:
            raise exc from None
        # the file is well formed; only some ballots break its own limits
        print(
            f"votecount: {args.file}: {exc} (the file's ballots break its own constraints; "
            "--lenient counts it anyway)",
            file=sys.stderr,
        )
        return 2
    ties = None
    if args.tie_breaking is not None or args.seed is not None:
        try:
            ties = TiePolicy.parse(args.tie_breaking or "min-cost,max-votes,lot", args.seed)
        except ValueError as exc:
            print(f"votecount: {exc}", file=sys.stderr)
            return 2
    options = CountOptions(
        rule=args.rule,
        measure=args.measure,
        threshold=args.threshold,
        utility=args.utility,
        completion=args.completion,
        add1_start=args.add1_start,
        add1_increment=args.add1_increment,
        add1_stop_when_exhaustive=args.add1_stop,
        comparison=args.comparison,
        eligibility_divisor=args.eligibility_divisor,
        exact=args.exact,
        ties=ties,
    )
    outcome = count(instance, options)
    if args.json:
        data = outcome.to_dict()
        data = {"file": args.file, **data}
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    pl = args.lang == "pl"
    money = money_pl if pl else money_en
    cur = outcome.currency
    opts = outcome.options.to_json()
    shown = ", ".join(f"{k}={v}" for k, v in opts.items() if v is not None)
    if pl:
        print(f"Plik: {args.file}\nReguła: {outcome.rule} ({shown})")
        print(f"Budżet: {money(outcome.budget, cur)}; wydano {money(outcome.total_cost, cur)}")
        print(f"Wybrane projekty ({len(outcome.selected)}), w kolejności wyboru:")
    else:
        print(f"File: {args.file}\nRule: {outcome.rule} ({shown})")
        print(f"Budget: {money(outcome.budget, cur)}; spent {money(outcome.total_cost, cur)}")
        print(f"Selected projects ({len(outcome.selected)}), in the order chosen:")
    for pid in outcome.selected:
        exp = outcome.explanations[pid]
        print(f"  {pid}: {exp.pl if pl else exp.en}")
    print("Projekty niewybrane:" if pl else "Projects not selected:")
    for pid, exp in outcome.explanations.items():
        if not exp.selected:
            print(f"  {pid}: {exp.pl if pl else exp.en}")
    for tie in outcome.ties:
        how = "losowanie" if (pl and tie.lot_drawn) else ("lot" if tie.lot_drawn else "policy")
        print(
            f"{'Remis' if pl else 'Tie'}: {tie.context}: {', '.join(tie.tied)} -> "
            f"{', '.join(tie.order)} ({how}{f', seed {tie.seed}' if tie.seed is not None else ''})"
        )
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
