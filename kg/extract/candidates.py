"""Candidates for the learned extractor: what the hand-written finders propose.

A :class:`Reading` is one document read by the rule layer: its parsed lines,
the finders' entity candidates grouped into document-level entities (one group
per mention key), the rule claims, and the clause units the relation rules
read. Nothing here decides: the learned model (kg.extract.learned) picks each
name's span among its shorter forms, accepts or refuses the proposals made
below, and scores each candidate pair; the finders and the rules that fired
are among its features.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from kg.authority import fold
from kg.extract.lexicon import PROJECT_MARKERS, ROLE_CUES
from kg.extract.mentions import Cand, MentionFinder
from kg.extract.morphology import head_nominative
from kg.extract.nlp import Line, Tok
from kg.extract.relations import RawClaim, RelationReader, Unit
from kg.extract.rules import _short_forms, mention_key
from kg.extract.spans import SpanIndex
from kg.model import Document, EntityType, Relation, Span

#: how many leading words a project name may lose (`Alajoen kunnan Kylätalo kuntoon`)
MAX_DROPPED_WORDS = 12


@dataclass
class Group:
    """The mentions of one entity in one document (one mention key)."""

    key: str
    type: EntityType
    cands: list[Cand] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The longest name among the mentions' names (a full form over an acronym)."""
        return max((c.name for c in self.cands), key=lambda n: (len(n), n))

    @property
    def names(self) -> list[str]:
        out: dict[str, str] = {}
        for c in self.cands:
            for n in (c.name, *c.aliases):
                if n:
                    out.setdefault(fold(n), n)
        return list(out.values())


@dataclass
class Reading:
    """One document as the rule layer reads it."""

    document: Document
    lines: list[Line]
    cands: list[Cand]
    groups: dict[str, Group]
    claims: list[RawClaim]
    units: list[Unit]
    reader: RelationReader
    key_of: dict[int, str]  # id(cand) -> its group key


def name_variants(c: Cand, line: Line) -> list[tuple[int, str]]:
    """A project candidate's family of shorter names: the words from the k-th on
    (k leading words dropped), as (k, name). The finders sometimes take in the
    owner's genitive or a decision's preamble (`Alajoen kunnan X`,
    `… avustuksen myöntäminen X`); which k is the name is the model's choice."""
    words = c.name.split(" ")
    out = [(0, c.name)]
    for k in range(1, min(len(words), MAX_DROPPED_WORDS + 1)):
        rest = " ".join(words[k:])
        if rest[:1].isalnum() and len(rest) >= 3:
            out.append((k, rest))
    return out


def tokens_of(c: Cand, line: Line) -> list[Tok]:
    return [t for t in line.toks if t.start >= c.start and t.end <= c.end]


def with_name(c: Cand, name: str, dropped: int, line: Line) -> Cand:
    """The candidate renamed to its variant that dropped ``dropped`` leading words."""
    if dropped == 0:
        return c
    toks = tokens_of(c, line)
    start = c.start
    # the variant starts at the first token of its first word (best effort: the
    # name's words and the tokens line up except around punctuation)
    first = name.split(" ")[0]
    for t in toks:
        if t.text == first or first.startswith(t.text):
            start = t.start
            break
    # an alias that is the old name with its marker (`Helkan CADDIES-projekti`) follows
    # the name (`CADDIES-projekti`); others (an acronym beside the whole) are dropped
    aliases = [name + a[len(c.name):] for a in c.aliases
               if fold(a[:len(c.name)]) == fold(c.name) and len(a) > len(c.name)]
    return dataclasses.replace(c, name=name, start=start, aliases=aliases,
                               rule=c.rule + ".shortened")


def title_places(finder: MentionFinder, cands: list[Cand], lines: list[Line]) -> list[RawClaim]:
    """A place in a project's own title is a mention of the place and the project's
    target area (the gold format's convention: `Kanta-Hämeen luontokohteet
    saavutettaviksi` works in Kanta-Häme). The finders drop places nested in names;
    this puts those of project names back, with the claim."""
    out = []
    for c in cands:
        if c.type is not EntityType.PROJECT:
            continue
        line = lines[c.line]
        toks = tokens_of(c, line)
        for t in toks:
            if not (t.text[:1].isupper() and t.text[:1].isalpha()):
                continue
            if t.text.isupper() and not c.name.isupper():
                continue  # an acronym or a Roman numeral (`osa II`), not the municipality Ii
            record = finder._place_record(t.text)
            if record is None:
                continue
            place = Cand(t.start, t.end, c.line, record.type, record.name, "place.in_title",
                         0.8, record)
            out.append(RawClaim(Relation.TARGET_AREA, c, place, None,
                                Span(line.start, line.end, line.text), "area.title", 0.8))
    return out


