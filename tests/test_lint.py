"""The code passes the lint rules chosen in pyproject.toml ([tool.ruff])."""

import shutil
import subprocess
import sys
from pathlib import Path

from kg.settings import REPO_ROOT


def test_ruff_passes():
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    r = subprocess.run([ruff, "check", "kg", "tests", "benchmarks"], cwd=REPO_ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
