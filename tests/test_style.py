"""The code base stays ruff- and mypy-clean: part of the test command, so CI enforces it."""

from __future__ import annotations

import subprocess
import sys

from tests.harness import ROOT


def test_ruff_is_clean() -> None:
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_is_clean() -> None:
    """Strict mypy over the packages `[tool.mypy]` names in pyproject.toml."""
    r = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
