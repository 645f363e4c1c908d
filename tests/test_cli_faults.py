"""Small faults of the command line (issue 15, item 11): a closed pipe, a plot file the CLI
cannot draw, the plot's time axis."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pytest

from hvac_ctl.cli import main
from hvac_ctl.config import load_config
from hvac_ctl.planner import PlanInputs, plan_day
from hvac_ctl.report import day_figure
from tests.harness import ROOT, SINGLE_HALL

SHOW_DAY = date(2026, 12, 5)


@pytest.mark.e2e
def test_plan_into_a_closed_pipe_stops_quietly() -> None:
    """`hvac-ctl plan | head -1`: the reader is gone before the plan is written."""
    p = subprocess.Popen([sys.executable, "-m", "hvac_ctl", "plan", "--config", str(SINGLE_HALL),
                          "--date", str(SHOW_DAY), "--json"], cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout is not None and p.stderr is not None
    p.stdout.close()  # as head does once it has its lines: every write now fails with EPIPE
    err = p.stderr.read().decode()
    p.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert err == ""
    assert p.returncode == 141


def test_plot_to_an_unknown_format_names_the_formats(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x.txt"
    code = main(["plan", "--config", str(SINGLE_HALL), "--date", str(SHOW_DAY), "--plot", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert "'.txt' is not a format" in err and "png, svg, pdf" in err, err
    assert not out.exists()


def test_plot_writes_the_format_of_its_suffix(tmp_path: Path) -> None:
    out = tmp_path / "day.svg"
    assert main(["plan", "--config", str(SINGLE_HALL), "--date", str(SHOW_DAY), "--plot",
                 str(out)]) == 0
    assert out.read_text().lstrip().startswith("<?xml")


def test_plot_runs_from_local_midnight_to_midnight() -> None:
    config = load_config(SINGLE_HALL)
    plan = plan_day(config, SHOW_DAY, PlanInputs())
    fig = day_figure(plan, config)
    try:
        tz = config.venue.venue.tz
        lo, hi = (mdates.num2date(x, tz=tz) for x in fig.axes[-1].get_xlim())
        midnight = datetime.combine(SHOW_DAY, time(0), tz)
        assert lo == midnight, lo
        assert hi == midnight + timedelta(days=1), hi
        ticks = [mdates.num2date(x, tz=tz) for x in fig.axes[-1].get_xticks()]
        assert ticks[0] == midnight and all(t.minute == 0 for t in ticks)
    finally:
        plt.close(fig)


def test_the_plan_table_gives_idle_its_band(capsys: pytest.CaptureFixture[str]) -> None:
    """An idle zone with its units off holds 18–27 °C; "19.0 °C" there read as a target."""
    assert main(["plan", "--config", str(SINGLE_HALL), "--date", str(SHOW_DAY)]) == 0
    rows = [r for r in capsys.readouterr().out.splitlines() if " idle " in r]
    assert rows and all("18–27 °C" in r and "units off" in r for r in rows), rows
    assert not any("19.0 °C" in r for r in rows), rows
