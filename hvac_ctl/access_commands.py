"""`hvac-ctl token` and `hvac-ctl user`: who may use the API and the panel, in the store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def store_url(args: argparse.Namespace) -> str:
    """`--db`, or the SQLite file under the configuration folder's data/."""
    from hvac_ctl.store import default_url

    return args.db or default_url(Path(args.config) / "data")


def cmd_token(args: argparse.Namespace) -> int:
    from hvac_ctl.store import Store

    store = Store(store_url(args))
    store.migrate()
    if args.token_command == "revoke":
        if not store.revoke_token(args.name):
            print(f"hvac-ctl token: no active token named '{args.name}'", file=sys.stderr)
            return 1
        print(f"token '{args.name}' revoked", file=sys.stderr)
        return 0
    try:
        token = store.create_token(args.name, args.role)
    except ValueError as e:
        print(f"hvac-ctl token: {e}", file=sys.stderr)
        return 1
    print(token)
    print(f"token '{args.name}' ({args.role}) created; it is shown only now", file=sys.stderr)
    return 0


def cmd_user(args: argparse.Namespace) -> int:
    """People for the panel; the password is read from the terminal or standard input."""
    import getpass

    from hvac_ctl.store import Store

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.name}: ")
        if getpass.getpass("again: ") != password:
            print("hvac-ctl user: the passwords differ", file=sys.stderr)
            return 1
    store = Store(store_url(args))
    store.migrate()
    try:
        store.create_user(args.name, args.role, password)
    except ValueError as e:
        print(f"hvac-ctl user: {e}", file=sys.stderr)
        return 1
    print(f"user '{args.name}' ({args.role}) created", file=sys.stderr)
    return 0
