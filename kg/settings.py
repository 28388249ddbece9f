"""One frozen Settings object with defaults and help text (as datasette's Setting).

Two kinds of default. What a researcher's project holds (documents, the built
dataset, the cache, curation, pages) is relative: it resolves from the current
directory, as git's and datasette's do, so `kg build` in a folder writes into that
folder. What the code needs to run (ontology, shapes, authority data, example
queries) ships inside the package (:func:`packaged`), so an installed `kg` works
anywhere; in the repository `kg/resources/` links to the top-level folders,
which stay the one source.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from pathlib import Path

#: the folder that holds the `kg` package: the checkout when run from the
#: repository, site-packages when installed. Only the repository's own tools and
#: tests mean the checkout by it; no default of Settings depends on it.
REPO_ROOT = Path(__file__).resolve().parent.parent


def packaged(*parts: str) -> Path:
    """A file or folder shipped with the package (`kg/resources/…`: ontology,
    authority, queries), as a path on disk.

    For a package installed as files (a wheel, an editable install, the checkout)
    ``importlib.resources.files("kg")`` is the package's own folder, so that folder
    is used as it is: importing importlib.resources costs 15 ms (zipfile, inspect,
    tempfile), a quarter of `kg query`'s start-up. It is asked only for a package
    that is not a folder on disk."""
    here = Path(__file__).parent / "resources"
    if here.is_dir():
        return here.joinpath(*parts)
    from importlib.resources import files

    return Path(str(files("kg").joinpath("resources", *parts)))


def _setting(default, help: str):  # noqa: A002 - 'help' reads best here
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    base_iri: str = _setting(
        "https://w3id.org/hankegraph/", "Base IRI of every resource the build mints."
    )
    authority_dir: Path = _setting(
        packaged("authority"), "Folder with the authority CSV files (shipped with kg)."
    )
    ontology_dir: Path = _setting(
        packaged("ontology"), "Folder with hankegraph.ttl and shapes.ttl (shipped with kg)."
    )
    docs_dir: Path = _setting(Path("data", "docs"), "The documents `kg build` reads by default.")
    curation_file: Path | None = _setting(
        Path("data", "curation.yaml"),
        "Human corrections every build applies after resolution (kg/resolve/curation.py).",
    )
    out_dir: Path = _setting(Path("data", "ttl"), "Where the dataset is written.")
    extractor: str = _setting("hankegraph.learned.v1", "Registered name of the extractor.")
    model_dir: Path = _setting(
        Path(__file__).resolve().parent / "extract" / "models" / "learned-v1",
        "The learned extractor's model folder (`kg train` writes one; the one shipped with "
        "kg is trained on the annotated dev corpus).",
    )
    min_confidence: float | None = _setting(
        None, "The learned extractor keeps only the facts at least this probable (None: "
        "every fact the relation rules link or a relation head is sure of).",
    )
    progress: bool = _setting(True, "Show a progress bar on standard error.")
    max_bytes: int = _setting(20_000_000, "Files larger than this many bytes are skipped.")
    check_language: bool = _setting(
        True, "Skip documents whose text is not Finnish or Swedish (kg/ingest/language.py)."
    )
    cache_dir: Path | None = _setting(
        Path(".kgcache"),
        "Where extractions are kept between builds (None: no cache, extract everything).",
    )
    workers: int = _setting(2, "Extraction processes (1: extract in the build's own process).")
    parallel_min_docs: int = _setting(
        50, "Fewer documents to extract than this are extracted in-process: below it the "
        "workers' start-up (each loads the spaCy model) costs more than it saves.",
    )

    @classmethod
    def help(cls) -> dict[str, str]:
        return {f.name: f.metadata.get("help", "") for f in fields(cls)}


#: the project folder's own settings file, read from the current directory
CONFIG_NAME = "kg.toml"
PATH_FIELDS = frozenset({"authority_dir", "ontology_dir", "docs_dir", "curation_file",
                         "out_dir", "cache_dir", "model_dir"})


class SettingsError(ValueError):
    """A kg.toml that cannot be used: the message names the file and the setting."""


def project_settings(folder: str | Path = ".") -> Settings:
    """The settings of the project in ``folder`` (the current directory): the
    defaults, with those its kg.toml sets (keys are Settings' field names; paths
    relative to the folder)."""
    folder = Path(folder)
    config = folder / CONFIG_NAME
    if not config.is_file():
        return _docs_fallback(Settings(), folder, {})
    import tomllib

    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise SettingsError(f"{config}: cannot read it ({e})") from e
    except tomllib.TOMLDecodeError as e:
        raise SettingsError(f"{config}: not valid TOML: {e}") from e
    known = {f.name: f for f in fields(Settings)}
    kw = {}
    for key, value in data.items():
        name = key.replace("-", "_")
        if name not in known:
            raise SettingsError(f"{config}: unknown setting {key!r}; known: "
                                f"{', '.join(sorted(known))}")
        default = known[name].default
        if name in PATH_FIELDS:
            if not isinstance(value, str) or not value:
                raise SettingsError(f"{config}: {key} must be a path (a non-empty string), "
                                    f"not {value!r}")
            path = Path(value)
            kw[name] = path if path.is_absolute() or folder == Path(".") else folder / path
        elif isinstance(default, bool) and not isinstance(value, bool):
            raise SettingsError(f"{config}: {key} must be true or false, not {value!r}")
        elif isinstance(default, int) and not isinstance(default, bool) and (
                isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise SettingsError(f"{config}: {key} must be a positive whole number, "
                                f"not {value!r}")
        elif name == "min_confidence" and (isinstance(value, bool) or not isinstance(
                value, int | float) or not 0 <= value <= 1):
            raise SettingsError(f"{config}: {key} must be a number from 0 to 1, not {value!r}")
        elif isinstance(default, str) and not isinstance(value, str):
            raise SettingsError(f"{config}: {key} must be a string, not {value!r}")
        else:
            kw[name] = value
    return _docs_fallback(Settings(**kw), folder, kw)


def _docs_fallback(settings: Settings, folder: Path, given: dict) -> Settings:
    """The documents are in `data/docs`, or in `docs` where there is no `data/docs`
    (the folder `kg init` makes), unless kg.toml names the folder."""
    if "docs_dir" in given or (folder / "data" / "docs").is_dir() or \
            not (folder / "docs").is_dir():
        return settings
    docs = Path("docs") if folder == Path(".") else folder / "docs"
    return replace(settings, docs_dir=docs)
