"""Human curation that survives rebuilds: ``data/curation.yaml``.

A researcher's corrections are kept in the repository and applied by every build,
after the automatic resolution and before the graph is written. The file is a YAML
list; each entry has one action:

``merge: [A, B, …]``
    B, … become A (A keeps its IRI).
``split: A`` with ``documents: [DOC_ID, …]`` and/or ``names: [NAME, …]``
    the mentions of A in those documents, or written with those names, become an
    entity of their own (``name:`` gives its name; by default their most written one).
``rename: A`` with ``name: NEW``
    A's label (its IRI stays, so that links to it hold).
``set_type: A`` with ``type: Organisation|Municipality|Region|Project|Funding|Person``
    A's type; its IRI moves to the type's path (``organisation/…`` → ``funding/…``).
``reject:`` with ``subject:``, ``relation:`` and ``object:`` (or ``value:``), or with
``document:`` and ``sentence:`` (text the evidence sentence contains; ``relation:``
optional)
    the fact is left out.

An entity is named by its IRI (``organisation/beta-palvelut`` or the full IRI) or by a
name it has (its label or any name a document gives it); a name that fits several
entities is reported, never guessed. ``note:`` may follow any entry. Every entry
is reported: what it changed, or that it matched nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.authority import fold, slug
from kg.model import EntityType, Fact, Relation
from kg.resolve.groups import Group, Local

ACTIONS = {
    "merge": {"note"},
    "split": {"documents", "names", "name", "note"},
    "rename": {"name", "note"},
    "set_type": {"type", "note"},
    "reject": {"note"},
}
_REJECT_FIELDS = {"subject", "relation", "object", "value", "document", "sentence"}
_IRI_KEY = re.compile(
    r"(organisation|municipality|region|subregion|project|funding|person)/[^/#]+$")


class CurationError(ValueError):
    """The curation file cannot be read: which file, which line, what is wrong."""


@dataclass(frozen=True)
class Entry:
    source: str  # "data/curation.yaml:12"
    action: str
    target: object  # the action's value: an entity, a list of entities, or a mapping
    options: dict = field(default_factory=dict)

    def describe(self) -> str:
        return f"{self.source} {self.action} {_short(self.target)}"


def _short(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    return str(value)


def load_curation(path: Path | None) -> tuple[Entry, ...]:
    """The entries of the curation file, in order; none when there is no file."""
    import yaml

    if path is None or not Path(path).exists():
        return ()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text)
        if _expanded_size(root) > MAX_NODES:
            raise CurationError(
                f"{path}: its YAML aliases (*name) expand to more than {MAX_NODES} values "
                "(an alias bomb?): write the entries out without aliases")
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as e:
        raise CurationError(f"{path}: cannot read the curation file ({e})") from e
    except yaml.YAMLError as e:
        raise CurationError(f"{path}: not valid YAML: {e}") from e
    if data is None:
        return ()
    if not isinstance(data, list):
        raise CurationError(f"{path}: the curation file must be a YAML list of entries "
                            "(`- merge: [...]`), see its header")
    entries = []
    for node, item in zip(root.value, data, strict=True):
        where = f"{_display(path)}:{node.start_mark.line + 1}"
        entries.append(_entry(where, item))
    return tuple(entries)


#: the most values the curation file may hold once its aliases are expanded: a
#: 1 KB file of nested aliases (a "billion laughs") expands to billions
MAX_NODES = 100_000


def _expanded_size(root) -> int:
    """How many nodes the YAML node graph `root` has with every alias expanded,
    counted without expanding (each node's size once, memoised) and without
    recursion; past MAX_NODES (or for a node that contains itself) MAX_NODES + 1."""
    import yaml

    if root is None:
        return 0
    too_many = MAX_NODES + 1
    size: dict[int, int] = {}
    path: set[int] = set()  # the nodes being counted: their ancestors' chain
    stack = [(root, False)]
    while stack:
        node, children_counted = stack.pop()
        if id(node) in size:
            continue
        if isinstance(node, yaml.ScalarNode):
            size[id(node)] = 1
            continue
        children = ([c for pair in node.value for c in pair]
                    if isinstance(node, yaml.MappingNode) else list(node.value))
        if children_counted:
            path.discard(id(node))
            size[id(node)] = min(too_many, 1 + sum(size[id(c)] for c in children))
            continue
        if any(id(c) in path or c is node for c in children):
            return too_many  # an alias inside its own anchor: endless
        path.add(id(node))
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in size)
    return size[id(root)]


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _entry(where: str, item) -> Entry:
    if not isinstance(item, dict):
        raise CurationError(f"{where}: an entry must be a mapping such as `- rename: X` "
                            f"with `name: Y`, not {item!r}")
    actions = [k for k in item if k in ACTIONS]
    if len(actions) != 1:
        raise CurationError(f"{where}: an entry needs exactly one of "
                            f"{', '.join(ACTIONS)}; it has {', '.join(map(str, item)) or 'none'}")
    action = actions[0]
    options = {k: v for k, v in item.items() if k != action}
    unknown = set(options) - ACTIONS[action]
    if unknown:
        raise CurationError(f"{where}: {action} does not take {', '.join(sorted(unknown))}")
    target = item[action]
    if action == "merge" and not (isinstance(target, list) and len(target) >= 2):
        raise CurationError(f"{where}: merge needs a list of at least two entities")
    if action in ("split", "rename", "set_type") and not isinstance(target, str):
        raise CurationError(f"{where}: {action} needs one entity (an IRI or a name)")
    if action == "split" and not (options.get("documents") or options.get("names")):
        raise CurationError(f"{where}: split needs `documents:` or `names:`")
    if action == "rename" and not isinstance(options.get("name"), str):
        raise CurationError(f"{where}: rename needs `name:` (the new name)")
    if action == "set_type" and options.get("type") not in {t.value for t in EntityType}:
        raise CurationError(f"{where}: set_type needs `type:` one of "
                            f"{', '.join(t.value for t in EntityType)}")
    if action == "reject":
        if not isinstance(target, dict) or set(target) - _REJECT_FIELDS:
            raise CurationError(f"{where}: reject takes a mapping of "
                                f"{', '.join(sorted(_REJECT_FIELDS))}")
        by_triple = {"subject", "relation"} <= set(target) and ({"object", "value"} & set(target))
        by_sentence = {"document", "sentence"} <= set(target)
        if not (by_triple or by_sentence):
            raise CurationError(f"{where}: reject needs subject, relation and object (or "
                                "value), or document and sentence")
        if "relation" in target and target["relation"] not in {r.value for r in Relation}:
            raise CurationError(f"{where}: unknown relation {target['relation']!r}; one of "
                                f"{', '.join(r.value for r in Relation)}")
    for key in ("documents", "names"):
        if key in options and not isinstance(options[key], list):
            options[key] = [options[key]]
    return Entry(where, action, target, options)


@dataclass
class Outcome:
    """What the curation did: one report line per entry, and the fact rejections."""

    lines: list[str] = field(default_factory=list)
    rejects: list[Entry] = field(default_factory=list)
    rejected: dict[str, int] = field(default_factory=dict)  # entry source → facts left out


def find(ref, groups: dict[str, Group]) -> tuple[Group | None, str]:
    """The one group an entity reference means, or None and why not."""
    ref = str(ref).strip()
    m = _IRI_KEY.search(ref)
    if m and m.group(0) in groups:
        return groups[m.group(0)], ""
    want = fold(ref)
    hits = sorted((g for g in groups.values() if want in {fold(n) for n in g.names()}),
                  key=lambda g: g.iri_key)
    if len(hits) == 1:
        return hits[0], ""
    if hits:
        return None, f"'{ref}' names several entities ({', '.join(g.iri_key for g in hits)})"
    return None, f"no entity is '{ref}'"


def apply_entities(entries: tuple[Entry, ...], groups: dict[str, Group], kind: dict,
                   best_name) -> Outcome:
    """Apply merge, split, rename and set_type to the groups (in place), in file order;
    reject entries are kept for the facts."""
    out = Outcome()
    for e in entries:
        if e.action == "reject":
            out.rejects.append(e)
            continue
        did = {"merge": _merge, "split": _split, "rename": _rename,
               "set_type": _set_type}[e.action](e, groups, kind, best_name)
        out.lines.append(did)
    return out


def _mark(loc: Local, e: Entry) -> None:
    loc.curated.append(e.describe())


def _merge(e: Entry, groups, kind, best_name) -> str:
    found = [find(ref, groups) for ref in e.target]
    missing = [why for g, why in found if g is None]
    if missing:
        return f"no match: {e.describe()}: {'; '.join(missing)}"
    into = found[0][0]
    others = [g for g, _ in found[1:] if g is not into]
    if not others:
        return f"no match: {e.describe()}: already one entity ({into.iri_key})"
    for g in others:
        if g.iri_key not in groups:
            continue
        for loc in g.locals:
            _mark(loc, e)
        into.locals.extend(g.locals)
        del groups[g.iri_key]
    into.curated.append(e.describe())
    return (f"applied: {e.describe()}: {', '.join(g.iri_key for g in others)} "
            f"merged into {into.iri_key}")


def _split(e: Entry, groups, kind, best_name) -> str:
    g, why = find(e.target, groups)
    if g is None:
        return f"no match: {e.describe()}: {why}"
    docs = {str(d) for d in e.options.get("documents") or []}
    names = {fold(str(n)) for n in e.options.get("names") or []}
    moved = [loc for loc in g.locals
             if loc.doc_id in docs or names & {fold(n) for n in loc.names}]
    if not moved:
        return f"no match: {e.describe()}: {g.iri_key} has no mentions in those documents or names"
    if len(moved) == len(g.locals):
        return f"no match: {e.describe()}: that would move every mention of {g.iri_key}"
    from collections import Counter

    written: Counter = Counter()
    for loc in moved:
        written.update(loc.primary or loc.names)
    name = str(e.options.get("name") or best_name(written))
    iri = f"{kind[g.type]}/{slug(name)}"
    if iri in groups:
        iri = f"{iri}-{slug(sorted(loc.doc_id for loc in moved)[0])}"
    if iri in groups:
        return f"no match: {e.describe()}: {iri} exists already; give the new entity a `name:`"
    g.locals = [loc for loc in g.locals if loc not in moved]
    for loc in moved:
        _mark(loc, e)
    new = Group(iri, g.type, moved, None, name if e.options.get("name") else None,
                [e.describe()])
    groups[iri] = new
    g.curated.append(e.describe())
    return f"applied: {e.describe()}: {len(moved)} of its document entities became {iri}"


def _rename(e: Entry, groups, kind, best_name) -> str:
    g, why = find(e.target, groups)
    if g is None:
        return f"no match: {e.describe()}: {why}"
    g.name = str(e.options["name"])
    g.curated.append(f"{e.describe()} → {g.name}")
    return f"applied: {e.describe()}: {g.iri_key} is now called '{g.name}'"


def _set_type(e: Entry, groups, kind, best_name) -> str:
    g, why = find(e.target, groups)
    if g is None:
        return f"no match: {e.describe()}: {why}"
    new_type = EntityType(e.options["type"])
    if new_type is g.type:
        return f"no match: {e.describe()}: {g.iri_key} is a {new_type.value} already"
    iri = f"{kind[new_type]}/{g.iri_key.split('/', 1)[1]}"
    if iri in groups:
        return f"no match: {e.describe()}: {iri} exists already (merge them instead)"
    del groups[g.iri_key]
    old = g.iri_key
    g.iri_key, g.type = iri, new_type
    groups[iri] = g
    for loc in g.locals:
        _mark(loc, e)
    g.curated.append(f"{e.describe()} → {new_type.value}")
    return f"applied: {e.describe()}: {old} is now the {new_type.value} {iri}"


def rejects(fact: Fact, entry: Entry, groups: dict[str, Group]) -> bool:
    """Whether a reject entry matches the fact (after the entity curation)."""
    t = entry.target
    if "relation" in t and fact.relation.value != t["relation"]:
        return False
    if "document" in t and fact.doc_id != str(t["document"]):
        return False
    if "sentence" in t and fold(str(t["sentence"])) not in fold(fact.span.sentence):
        return False
    if "subject" in t:
        g, _ = find(t["subject"], groups)
        if g is None or g.iri_key != fact.subject:
            return False
    if "object" in t:
        g, _ = find(t["object"], groups)
        if g is None or g.iri_key != fact.object:
            return False
    if "value" in t:
        try:
            same = float(t["value"]) == float(fact.value)
        except (TypeError, ValueError):
            same = str(t["value"]) == str(fact.value)
        if not same:
            return False
    return True


def report_rejects(out: Outcome) -> None:
    for e in out.rejects:
        n = out.rejected.get(e.source, 0)
        if n:
            out.lines.append(f"applied: {e.describe()}: {n} fact{'s' if n > 1 else ''} left out")
        else:
            out.lines.append(f"no match: {e.describe()}: no fact fits it")
