"""`hvac-ctl report …`: reports over the store, for engineers refining the configuration.

Its own module rather than more of `cli.py`: the command line's file stays the wiring of its
commands, and each report's edge (which store, which errors, where the output goes) is here.
A report only reads: it never creates the store or migrates it, so a wrong `--config` or
`--db` is said as such instead of leaving an empty database behind.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sqlalchemy.exc import OperationalError

from hvac_ctl.model import Config
from hvac_ctl.report import plot_refused


def store_url(args: argparse.Namespace) -> tuple[str, str | None]:
    """The store's URL, and why it cannot be read (None: it can be tried). The default is the
    service's (`store.default_url`), without making its folder."""
    url = args.db or f"sqlite:///{Path(args.config) / 'data' / 'hvac-ctl.db'}"
    if url.startswith("sqlite:///") and ":memory:" not in url:
        path = Path(url.removeprefix("sqlite:///"))
        if not path.is_file():
            return url, f"no store at {path} (give --db URL, or --config the folder whose " \
                        "data/ the service writes)"
    return url, None


def public(args: argparse.Namespace, config: Config) -> int:
    """Statistics of the public groups (`hvac_ctl.public_report`): text, or --json; --plot."""
    from hvac_ctl.public_report import ReportError, public_report
    from hvac_ctl.store import Store

    name = "hvac-ctl report public"
    if args.to < args.from_:
        print(f"{name}: --to {args.to} is before --from {args.from_}", file=sys.stderr)
        return 2
    if plot_refused(args.plot, name):
        return 2
    url, problem = store_url(args)
    if problem is not None:
        print(f"{name}: {problem}", file=sys.stderr)
        return 1
    store = Store(url)
    try:
        report = public_report(store, config, args.from_, args.to)
    except ReportError as e:
        print(f"{name}: {e}", file=sys.stderr)
        return 1
    except OperationalError as e:
        print(f"{name}: the store at {url} cannot be read ({e.orig}); is it the service's?",
              file=sys.stderr)
        return 1
    finally:
        store.close()
    if args.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        print(report.text())
    if args.plot:
        from hvac_ctl.public_plot import public_plot

        public_plot(report, Path(args.plot))
        print(f"plot written to {args.plot}", file=sys.stderr)
    return 0
