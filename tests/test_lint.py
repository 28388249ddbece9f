"""The code passes the lint rules chosen in pyproject.toml ([tool.ruff])."""

import re
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


def test_no_machine_paths_in_code_or_tests():
    """A path of one machine (/work/…, /home/…) works on that machine only; paths come
    from REPO_ROOT, kg.settings or a fixture."""
    machine = re.compile(r"""["'](/work|/home|/Users|/root|/srv|/opt)/""")
    found = [f"{path.relative_to(REPO_ROOT)}:{n}"
             for folder in ("kg", "tests", "benchmarks")
             for path in sorted((REPO_ROOT / folder).rglob("*.py"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if machine.search(line)]
    assert not found, found


def test_a_test_that_needs_shared_says_why_and_fails_under_ci(monkeypatch, tmp_path):
    import pytest

    from tests import conftest

    monkeypatch.setattr(conftest, "DEV_CORPUS", tmp_path / "shared" / "corpus" / "dev")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"\.\./shared beside the clone"):
        conftest.require_dev_corpus()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        conftest.require_dev_corpus()
    (tmp_path / "shared" / "corpus" / "dev").mkdir(parents=True)
    assert conftest.require_dev_corpus() == tmp_path / "shared" / "corpus" / "dev"


def test_ci_sets_ci_true():
    assert "export CI=true" in (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
