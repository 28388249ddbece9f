"""`kg query`: one SPARQL query, any form, over the built dataset or an endpoint.

SELECT and ASK answer as a table for a person, or as CSV, TSV, SPARQL JSON or
SPARQL XML for a program (pyoxigraph's own result serialisers, so types,
datatypes and languages survive); CONSTRUCT and DESCRIBE answer as Turtle,
N-Triples or JSON-LD. Queries may use the ontology's and the dataset's prefixes
without PREFIX lines, the same list `kg serve` pre-declares
(:func:`kg.serve.dataset.known_prefixes`), and tables shorten IRIs with it.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from pathlib import Path

# --format names (those of `kg export` for graphs), by the kind of answer
RESULT_FORMATS = ("table", "csv", "tsv", "json", "xml")
GRAPH_FORMATS = ("ttl", "nt", "jsonld")
FORMATS = RESULT_FORMATS + GRAPH_FORMATS
SEPARATOR = " | "
MIN_COLUMN = 6  # the narrowest a column is cut to, "…" included


class QueryError(ValueError):
    """A query that cannot be answered, with a one-line message for the person."""


def prefixes(data: str | Path, ontology: Path | None = None) -> dict[str, str]:
    """The prefixes a query may use undeclared: exactly those `kg serve` pre-declares."""
    from kg.serve.dataset import known_prefixes

    if ontology is None:
        from kg.settings import Settings

        ontology = Settings().ontology_dir / "hankegraph.ttl"
    return known_prefixes(data, ontology)


# (patterns, not compiled: they serve error messages, and compiling costs start-up)
_POSITION = r"error at (\d+):(\d+)(?:-\d+:\d+)?:\s*(.*)"
# one alternative in "expected one of …": a quoted token, a character class, or words
_OPTION = r'"(?:[^"\\]|\\.)*"|\[(?:[^\]\\]|\\.)*\]|[^,\s][^,]*'
_PREFIXED_TAIL = r"([A-Za-z][\w.-]*)?:[\w.-]*$"
_PLAIN_LOCAL = r"[\w-]([\w.-]*[\w-])?"


def syntax_message(error: SyntaxError, query: str, known: Iterable[str] = ()) -> str:
    """pyoxigraph's parse error as one line: 'line L, column C: what was wrong'."""
    text = str(error)
    m = re.match(_POSITION, text, re.S)
    if not m:
        return " ".join(text.split())
    line, column, detail = int(m.group(1)), int(m.group(2)), m.group(3)
    where = f"line {line}, column {column}"
    lines = query.splitlines()
    if "Prefix not found" in detail:
        before = lines[line - 1][: column - 1] if 0 < line <= len(lines) else ""
        name = re.search(_PREFIXED_TAIL, before.rstrip())
        prefix = f"{name.group(1) or ''}:" if name else "a prefix"
        names = ", ".join(sorted(known)) or "none"
        return (f"{where}: unknown prefix {prefix} (declare it with a PREFIX line; "
                f"known without one: {names})")
    if "IRI parsing failed" in detail:
        return f"{where}: not a valid IRI"
    # "expected one of A, B, ['a' ..= 'z' | …]": keep the words, drop character classes
    detail = " ".join(detail.split())
    if detail.startswith("expected one of "):
        options = [o.strip() for o in re.findall(_OPTION, detail[16:])]
        options = [o for o in options if o and not o.startswith("[")]
        if len(options) > 8:
            options = options[:8] + ["…"]
        detail = "expected " + (", ".join(options) if options else "something else")
    rest = lines[line - 1][column - 1:].strip() if 0 < line <= len(lines) else ""
    near = f', at "{rest[:20]}{"…" if len(rest) > 20 else ""}"' if rest else ""
    return f"{where}: {detail}{near}"


def run(store, query: str, known: dict[str, str]):
    """The query's answer from a pyoxigraph store (QuerySolutions, QueryBoolean or
    QueryTriples); QueryError for a bad query."""
    try:
        return store.query(query, prefixes=known or None)
    except SyntaxError as e:
        raise QueryError(syntax_message(e, query, known)) from e
    except (OSError, ValueError) as e:  # evaluation errors (SERVICE, …)
        raise QueryError("query failed: " + " ".join(str(e).split())) from e


def is_graph(result) -> bool:
    import pyoxigraph as ox

    return isinstance(result, ox.QueryTriples | list)


def default_format(result) -> str:
    return "ttl" if is_graph(result) else "table"


