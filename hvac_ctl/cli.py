"""`hvac-ctl`: validate and preview the configuration, run the service, the simulator, the demo.

The command line is the edge of the system: it is the one place here that reads the clock
(for "today") and the disk; everything it calls below is pure.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path

from hvac_ctl import logs
from hvac_ctl.access_commands import cmd_token, cmd_user, store_url
from hvac_ctl.backup import cmd_backup
from hvac_ctl.config import ConfigError, load_config
from hvac_ctl.model import Config
from hvac_ctl.planner import PlanInputs, plan_day
from hvac_ctl.report import day_plot, day_table, plot_refused, summary


def _today(config: Config) -> date:
    return datetime.now(UTC).astimezone(config.venue.venue.tz).date()


def _load(args: argparse.Namespace) -> Config | None:
    try:
        return load_config(Path(args.config))
    except ConfigError as e:
        for line in e.lines():
            print(line, file=sys.stderr)
        n = len(e.lines())
        print(f"{n} error{'s' if n != 1 else ''} in the configuration under {args.config}",
              file=sys.stderr)
        return None


def cmd_validate(args: argparse.Namespace) -> int:
    """Errors to stderr, exit 1; else the summary, then each warning as
    `file:line: key: warning: …` (valid, so still exit 0, and stderr stays empty)."""
    from hvac_ctl.config import load_config_with_warnings

    try:
        config, warnings = load_config_with_warnings(Path(args.config))
    except ConfigError as e:
        for line in e.lines():
            print(line, file=sys.stderr)
        n = len(e.lines())  # those that follow from another are errors too, shown under it
        print(f"{n} error{'s' if n != 1 else ''} in the configuration under {args.config}",
              file=sys.stderr)
        return 1
    print(summary(config, _today(config)))
    for w in warnings:
        print(w)
    if warnings:
        n = len(warnings)
        print(f"{n} warning{'s' if n != 1 else ''} in the configuration under {args.config}")
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    config = _load(args)
    if config is None:
        return 1
    if plot_refused(args.plot, "hvac-ctl plan"):
        return 2
    try:
        zones = None if args.hall is None else config.venue.zones_for(args.hall)
    except ValueError as e:
        print(f"hvac-ctl plan: --hall: {e}", file=sys.stderr)
        return 2
    plan = plan_day(config, args.date or _today(config), PlanInputs(
        outdoor_temp_c=args.outdoor_temp))
    if zones is not None:
        plan = plan.only(set(zones), args.hall)
    if args.json:
        print(json.dumps(plan.to_json(), indent=2, ensure_ascii=False))
    else:
        print(day_table(plan, config))
    if args.plot:
        day_plot(plan, config, Path(args.plot))
        print(f"plot written to {args.plot}", file=sys.stderr)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """The main job: a show day, accelerated — simulator, service and box office together."""
    logs.configure(args.log_level, args.log_format)
    config = _load(args)
    if config is None:
        return 1
    from hvac_ctl.demo import run_demo

    return run_demo(Path(args.config), args.date, args.speed, args.port, _today(config),
                    args.bacnet_local, args.port_offset)


def cmd_sim(args: argparse.Namespace) -> int:
    """Run the building simulator until --until or Ctrl-C, serving its points."""
    logs.configure(args.log_level, args.log_format)
    config = _load(args)
    if config is None:
        return 1
    from hvac_ctl.simulation import run_simulator

    tz = config.venue.venue.tz
    start = _instant(args.start, tz) if args.start else datetime.now(UTC).astimezone(tz).replace(
        second=0, microsecond=0)
    until = _instant(args.until, tz) if args.until else None
    if until is not None and until <= start:
        print("--until must be after --start", file=sys.stderr)
        return 2
    try:
        return run_simulator(config, start, until, speed=args.speed, weather=args.weather,
                             scenario=Path(args.scenario) if args.scenario else None,
                             status_every=args.status_every,
                             independent_thermostats=args.independent_thermostats,
                             write_log=Path(args.write_log) if args.write_log else None)
    except (ValueError, OSError) as e:
        print(f"hvac-ctl sim: {e}", file=sys.stderr)
        return 1


def cmd_serve(args: argparse.Namespace) -> int:
    """The service: API on uvicorn, scheduler, control loop, polling."""
    logs.configure(args.log_level, args.log_format)
    if args.override_priority >= args.plan_priority:
        print("hvac-ctl serve: --override-priority must be a higher priority (a smaller "
              "number) than --plan-priority, or overrides would not win", file=sys.stderr)
        return 2
    if args.instance and not store_url(args).startswith("postgresql"):
        print("hvac-ctl serve: --instance needs a shared PostgreSQL --db "
              "(postgresql+psycopg://…); SQLite is one instance's", file=sys.stderr)
        return 2
    checked = _serve_checks(args)
    if isinstance(checked, int):
        return checked
    from hvac_ctl.clock import Clock, SystemClock
    from hvac_ctl.control import LoopSettings
    from hvac_ctl.devices import DriverSettings
    from hvac_ctl.service.build import build_service
    from hvac_ctl.service.settings import ServiceSettings

    clock: Clock = SystemClock()
    if args.start:  # the simulator's clock only then: serving imports nothing else of it
        from simulator.clock import SimClock

        clock = SimClock(_instant(args.start, checked), args.speed)
    settings = ServiceSettings(
        config_dir=Path(args.config), speed=args.speed if args.start else 1.0,
        tick_every=timedelta(seconds=args.tick), poll_every=timedelta(seconds=args.poll),
        loop=LoopSettings(plan_priority=args.plan_priority,
                          override_priority=args.override_priority),
        max_override=timedelta(minutes=args.max_override_minutes),
        drivers=DriverSettings(bacnet_local=args.bacnet_local), instance=args.instance)
    server = build_service(settings, clock, store_url(args)).server(args.host, args.port)
    print(f"hvac-ctl serving on http://{args.host}:{args.port} (API docs at /docs)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn shut down cleanly, then re-raised
        server.run()
    return 0


def _serve_checks(args: argparse.Namespace) -> tzinfo | int:
    """The venue's time zone once the configuration validates and the ports are free, else the
    exit code. Its own function so that this first copy of the configuration is freed before
    the service starts: the service loads and keeps its own (ConfigWatch), and a second copy
    held by cmd_serve's frame for the whole run was several MiB on a 500-unit venue."""
    config = _load(args)
    if config is None:
        return 1
    from hvac_ctl import in_use
    from hvac_ctl.model.venue import BacnetUnit

    needs = [in_use.Need(args.port, "tcp", "HTTP, --port", args.host)]
    if any(isinstance(u, BacnetUnit) for u in config.venue.units.values()):
        needs.append(in_use.bacnet_local(args.bacnet_local, "BACnet/IP, --bacnet-local"))
    taken = in_use.problem(needs)
    if taken is not None:
        print(f"hvac-ctl serve: {taken}", file=sys.stderr)
        return 1
    return config.venue.venue.tz