def read(finder: MentionFinder, document: Document, lines: list[Line],
         choose_name=None, propose=None) -> Reading:
    """Run the finders and the relation rules on one document's parsed lines.

    ``choose_name(cand, variants, lines, text)`` returns the index of the
    variant to keep for each project candidate (default: the finder's own);
    ``propose(lines, text, cands)`` returns more candidates (already decided)
    that the relation rules read beside the finders' own.
    """
    text = document.text
    cands = finder.find(lines, text)
    if choose_name is not None:
        renamed = []
        for c in cands:
            if c.type is EntityType.PROJECT:
                variants = name_variants(c, lines[c.line])
                k = choose_name(c, variants, lines, text)
                dropped, name = variants[k]
                c = with_name(c, name, dropped, lines[c.line])
            renamed.append(c)
        cands = renamed
    found, proposed = cands, []
    if propose is not None:
        proposed = propose(lines, text, cands)
        cands = sorted(cands + proposed, key=lambda c: (c.start, c.end))
    reader = RelationReader(text, lines, cands)
    claims = reader.read() + title_places(finder, cands, lines)
    if any(c.type is EntityType.PROJECT for c in proposed):
        # an accepted project can take the document's focus from the project the finders
        # read (a heading naming a related project), and the rules then link nothing to
        # either: the rules also read the finders' candidates alone, so proposals add
        # facts and never take one away
        have = {_claim_key(r) for r in claims}
        claims += [r for r in RelationReader(text, lines, found).read()
                   if _claim_key(r) not in have]
    short_forms = _short_forms(cands)
    groups: dict[str, Group] = {}
    key_of: dict[int, str] = {}
    for c in cands:
        key = mention_key(c, short_forms)
        key_of[id(c)] = key
        groups.setdefault(key, Group(key, c.type)).cands.append(c)
    for r in claims:  # claims may name candidates the reader made (acting organisations)
        for c in (r.subject, r.object):
            if c is not None and id(c) not in key_of:
                key = mention_key(c, short_forms)
                key_of[id(c)] = key
                groups.setdefault(key, Group(key, c.type)).cands.append(c)
    return Reading(document, lines, cands, groups, claims, reader.units, reader, key_of)


def _claim_key(r: RawClaim) -> tuple:
    return (r.relation, id(r.subject), id(r.object) if r.object is not None else None,
            r.value)


# ---------------------------------------------------------------------- new project candidates
#
# The finders read a project name only where its start is certain. These
# generators propose more, broadly: the words before a project word (`… -hanke`,
# `…-koulutushankkeelle`), a list item's first field, a short heading line. Each
# proposal is the longest span; name_variants gives its family of shorter ones,
# the ``variant`` head picks one and the ``project`` head decides whether it is
# a project at all.

_MARKER = re.compile(r"(?:(?<=[\w!?)”\"])|\s)[-–]\s?(\w*(?:hank|projekt|pilot|selvity|kokeilu|"
                     r"ohjelm|verkost|konsept|tutkimu|investoin)\w*)", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[•*·▪◦‣\-–]|\d{1,3}[.)]|[a-z][.)])\s+")
_FIELD_END = re.compile(r"\s*(?:,\s|\s\(|:\s|;|\s/\s|\.\s|\.$)")
#: a list's code before a name (`KS1088`, `A12`, `2023-004`)
_CODE = re.compile(r"(?=\S*\d)[A-ZÅÄÖ0-9][\w/-]*")
#: at most this many words in a proposed name
MAX_NAME_WORDS = 14
_CLAUSE_BREAK = frozenset({".", ":", ";", "(", ")", "[", "]", "•", "|", "?"})