def render(result, fmt: str, known: dict[str, str], width: int = 0, wrap: bool = False) -> bytes:
    """The answer in format `fmt` (one of FORMATS), as bytes ending with a newline."""
    import pyoxigraph as ox

    graph = is_graph(result)
    if graph and fmt not in GRAPH_FORMATS:
        raise QueryError(f"a CONSTRUCT or DESCRIBE query answers with triples: use --format "
                         f"{', '.join(GRAPH_FORMATS)} (not {fmt})")
    if not graph and fmt not in RESULT_FORMATS:
        raise QueryError(f"a SELECT or ASK query answers with a table: use --format "
                         f"{', '.join(RESULT_FORMATS)} (not {fmt})")
    if fmt == "table":
        return (table(result, known, width, wrap) + "\n").encode()
    if graph:
        rdf = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
               "jsonld": ox.RdfFormat.JSON_LD}[fmt]
        body = ox.serialize(list(result), format=rdf,
                            prefixes=known if fmt == "ttl" else None)
    else:
        body = result.serialize(format={
            "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
            "json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}[fmt])
    return body if body.endswith(b"\n") or not body else body + b"\n"


def shorten(iri: str, known: dict[str, str]) -> str:
    """`hg:Project` for an IRI under a known namespace whose rest is a plain local
    name; the IRI itself otherwise."""
    best = ""
    for name, ns in known.items():
        if ns and iri.startswith(ns) and len(ns) > len(known.get(best, "")):
            local = iri[len(ns):]
            if re.fullmatch(_PLAIN_LOCAL, local):
                best = name
    return f"{best}:{iri[len(known[best]):]}" if best else iri


def cell(term, known: dict[str, str]) -> str:
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten(term.value, known)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)  # a quoted triple


def table(result, known: dict[str, str], width: int = 0, wrap: bool = False) -> str:
    """A SELECT or ASK answer as a text table; with `width` > 0 no line is wider:
    the widest columns are narrowed first, their cells cut with "…" (or wrapped
    onto more lines with `wrap`)."""
    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        header, rows = ["ASK"], [["true" if bool(result) else "false"]]
    else:
        header = [v.value for v in result.variables]
        rows = [[cell(sol[v], known) for v in header] for sol in result]
    return format_rows(header, rows, width, wrap)


def column_widths(natural: list[int], width: int) -> list[int]:
    """Each column's width so that the row (with separators) fits in `width`: the
    largest cap that all columns share (water-filling), never below MIN_COLUMN."""
    if width <= 0 or not natural:
        return natural
    room = width - len(SEPARATOR) * (len(natural) - 1)

    def total(cap: int) -> int:
        return sum(min(w, cap) for w in natural)

    if total(max(natural)) <= room:
        return natural
    lo, hi = MIN_COLUMN, max(natural)
    while lo < hi:  # the largest cap whose total fits
        mid = (lo + hi + 1) // 2
        if total(mid) <= room:
            lo = mid
        else:
            hi = mid - 1
    cap = lo
    widths = [min(w, cap) for w in natural]
    # what the cap leaves over goes to the capped columns, left first
    spare = room - sum(widths)
    for i, w in enumerate(natural):
        if spare <= 0:
            break
        if w > widths[i]:
            extra = min(spare, w - widths[i])
            widths[i] += extra
            spare -= extra
    return widths


def _fit(text: str, width: int, wrap: bool) -> list[str]:
    text = " ".join(text.split()) if len(text) > width or "\n" in text else text
    if len(text) <= width:
        return [text]
    if wrap:
        return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]
    return [text[: width - 1] + "…"]


def format_rows(header: list[str], rows: list[list[str]], width: int = 0,
                wrap: bool = False) -> str:
    if not header:  # SELECT * over no variables: only how many solutions
        return f"({len(rows)} row{'' if len(rows) == 1 else 's'})"
    cells = [header] + rows
    natural = [max(len(r[i]) for r in cells) for i in range(len(header))]
    widths = column_widths(natural, width)
    lines = []
    for n, row in enumerate(cells):
        pieces = [_fit(c, w, wrap) for c, w in zip(row, widths, strict=True)]
        for k in range(max(len(p) for p in pieces)):
            parts = [(p[k] if k < len(p) else "").ljust(w)
                     for p, w in zip(pieces, widths, strict=True)]
            lines.append(SEPARATOR.join(parts).rstrip())
        if n == 0:
            lines.append("-+-".join("-" * w for w in widths))
    lines.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(lines)
