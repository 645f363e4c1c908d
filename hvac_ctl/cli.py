"""`hvac-ctl`: validate the configuration, preview a day's plan, run the demo.

The command line is the edge of the system: it is the one place here that reads the clock
(for "today") and the disk; everything it calls below is pure.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from hvac_ctl.config import ConfigError, load_config
from hvac_ctl.model import Config
from hvac_ctl.planner import PlanInputs, plan_day
from hvac_ctl.report import day_plot, day_table, summary


def _today(config: Config) -> date:
    return datetime.now(UTC).astimezone(config.venue.venue.tz).date()


def _load(args: argparse.Namespace) -> Config | None:
    try:
        return load_config(Path(args.config))
    except ConfigError as e:
        for issue in e.issues:
            print(issue, file=sys.stderr)
        n = len(e.issues)
        print(f"{n} error{'s' if n != 1 else ''} in the configuration under {args.config}",
              file=sys.stderr)
        return None


def cmd_validate(args: argparse.Namespace) -> int:
    config = _load(args)
    if config is None:
        return 1
    print(summary(config, _today(config)))
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    config = _load(args)
    if config is None:
        return 1
    day = args.date or _today(config)
    plan = plan_day(config, day, PlanInputs(outdoor_temp_c=args.outdoor_temp))
    if args.json:
        print(json.dumps(plan.to_json(), indent=2, ensure_ascii=False))
    else:
        print(day_table(plan, config))
    if args.plot:
        day_plot(plan, config, Path(args.plot))
        print(f"plot written to {args.plot}", file=sys.stderr)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """For now: validate, then today's plan. The live demo (service + simulator) comes next."""
    if cmd_validate(args) != 0:
        return 1
    print()
    args.date, args.json, args.plot, args.outdoor_temp = None, False, None, None
    return cmd_plan(args)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-12-05") from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hvac-ctl", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    def with_config(sp: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sp.add_argument("--config", default=".", metavar="DIR",
                        help="folder holding zones.yaml and schedules/ (default: .)")
        return sp

    v = with_config(sub.add_parser("validate", help="check zones.yaml and schedules/"))
    v.set_defaults(func=cmd_validate)
    pl = with_config(sub.add_parser("plan", help="print a day's plan per zone"))
    pl.add_argument("--date", type=_date, help="YYYY-MM-DD (default: today at the venue)")
    pl.add_argument("--json", action="store_true", help="segments as JSON")
    pl.add_argument("--plot", metavar="FILE.png", help="draw the day: phases and setpoints")
    pl.add_argument("--outdoor-temp", type=float, metavar="C",
                    help="outdoor temperature, for seasons switched by weather")
    pl.set_defaults(func=cmd_plan)
    d = with_config(sub.add_parser("demo", help="the main job: validate and show today's plan"))
    d.set_defaults(func=cmd_demo)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