def cmd_report(args: argparse.Namespace) -> int:
    config = _load(args)
    if config is None:
        return 1
    from hvac_ctl import report_command

    return report_command.public(args, config)


def _instant(text: str, tz: tzinfo) -> datetime:
    t = datetime.fromisoformat(text)
    return t.replace(tzinfo=tz) if t.tzinfo is None else t


def _datetime(text: str) -> str:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date and time like 2026-12-05T18:00") from None
    return text


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-12-05") from None


def _with_logging(sp: argparse.ArgumentParser) -> argparse.ArgumentParser:
    sp.add_argument("--log-level", default="INFO", choices=logs.LEVELS,
                    help="least severe level logged to stderr (default INFO)")
    sp.add_argument("--log-format", default="text", choices=logs.FORMATS,
                    help="text lines, or one JSON object per line (default text)")
    return sp


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
    pl.add_argument("--hall", help="one hall's zones (a hall id, or 'public': the public "
                                   "areas); default: every hall and group")
    pl.add_argument("--plot", metavar="FILE.png",
                    help="draw the day: phases and setpoints (png, svg, pdf, … by the suffix)")
    pl.add_argument("--outdoor-temp", type=float, metavar="C",
                    help="outdoor temperature, for seasons switched by weather")
    pl.set_defaults(func=cmd_plan)
    d = with_config(sub.add_parser(
        "demo", help="the main job: a show day, accelerated, simulator and service together"))
    d.add_argument("--speed", type=float, default=60.0, metavar="N",
                   help="simulated seconds per second (default 60)")
    d.add_argument("--date", type=_date, help="the show day (default: the next one)")
    d.add_argument("--port", type=int, default=8000,
                   help="the service's HTTP port (default 8000)")
    d.add_argument("--bacnet-local", default="127.0.0.1/24:47809", metavar="IP/MASK:PORT",
                   help="the service's own BACnet/IP address (default 127.0.0.1/24:47809); "
                        "the simulated units listen on their addresses in zones.yaml")
    d.add_argument("--port-offset", type=int, default=0, metavar="N",
                   help="move every port up by N: HTTP, --bacnet-local and the units' BACnet "
                        "and Modbus ports, with a store of its own (data/demo+N/): a second "
                        "demo beside a running one (default 0)")
    _with_logging(d).set_defaults(func=cmd_demo)
    sm = with_config(sub.add_parser("sim", help="run the building simulator (BACnet + Modbus)"))
    sm.add_argument("--speed", type=float, default=1.0, metavar="N",
                    help="simulated seconds per real second, 1 to 3600 (default 1)")
    sm.add_argument("--start", type=_datetime, metavar="DATETIME",
                    help="simulated start, e.g. 2026-12-05T17:00 (venue time; default now)")
    sm.add_argument("--until", type=_datetime, metavar="DATETIME",
                    help="stop at this simulated time (default: run until Ctrl-C)")
    sm.add_argument("--scenario", metavar="FILE",
                    help="scenario edits: sold, late arrivals, doors left open")
    sm.add_argument("--weather", default="auto", metavar="summer|winter|FILE.csv",
                    help="design day or a CSV of time,temp_c,rh_pct (default: by season)")
    sm.add_argument("--status-every", type=float, default=5.0, metavar="SECONDS",
                    help="real seconds between status lines (default 5)")
    sm.add_argument("--independent-thermostats", action="store_true",
                    help="public units ignore their mode command and pick heat or cool from "
                         "their own sensors (the baseline of units that fight)")
    sm.add_argument("--write-log", metavar="FILE", help="append every network write served: "
                    "simulated time, unit, point, value, the client's address, Unix time")
    _with_logging(sm).set_defaults(func=cmd_sim)
    sv = with_config(sub.add_parser("serve", help="run the service: API, scheduler, control"))
    sv.add_argument("--db", metavar="URL", help="SQLAlchemy URL (default: sqlite in DIR/data)")
    sv.add_argument("--instance", metavar="NAME", help="one of several on a PostgreSQL --db")
    sv.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    sv.add_argument("--port", type=int, default=8000)
    sv.add_argument("--start", type=_datetime, metavar="DATETIME",
                    help="run on a simulated clock from this venue time (with --speed)")
    sv.add_argument("--speed", type=float, default=1.0, metavar="N",
                    help="simulated seconds per second, with --start (default 1)")
    sv.add_argument("--tick", type=float, default=60.0, metavar="SECONDS",
                    help="control tick period on the service's clock (default 60)")
    sv.add_argument("--poll", type=float, default=10.0, metavar="SECONDS",
                    help="sensor polling period on the service's clock (default 10)")
    sv.add_argument("--plan-priority", type=int, default=12, choices=range(1, 17),
                    metavar="1-16", help="BACnet priority of the plan's writes (default 12)")
    sv.add_argument("--override-priority", type=int, default=8, choices=range(1, 17),
                    metavar="1-16", help="BACnet priority of operator overrides (default 8)")
    sv.add_argument("--max-override-minutes", type=float, default=240, metavar="MIN",
                    help="the longest override an operator may set (default 240)")
    sv.add_argument("--bacnet-local", default="127.0.0.1/24:47809", metavar="IP/MASK:PORT",
                    help="the service's own BACnet/IP address (default 127.0.0.1/24:47809)")
    _with_logging(sv).set_defaults(func=cmd_serve)
    tk = with_config(sub.add_parser("token", help="API tokens"))
    tk_sub = tk.add_subparsers(dest="token_command", required=True)
    tc = tk_sub.add_parser("create", help="create a token; it is printed once, stored hashed")
    tc.add_argument("--role", required=True,
                    choices=["viewer", "operator", "engineer", "boxoffice", "admin"])
    tc.add_argument("--name", required=True)
    tc.add_argument("--db", metavar="URL")
    tc.add_argument("--config", default=".", metavar="DIR")
    tc.set_defaults(func=cmd_token)
    tr = with_config(tk_sub.add_parser(
        "revoke", help="revoke a token by name; it stops working at once"))
    tr.add_argument("--name", required=True)
    tr.add_argument("--db", metavar="URL")
    tr.set_defaults(func=cmd_token)
    rp = sub.add_parser("report", help="reports over the recorded operation (the store)")
    rp_pub = with_config(rp.add_subparsers(dest="report_command", required=True).add_parser(
        "public", help="the public groups: hours per mode, switches, band, thresholds"))
    rp_pub.add_argument("--from", dest="from_", type=_date, required=True, metavar="YYYY-MM-DD")
    rp_pub.add_argument("--to", type=_date, required=True, metavar="YYYY-MM-DD",
                        help="the last day, included (venue time)")
    rp_pub.add_argument("--db", metavar="URL", help="SQLAlchemy URL (default: sqlite in DIR/data)")
    rp_pub.add_argument("--json", action="store_true", help="the statistics as JSON")
    rp_pub.add_argument("--plot", metavar="FILE.png",
                        help="draw mode bands, zone temperatures, band and outdoor per group")
    rp_pub.set_defaults(func=cmd_report)
    us = sub.add_parser("user", help="people who sign in to the panel")
    us_sub = us.add_subparsers(dest="user_command", required=True)
    uc = with_config(us_sub.add_parser(
        "create", help="create a user; the password is stored hashed"))
    uc.add_argument("--role", required=True, choices=["viewer", "operator", "engineer", "admin"])
    uc.add_argument("--name", required=True)
    uc.add_argument("--password-stdin", action="store_true",
                    help="read the password from standard input instead of the terminal")
    uc.add_argument("--db", metavar="URL")
    uc.set_defaults(func=cmd_user)
    bk = with_config(sub.add_parser("backup", help="a consistent copy of a SQLite store, live"))
    bk.add_argument("--db", metavar="URL", help="SQLAlchemy URL (default: sqlite in DIR/data)")
    bk.add_argument("--to", required=True, metavar="FILE", help="the copy (a new file)")
    bk.set_defaults(func=cmd_backup)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code = int(args.func(args))
        sys.stdout.flush()
    except BrokenPipeError:
        # `hvac-ctl plan | head`: the reader has all it wanted. Python's own recipe: point
        # stdout at /dev/null so the flush at exit cannot raise again, and stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # what a shell reports for a writer ended by SIGPIPE
    return code


if __name__ == "__main__":
    sys.exit(main())
