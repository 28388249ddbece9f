"""`kg init [DIR]`: a starter project folder, like `git init` or `datasette`'s.

kg works in the current folder: the documents in `docs/` (or `data/docs/`), the
dataset written to `data/ttl/`, the cache in `.kgcache/`, the network pages in
`visualisations/`, and a `kg.toml` for anything else (kg/settings.py). `init`
writes that folder's skeleton and a README of its own; it never overwrites a
file that is already there.
"""

from __future__ import annotations

from pathlib import Path

from kg.settings import CONFIG_NAME, Settings

DOCS = "docs"

#: the settings a starter kg.toml shows, commented out, with their help
_SHOWN = ("docs_dir", "out_dir", "cache_dir", "base_iri", "min_confidence", "workers",
          "max_bytes")

README = """# {name}: a Hankegraph project

Documents about Finnish regional development projects (project pages, funding
decisions, council minutes, register forms, press releases) go into `docs/`:
`.txt`, `.html`, `.pdf`, `.docx`, `.md`. Then, from this folder:

```sh
kg build                 # docs/ -> data/ttl/hankegraph.trig and .ttl (a knowledge graph)
kg query --query 'SELECT ?name WHERE {{ ?p a hg:Project ; rdfs:label ?name }}'
kg serve                 # a SPARQL endpoint and query editor at http://127.0.0.1:8000/
kg visualise             # networks of who works with whom, and whose money goes where
kg export --format csv   # the facts as tables, with a VoID/DCAT description
kg explain NAME          # why the graph holds an entity, sentence by sentence
```

Every fact in the graph keeps the document and the sentence it was read from, so
each can be checked: on documents it was not trained on, extraction finds about
seven in ten of the entities and one stated fact in three or four, so check before
you count. Phone numbers and e-mail addresses are never written to the graph.

`kg.toml` holds this project's settings (all commented out: the defaults);
`.kgcache/` keeps extractions between builds and can be deleted at any time.
"""

GITIGNORE = ".kgcache/\n"


def starter_config() -> str:
    """A kg.toml with the common settings commented out, each with its help."""
    defaults, helps = Settings(), Settings.help()
    lines = ["# Settings of this Hankegraph project. Every line is commented out: the",
             "# default shown is what kg uses. Paths are relative to this folder.", ""]
    for name in _SHOWN:
        value = getattr(defaults, name)
        if name == "docs_dir":
            value = DOCS
        if isinstance(value, Path):
            shown = f'"{value.as_posix()}"'
        elif isinstance(value, str):
            shown = f'"{value}"'
        elif value is None:
            shown = "0.5  # (unset: no floor)"
        else:
            shown = str(value)
        lines += [f"# {helps[name]}", f"# {name} = {shown}", ""]
    return "\n".join(lines)


def init_project(folder: str | Path) -> list[tuple[Path, bool]]:
    """Create the starter files of a project in ``folder``; (path, written) for each,
    written False where a file of that name was already there (left as it was)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out: list[tuple[Path, bool]] = []
    docs = folder / DOCS
    out.append((docs, not docs.exists()))
    docs.mkdir(exist_ok=True)
    name = folder.resolve().name or "project"
    for path, body in ((folder / "README.md", README.format(name=name)),
                       (folder / CONFIG_NAME, starter_config()),
                       (folder / ".gitignore", GITIGNORE)):
        if path.exists():
            out.append((path, False))
            continue
        path.write_text(body, encoding="utf-8")
        out.append((path, True))
    return out
