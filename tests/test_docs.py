"""The documentation a newcomer walks: README.md (the tour) and docs/ (the
reference). Its links lead somewhere, every command line option is described,
and what the tour shows a command printing is what the command prints."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from kg.settings import REPO_ROOT

PAGES = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
_FENCE = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)
_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def _prose(text: str) -> str:
    """The text without code blocks and code spans, where a `[x](y)` is no link."""
    return _CODE.sub("", _FENCE.sub("", text))


def slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation (and code
    marks) dropped, spaces as hyphens."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    out = set()
    for line in _FENCE.sub("", path.read_text(encoding="utf-8")).splitlines():
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not m:
            continue
        base = slug(m.group(1))
        n = seen.get(base, 0)
        out.add(base if n == 0 else f"{base}-{n}")
        seen[base] = n + 1
    return out


def test_the_slugs_are_githubs():
    assert slug("`kg build`") == "kg-build"
    assert slug("Installing `kg` elsewhere") == "installing-kg-elsewhere"
    assert slug("Publishing: counts, validation and reasoning times (issue 7)") == (
        "publishing-counts-validation-and-reasoning-times-issue-7")


def test_the_reference_is_split_into_pages_linked_from_the_readme():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    linked = {Path(t.split("#")[0]).name for t in _LINK.findall(_prose(readme))
              if t.startswith("docs/") and t.split("#")[0].endswith(".md")}
    pages = {p.name for p in PAGES[1:]}
    assert len(pages) >= 8
    assert pages <= linked, f"docs pages the README does not link: {sorted(pages - linked)}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_every_relative_link_leads_to_a_file_and_heading_that_exist(page):
    problems = []
    links = _LINK.findall(_prose(page.read_text(encoding="utf-8")))
    for target in links:
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto: …
            continue
        file, _, anchor = target.partition("#")
        dest = (page.parent / file).resolve() if file else page
        if not dest.exists():
            problems.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            problems.append(f"{target}: no heading #{anchor} in {dest.name}")
    assert not problems, f"{page.name}: " + "; ".join(problems)
    if page.name == "README.md":
        assert len(links) > 10


def _sections(text: str) -> dict[str, str]:
    """`## heading` → the text under it."""
    parts = re.split(r"^## (.*)$", text, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def _row(text: str, option: str) -> bool:
    """Whether a table row of ``text`` starts with ``option`` (`--out OUT`)."""
    return bool(re.search(rf"^\|\s*`{re.escape(option)}[` ]", text, re.MULTILINE))


def test_every_command_and_option_is_in_the_commands_page():
    """docs/commands.md has a table row for every option of every command, under
    the command's heading (so an option added without its documentation fails
    here)."""
    from kg.cli import parser

    ap = parser()
    sections = _sections((REPO_ROOT / "docs" / "commands.md").read_text(encoding="utf-8"))
    sub = next(a for a in ap._actions if a.__class__.__name__ == "_SubParsersAction")
    missing = []
    for opt in (o for a in ap._actions for o in a.option_strings
                if o.startswith("--") and o != "--help"):
        if not _row(sections.get("Global options", ""), opt):
            missing.append(f"kg {opt}")
    global_options = {o for a in ap._actions for o in a.option_strings}
    for name, cmd in sub.choices.items():
        text = sections.get(f"`kg {name}`")
        if text is None:
            missing.append(f"kg {name} (no section)")
            continue
        for action in cmd._actions:
            for opt in action.option_strings:
                if not opt.startswith("--") or opt in global_options:
                    continue
                if not _row(text, opt):
                    missing.append(f"kg {name} {opt}")
    assert not missing, f"not in docs/commands.md: {missing}"


def _console_block(readme: str, command: str) -> tuple[str, list[str]]:
    """The first console block of the README whose command starts with `command`:
    the command line and the lines it shows printed."""
    for block in re.findall(r"^```console\n(.*?)^```", readme, re.DOTALL | re.MULTILINE):
        first, *rest = block.rstrip("\n").split("\n")
        if first.startswith(f"$ {command}"):
            return first[2:], rest
    raise AssertionError(f"no `$ {command}` block in the README")


def test_the_tours_query_prints_what_the_readme_shows(bundled_build, capsys):
    """The tour's query, run on a build of the bundled documents (which the tour
    copies into its folder), prints the README's table line for line."""
    from kg.cli import main

    out, _ = bundled_build
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    line, shown = _console_block(readme, "kg query")
    args = shlex.split(line)[1:]
    capsys.readouterr()
    assert main([*args, "--data", str(out)]) == 0
    printed = capsys.readouterr().out.rstrip("\n").split("\n")
    assert printed == shown


def test_the_tours_serve_line_counts_the_built_triples(bundled_build):
    """The tour's `kg serve` line shows the built triple count and the store it loads,
    named by the built dataset's digest (kg.serve.dataset)."""
    import hashlib

    out, report = bundled_build
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    _, shown = _console_block(readme, "kg serve")
    line = next(ln for ln in shown if ln.startswith("serving "))
    served = re.search(r"\((\d+) triples", line).group(1)
    built = re.search(r"conforms \((\d+) triples", report.summary()).group(1)
    assert served == built
    digest = hashlib.sha256((out / "hankegraph.trig").read_bytes()).hexdigest()[:32]
    assert f".kgcache/stores/{digest}-" in line
