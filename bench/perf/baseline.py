"""The same benchmark at an earlier release: its own bench/perf, from a git worktree of it.

The worktree goes in a temporary folder and is removed afterwards, also on Ctrl-C or SIGTERM
(the caller's `finally`). Each section is run there as a subprocess, `python3 bench/perf
--only NAME` of that tree, with PYTHONPATH at the worktree so that its own hvac_ctl, drivers
and simulator are imported, not this tree's (checked before the first run: the editable
install's finder comes after PYTHONPATH on the import path). A section the older release does
not have is reported as such; its output is only ever read as markdown.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from bench.perf.common import ROOT

SECTION_TIMEOUT_S = 900.0
STOP_WAIT_S = ((signal.SIGINT, 20.0), (signal.SIGTERM, 10.0))


def git(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def newest_tag() -> str | None:
    """The newest tag reachable from HEAD (`git describe --tags --abbrev=0`), or None."""
    r = git("describe", "--tags", "--abbrev=0")
    return r.stdout.strip() or None if r.returncode == 0 else None


@dataclass
class Ran:
    text: str
    seconds: float
    note: str | None = None  # why there is no table, if there is none


@dataclass
class Baseline:
    """A worktree of `ref` for the time of a `with` block."""

    ref: str
    quick: bool
    folder: Path | None = None
    described: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def tree(self) -> Path:
        assert self.folder is not None
        return self.folder / "tree"

    def __enter__(self) -> Baseline:
        sha = git("rev-parse", "--verify", "--quiet", f"{self.ref}^{{commit}}")
        if sha.returncode != 0:
            raise ValueError(f"--baseline {self.ref}: not a commit of this repository")
        self.folder = Path(tempfile.mkdtemp(prefix="hvac-perf-baseline-"))
        try:
            r = git("worktree", "add", "--detach", str(self.tree), sha.stdout.strip())
            if r.returncode != 0:
                raise RuntimeError(f"git worktree add {self.ref}: {r.stderr.strip()}")
            self.described = git("log", "-1", "--format=%h %cs %s", "HEAD",
                                 cwd=self.tree).stdout.strip()[:100]
        except BaseException:
            self.remove()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.remove()

    def remove(self) -> None:
        """The worktree and its folder gone, and git's record of it; never raises."""
        if self.folder is None:
            return
        try:
            if self.tree.exists():
                git("worktree", "remove", "--force", str(self.tree))
            shutil.rmtree(self.folder, ignore_errors=True)
            git("worktree", "prune")
        finally:
            self.folder = None

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(self.tree),
                                                        env.get("PYTHONPATH")) if p)
        return env

    def imports_its_own(self) -> str | None:
        """None when the worktree's python imports the worktree's packages; else why not."""
        code = ("import drivers, hvac_ctl, simulator; "
                "print(*(m.__file__ for m in (drivers, hvac_ctl, simulator)), sep='\\n')")
        r = subprocess.run([sys.executable, "-c", code], cwd=self.tree, env=self.env(),
                           capture_output=True, text=True, timeout=60)
        wrong = [p for p in r.stdout.split() if not Path(p).is_relative_to(self.tree)]
        if r.returncode != 0 or wrong:
            return f"the baseline's python does not import its own packages: {wrong or r.stderr}"
        return None

    def run(self, section: str) -> Ran:
        """The baseline's own `bench/perf --only section` (and --quick), its stdout."""
        if not (self.tree / "bench" / "perf").is_dir():
            return Ran("", 0.0, f"{self.ref} has no bench/perf")
        args = [sys.executable, "bench/perf", "--only", section, *(["--quick"] * self.quick)]
        t = time.perf_counter()
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            proc = subprocess.Popen(args, cwd=self.tree, env=self.env(), stdin=subprocess.DEVNULL,
                                    stdout=out, stderr=err, start_new_session=True)
            try:
                rc = proc.wait(SECTION_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                rc = None
            finally:
                stop(proc)  # a Ctrl-C here stops it too: it has a session of its own
            out.seek(0)
            err.seek(0)
            text, errors = out.read(), err.read()
        seconds = time.perf_counter() - t
        if rc is None:
            return Ran(text, seconds, f"timed out after {SECTION_TIMEOUT_S:.0f} s")
        if rc == 2 and "invalid choice" in errors:
            return Ran("", seconds, f"{self.ref} has no section '{section}'")
        if rc != 0:
            tail = " ".join(errors.strip().splitlines()[-1:])
            return Ran(text, seconds, f"exit {rc}{': ' + tail if tail else ''}")
        return Ran(text, seconds)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGINT to its session, then SIGTERM, then SIGKILL; bounded, never raises."""
    for sig, wait in STOP_WAIT_S:
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue
        except (ProcessLookupError, PermissionError):
            break
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)