def _taken(cands) -> SpanIndex:
    index: SpanIndex = SpanIndex()
    for c in cands:
        index.add(c.start, c.end, (c.start, c.end))
    return index


def project_proposals(lines: list[Line], text: str, existing: list[Cand]) -> list[Cand]:
    """Project name spans the finders did not take, each the longest of its family."""
    taken = _taken(c for c in existing if c.type is EntityType.PROJECT)
    other = _taken(c for c in existing if c.type is not EntityType.PROJECT)
    out: list[Cand] = []

    def add(start: int, end: int, line: Line, rule: str, marker: str = "") -> None:
        name = text[start:end].strip(" -–,")
        if len(name) < 3 or not name[:1].isalnum() or taken.any(start, end):
            return
        if other.any(start, end, lambda span: span[0] <= start and end <= span[1]):
            return  # all inside an organisation's or a place's name
        taken.add(start, end, (start, end))
        out.append(Cand(start, start + len(name), line.number, EntityType.PROJECT,
                        name[:1].upper() + name[1:], rule, 0.5,
                        aliases=[name + marker] if marker else []))

    for line in lines:
        bullet = _BULLET.match(line.text)
        # a list item's number or bullet is never part of the name before a marker
        name_from = line.start + (bullet.end() if bullet else 0)
        for m in _MARKER.finditer(line.text):
            marker_at = line.start + m.start()
            glued = not m.group(0)[0].isspace()
            holder = next((t for t in line.toks if t.start <= marker_at < t.end), None)
            if glued and holder is not None and holder.start < marker_at:
                end = marker_at  # `Kylävoimaa-koulutushanke`: the name ends inside the token
                before = [t for t in line.toks if t.i < holder.i]
                start = holder.start
            else:
                before = [t for t in line.toks if t.end <= marker_at]
                if not before:
                    continue
                end = before[-1].end
                start = before[-1].start
                before = before[:-1]
            words = 1
            for t in reversed(before):
                if t.text in _CLAUSE_BREAK or words >= MAX_NAME_WORDS or t.start < name_from or \
                        (t.sent != (holder.sent if holder else t.sent)):
                    break
                start = t.start
                if not t.is_punct:
                    words += 1
            # the name as the text writes it with its marker (`Myrsky-hanke`) is a name too,
            # as the finders' marker projects carry it
            marker = head_nominative(m.group(1).lower(), lambda b: b in PROJECT_MARKERS)
            separator = text[end:line.start + m.start(1)]  # `-`, ` -`, ` –` as written
            add(start, end, line, "proposal.marker",
                separator + marker if marker.endswith(PROJECT_MARKERS) else "")
        # a line's shape sets a name apart more narrowly than the list-item and heading
        # rules below, which would take the whole field or line
        for start, end, rule in _segments(line, name_from, other):
            add(start, end, line, rule)
        if bullet:
            rest = line.text[bullet.end():]
            cut = _FIELD_END.search(rest)
            field = rest[:cut.start()] if cut else rest
            if 1 <= len(field.split()) <= MAX_NAME_WORDS:
                s = line.start + bullet.end()
                add(s, s + len(field), line, "proposal.list_item")
        elif 1 <= len(line.text.split()) <= 10 and not line.text.rstrip().endswith((".", ":")) \
                and line.text[:1].isupper() and line.number + 1 < len(lines):
            add(line.start, line.end, line, "proposal.heading")
    return out


def _is_cue(tok: Tok, stems: tuple[str, ...]) -> bool:
    return tok.lower.startswith(stems)


_ROLE_STEMS = tuple(s for stems in ROLE_CUES.values() for s in stems)
_NAME_STOP = frozenset({",", ".", ";", ":", "(", ")", "[", "]", "|", "?", "!", "/", "•"})


def _field_end(toks, stop=lambda _u: False) -> int | None:
    """Where the name that starts at ``toks[0]`` ends: before a clause break or a
    ``stop`` word, after at most MAX_NAME_WORDS tokens (None: it ends at once)."""
    end = None
    for words, u in enumerate(toks):
        if u.text in _NAME_STOP or stop(u) or words >= MAX_NAME_WORDS:
            break
        end = u.end
    return end


