"""Entry point for `python3 bench/perf [--quick] [--only NAME] [--baseline REF]`, from anywhere.

Python puts this folder first on sys.path when it runs it; it is replaced by the repository
root so that `bench.perf.*`, `drivers`, `hvac_ctl` and `simulator` import as packages (the
folder bench/ itself must never be on the path: bench/drivers.py would shadow `drivers`).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path[:] = [p for p in sys.path
               if Path(p or ".").resolve() not in (ROOT / "bench", ROOT / "bench" / "perf")]
sys.path.insert(0, str(ROOT))

from bench.perf.main import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
