"""The package as a researcher installs it: a wheel, in a virtual environment of
its own, run in a folder of their own. Everything the code needs must be inside
the wheel, and everything it writes must land in that folder, not in the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from kg.settings import REPO_ROOT

pytestmark = pytest.mark.slow

# what a wheel is built from (kg/resources links into ontology/, queries/, data/authority
# and the query editor's npm build)
SOURCES = ("pyproject.toml", "README.md", "kg", "ontology", "queries", "data/authority",
           "node_modules/@zazuko/yasgui/build")


def _snapshot(folder: Path) -> dict[str, int]:
    """Every file under `folder` (outside the virtual environment and caches) with
    its modification time."""
    seen = {}
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        if rel.parts[0] in {".venv", ".git", "node_modules", ".pytest_cache", ".hypothesis"} \
                or "__pycache__" in rel.parts or not path.is_file():
            continue
        seen[str(rel)] = path.stat().st_mtime_ns
    return seen


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh virtual environment with the wheel installed, and the main virtual
    environment's dependencies visible to it through a .pth file (the editable
    `kg` of the main one is not: .pth files of a listed folder are not run)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    for name in SOURCES:
        target = src / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (REPO_ROOT / name).is_dir():
            shutil.copytree(REPO_ROOT / name, target, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(REPO_ROOT / name, target)
    dist = tmp / "dist"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps",
                            "--no-build-isolation", "-w", str(dist), "-q"],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    wheel = next(dist.glob("hankegraph-*.whl"))
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    py = venv / "bin" / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()"
                           "['purelib'])"], capture_output=True, text=True, check=True)
    (Path(site.stdout.strip()) / "main-venv.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    done = subprocess.run([str(py), "-m", "pip", "install", "--no-deps", "--no-index", "-q",
                           str(wheel)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return venv


def _run(venv: Path, cwd: Path, *args: str):
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    return subprocess.run([str(venv / "bin" / "kg"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_the_wheel_is_what_runs(installed):
    where = subprocess.run([str(installed / "bin" / "python"), "-c",
                            "import kg, kg.settings as s; print(kg.__file__); "
                            "print(s.Settings().ontology_dir / 'hankegraph.ttl')"],
                           cwd=installed.parent, capture_output=True, text=True, check=True)
    package, ontology = where.stdout.split()
    assert Path(package).is_relative_to(installed), package
    assert Path(ontology).is_relative_to(installed) and Path(ontology).is_file()


def test_build_and_query_in_a_folder_of_ones_own(installed, tmp_path):
    project = tmp_path / "my project"
    before = _snapshot(REPO_ROOT)
    made = _run(installed, tmp_path, "init", "my project")
    assert made.returncode == 0, made.stderr
    assert (project / "kg.toml").is_file() and (project / "README.md").is_file()
    docs = project / "docs"
    for doc in sorted((REPO_ROOT / "data" / "docs").glob("*.txt"))[:2]:
        shutil.copy2(doc, docs / doc.name)

    built = _run(installed, project, "build", "--no-progress")
    assert built.returncode == 0, built.stderr
    assert "wrote data/ttl/hankegraph.trig" in built.stdout
    assert (project / "data" / "ttl" / "hankegraph.trig").is_file()
    assert (project / "data" / "ttl" / "hankegraph.ttl").is_file()
    assert (project / ".kgcache").is_dir()  # the cache belongs to the folder too
    assert "conforms" in built.stdout  # the packaged shapes were read

    answer = _run(installed, project, "query", "--format", "csv", "--query",
                  "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a hg:Document }")
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.splitlines()[1] == "2"
    checked = _run(installed, project, "validate")  # the packaged shapes and ontology
    assert checked.returncode == 0 and "conforms" in checked.stdout, checked.stderr
    exported = _run(installed, project, "export", "--format", "csv", "--date", "2025-01-01")
    assert exported.returncode == 0, exported.stderr
    assert (project / "data" / "export" / "hankegraph-facts.csv").is_file()
    _serve_once(installed, project)
    after = _snapshot(REPO_ROOT)
    # new files anywhere, or changed ones where kg writes (sources may be edited meanwhile)
    written = sorted(set(after) - set(before)) + sorted(
        f for f in set(after) & set(before) if after[f] != before[f]
        and f.split("/")[0] in {"data", ".kgcache", "visualisations"})
    assert not written, f"the installed kg wrote into the checkout: {written[:10]}"


def test_network_pages_in_a_folder_of_ones_own(installed, tmp_path):
    """`kg visualise` from the wheel: its page template ships in the package (it was
    left out, and the installed command died with TemplateNotFound)."""
    project = tmp_path / "pages"
    docs = project / "data" / "docs"
    docs.mkdir(parents=True)
    for doc in sorted((REPO_ROOT / "data" / "docs").glob("*.txt"))[:2]:
        shutil.copy2(doc, docs / doc.name)
    assert _run(installed, project, "build", "--no-progress").returncode == 0
    drawn = _run(installed, project, "visualise")
    assert drawn.returncode == 0, drawn.stderr
    for kind in ("collaboration", "projects", "funding"):
        page = (project / "visualisations" / f"{kind}.html").read_text(encoding="utf-8")
        assert "vis.DataSet" in page, kind
        assert (project / "visualisations" / f"{kind}.gexf").is_file()


def _serve_once(venv: Path, project: Path) -> None:
    """`kg serve` from the wheel in the project folder: the folder's dataset, the
    packaged editor, queries and ontology."""
    import requests

    from tests.servers import free_port, running

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    with running([str(venv / "bin" / "kg"), "serve", "--port", str(port), "--workers", "1"],
                 f"{base}/sparql", cwd=project, env=env):
        ask = requests.get(f"{base}/sparql", timeout=30, params={
            "query": "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a hg:Document }"})
        assert ask.json()["results"]["bindings"][0]["n"]["value"] == "2"
        page = requests.get(f"{base}/", timeout=30).text
        assert '"name": "funders_of_projects"' in page  # the packaged queries
        assert "none for this dataset" in page  # the checkout's pages are not this data's
        editor = requests.get(f"{base}/yasgui/yasgui.min.js", timeout=30)
        assert editor.status_code == 200
        assert editor.content == (REPO_ROOT / "kg" / "resources" / "yasgui"
                                  / "yasgui.min.js").read_bytes()


def test_an_empty_folder_is_told_where_documents_go(installed, tmp_path):
    r = _run(installed, tmp_path, "build")
    assert r.returncode == 2 and "data/docs" in r.stderr and str(tmp_path) in r.stderr
    assert list(tmp_path.iterdir()) == []