def _segments(line: Line, name_from: int, actors: SpanIndex):
    """Name spans that a line's shape sets apart, where no marker follows the name
    (the words after a project word, `hanke X saa …`, were tried too: they lowered the
    cross-validated facts F1 from 0.361 to 0.355):

    - a line's first field (after a list number or a code such as `KS1088`) when
      the line names a role further on (`X päähakija Y`, `X, toteuttajana Y`);
    - the field after `ACTOR:` (`Oulun yliopisto: X (ESR+)`)."""
    toks = line.toks
    starts = [t for t in toks if t.start >= name_from]
    if starts and _CODE.fullmatch(starts[0].text) and len(starts) > 1:
        starts = starts[1:]
    if starts and any(_is_cue(t, _ROLE_STEMS) for t in starts[1:]):
        end = _field_end(starts, lambda u: _is_cue(u, _ROLE_STEMS))
        if end is not None and starts[0].text[:1].isalnum():
            yield starts[0].start, end, "proposal.role_line"
    for k, t in enumerate(toks[:-1]):
        if t.text != ":" or not actors.any(line.start, t.start):
            continue
        rest = toks[k + 1:]
        end = _field_end(rest)
        if end is not None and rest[0].text[:1].isupper():
            yield rest[0].start, end, "proposal.actor_field"
        break


def place_proposals(lines: list[Line], existing: list[Cand]) -> list[Cand]:
    """Places the finders did not take: any capitalised word Voikko knows as a place
    name (a country, a sea, `Pohjois-Suomi`), and `<genitive> seutu` areas
    (`Alajoen seudulla`). The ``place`` head decides which are mentions."""
    from kg.extract.mentions import _place_nominative
    from kg.extract.morphology import word_classes

    taken = _taken(existing)
    out: list[Cand] = []
    for line in lines:
        toks = line.toks
        for t in toks:
            if not (t.text[:1].isupper() and t.text[:1].isalpha()) or \
                    taken.any(t.start, t.end):
                continue
            nxt = toks[t.i + 1] if t.i + 1 < len(toks) else None
            if nxt is not None and nxt.lower.startswith(("seudu", "seutu", "seutukun")):
                base = "seutukunta" if nxt.lower.startswith("seutukun") else "seutu"
                name = f"{t.text} {base}"
                out.append(Cand(t.start, nxt.end, line.number, EntityType.REGION, name,
                                "proposal.subregion", 0.5))
                taken.add(t.start, nxt.end, (t.start, nxt.end))
                continue
            if "paikannimi" in word_classes(t.text):
                out.append(Cand(t.start, t.end, line.number, EntityType.REGION,
                                _place_nominative(t.text), "proposal.place", 0.5))
                taken.add(t.start, t.end, (t.start, t.end))
    return out


#: head words of funding instruments' names (`… kehittämisohjelma`, `… -rahasto`,
#: `maakunnan kehittämisraha`): a general lexicon of Finnish funding vocabulary
FUNDING_NAME_HEADS = ("ohjelma", "rahasto", "raha", "rahoitus", "tuki", "avustus",
                      "apuraha", "määräraha", "instrumentti")


def funding_proposals(finder: MentionFinder, lines: list[Line], text: str,
                      existing: list[Cand]) -> list[Cand]:
    """Funding instruments the finders did not take: a word whose base form ends in a
    funding head word, with up to seven words before it (the ``funding_variant``
    head picks how many, the ``funding`` head whether it is a name at all)."""
    taken = _taken(existing)
    out: list[Cand] = []
    for line in lines:
        toks = line.toks
        for j, t in enumerate(toks):
            if not t.text[:1].isalpha() or taken.any(t.start, t.end):
                continue
            base = finder.nominative(t.text)
            if not base.lower().endswith(FUNDING_NAME_HEADS):
                continue
            start = t.start
            for i in range(j - 1, max(-1, j - 8), -1):
                if (toks[i].is_punct and toks[i].text not in "-–") or \
                        taken.any(toks[i].start, toks[i].end):
                    break
                start = toks[i].start
            name = text[start:t.start] + base
            if not name[:1].isalnum():
                continue
            out.append(Cand(start, t.end, line.number, EntityType.FUNDING, name,
                            "proposal.funding", 0.5))
            taken.add(start, t.end, (start, t.end))
    return out
