"""Relations between mentions: roles, funding, money, periods, areas, contacts.

The unit of reading is a *clause unit*: a sentence, or a key line of a
key–value layout joined with its value line (``Rahoittaja`` / ``Erasmus+``).
Within a unit, cue words split it into segments: the actors after a role cue
(or, when none follow, before it) take that role. Coordinated lists
(``A, B, C ja D``) give one claim per member because every mention in the
segment is taken.

Which project a unit speaks of: a project named in it, else the project in
focus (the last one named before, or the page's own project), reached through
anaphora such as ``Hanke``, ``Hankkeen``, ``Projektin``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from kg.authority import fold
from kg.extract import lexicon
from kg.extract.layout import line_key
from kg.extract.mentions import Cand, is_title
from kg.extract.morphology import (
    analyses,
    cases_of,
    head_nominative,
    is_finite_verb,
    is_genitive,
)
from kg.extract.nlp import Line
from kg.extract.spans import SpanIndex
from kg.extract.values import find_money, find_periods, find_shares
from kg.model import EntityType, Relation, Span

ACTOR_TYPES = (EntityType.ORGANISATION, EntityType.MUNICIPALITY)
FUNDER_TYPES = (EntityType.ORGANISATION, EntityType.FUNDING)
PLACE_TYPES = (EntityType.MUNICIPALITY, EntityType.REGION)


@dataclass
class Unit:
    """A sentence or a key + value, with the mentions inside it."""

    start: int
    end: int
    text: str
    lines: tuple[int, ...]
    key: str | None = None  # the layout key group, when the unit is key + value
    mentions: list[Cand] = field(default_factory=list)


@dataclass(frozen=True)
class RawClaim:
    relation: Relation
    subject: Cand
    object: Cand | None
    value: str | float | None
    span: Span
    rule: str
    confidence: float
    amount_eur: float | None = None
    share_percent: float | None = None


def build_units(lines: list[Line], text: str, mentions: list[Cand]) -> list[Unit]:
    """Sentences, except that a key line and its value form one unit: a key alone
    on its line takes the next line as its value; `Key: value` is one line."""
    units: list[Unit] = []
    n = 0
    while n < len(lines):
        line = lines[n]
        key = line_key(line.text)
        if key and key[2] >= len(line.text) and n + 1 < len(lines) \
                and not line_key(lines[n + 1].text):
            # the value lines: the next one, and more when they look like list entries
            # (`Osatoteuttajat` / `Kehitys Alfa Oy, 1234567-1` / `Beta Palvelut Oy, …`)
            last = n + 1
            while last + 1 < len(lines) and last - n < 12 and _entry_line(lines[last + 1].text) \
                    and _entry_line(lines[last].text):
                last += 1
            nxt = lines[last]
            units.append(Unit(line.start, nxt.end, text[line.start:nxt.end],
                              tuple(range(n, last + 1)), key[0]))
            n = last + 1
            continue
        if key and key[2] < len(line.text):
            units.append(Unit(line.start, line.end, line.text, (n,), key[0]))
            n += 1
            continue
        for s in sorted({t.sent for t in line.toks}):
            a, b = line.sentence_bounds(s)
            units.append(Unit(a, b, text[a:b], (n,), None))
        n += 1
    # each unit's mentions, in the mentions' order (an index: a long report has
    # thousands of units and mentions)
    index: SpanIndex = SpanIndex()
    for i, m in enumerate(mentions):
        index.add(m.start, m.end, (i, m))
    for u in units:
        inside = [im for im in index.overlapping(u.start, u.end)
                  if u.start <= im[1].start and im[1].end <= u.end]
        u.mentions = [m for _i, m in sorted(inside, key=lambda im: im[0])]
    return units


def _entry_line(t: str) -> bool:
    """A short line of a list (a name, maybe with an identifier), not a sentence or a key."""
    return (len(t.split()) <= 10 and not t.rstrip().endswith((".", ":")) and t[:1].isupper()
            and not line_key(t))


def _words(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0).lower()) for m in re.finditer(r"[\w+-]+", text)]


@lru_cache(maxsize=65536)
def _cue_role(word: str) -> str | None:
    """The role a cue word signals, "funds" for a funding cue, or None."""
    # the longest matching stem decides: `toteuttivat` (they implemented) is not
    # `toteutti` (it implemented)
    best = max(((len(st), role) for role, stems in lexicon.ROLE_CUES.items()
                for st in stems if word.startswith(st)), default=None)
    if best is not None:
        return best[1]
    return "funds" if word.startswith(lexicon.FUNDING_CUES) else None


def _cue_positions(unit: Unit) -> list[tuple[int, str]]:
    """(offset, role) of every role or funding cue word in the unit, in order."""
    return [(unit.start + s, role) for s, _e, w in _words(unit.text)
            if (role := _cue_role(w)) is not None]


class RelationReader:
    def __init__(self, text: str, lines: list[Line], mentions: list[Cand]):
        self.text = text
        self.lines = lines
        self.mentions = mentions
        self.units = build_units(lines, text, mentions)
        self._projects = [m for m in mentions if m.type is EntityType.PROJECT]
        self.claims: list[RawClaim] = []
        projects = [m for m in mentions if m.type is EntityType.PROJECT]
        self.page_project = _page_project(projects)
        self.only_project = _only_project(projects)
        if self.page_project is None and self.only_project is not None and \
                self.only_project.line < 3:
            # the one project, named in the title or the lead, is what the text is about
            self.page_project = self.only_project

    # ------------------------------------------------------------------ focus
    def project_for(self, unit: Unit, index: int) -> tuple[Cand | None, str]:
        named = [m for m in unit.mentions if m.type is EntityType.PROJECT]
        if named:
            return named[0], "named"
        if self._many_projects(unit):
            return None, "none"  # `… myönnettiin 70 hankkeelle`: not one project's fact
        # the last project named before this unit
        before = [m for m in self._projects if m.end <= unit.start]
        # a paragraph that names one project speaks of it in its later sentences
        # (`X-hankkeelle myönnettiin … . Toteutusaika on …`)
        in_paragraph = {_key(m) for m in before if m.line in unit.lines}
        if len(in_paragraph) == 1 and not unit.key:
            return before[-1], "paragraph"
        # `1. NAME` on its own line, then the paragraph about it
        if before and not unit.key and before[-1].line == unit.lines[0] - 1 and \
                before[-1].rule in ("project.introduced_list", "project.heading") and \
                unit.start == self.lines[unit.lines[0]].start:
            return before[-1], "heading"
        if before and self._anaphora(unit):
            return before[-1], "anaphora"
        if before and unit.key:
            return before[-1], "layout"
        if self.page_project is not None:
            return self.page_project, "page"
        if self.only_project is not None and (self._anaphora(unit) or unit.key):
            return self.only_project, "anaphora"
        return None, "none"

    def _many_projects(self, unit: Unit) -> bool:
        """`kymmenelle eri hankkeelle`, `70 hankkeelle`: a number of projects."""
        low = unit.text.lower()
        for m in re.finditer(r"\b(hank|projekt)\w*", low):
            before = low[max(0, m.start() - 30):m.start()].split()
            if before and _counts_many(before[-2:]):
                return True
        return False

    def _anaphora(self, unit: Unit) -> bool:
        low = unit.text.lower()
        for a in lexicon.PROJECT_ANAPHORA:
            for m in re.finditer(rf"\b{a}\b", low):
                before = low[max(0, m.start() - 30):m.start()].split()
                # `70 hankkeelle`, `kymmenelle eri hankkeelle`: many projects, not this one
                if not (before and _counts_many(before[-2:])):
                    return True
        return False

    def span(self, unit: Unit) -> Span:
        return Span(unit.start, unit.end, unit.text)

    def add(self, relation, subject, obj, unit, rule, conf, value=None, **kw):
        self.claims.append(RawClaim(relation, subject, obj, value, self.span(unit), rule,
                                    conf, **kw))

    # ------------------------------------------------------------------ readers
    def read(self) -> list[RawClaim]:
        for idx, unit in enumerate(self.units):
            project, how = self.project_for(unit, idx)
            self._roles(unit, project, how)
            self._run_by(unit)
            self._owners(unit)
            if how != "page" or self._anaphora(unit):
                self._together_with(unit, project)
            self._funding(unit, project, how)
            self._periods(unit, project, how)
            self._areas(unit, project, how)
            self._list_item(unit)
        self._page_values()
        self._granted()
        self._units_of_organisations()
        self._context_funders()
        self._contacts()
        self._membership()
        return [_without_contact_details(c) for c in self.claims]

    def _roles(self, unit: Unit, project: Cand | None, how: str) -> None:
        if project is None:
            return
        actors = [m for m in unit.mentions if m.type in ACTOR_TYPES + (EntityType.REGION,)
                  and m is not project and not _in_parentheses(self.text, m)]
        if not actors:
            return
        cues = [(p, r) for p, r in _cue_positions(unit) if r != "funds"]
        # a layout key names the role of everyone in its value
        key_role = {"administrator": "administers", "implementers": "implements",
                    "partners": "partners"}.get(unit.key or "")
        if key_role and not [c for c in cues if c[0] > unit.start + 1]:
            cues = [(unit.start, key_role)]
        if not cues:
            return
        bounds = [p for p, _ in cues] + [unit.end]
        for k, (pos, role) in enumerate(cues):
            # a region can be a partner or a pilot area, never an administrator
            fit = [a for a in actors if a.type is not EntityType.REGION or role != "administers"]
            after = [a for a in fit if pos <= a.start < bounds[k + 1]]
            prev = bounds[k - 1] if k > 0 else unit.start
            before = [a for a in fit if prev <= a.start < pos]
            if before and pos - max(a.end for a in before) > 60:
                # `… OSOITETAAN Kymenlaakson liitto 2. PROJEKTI … HAKIJAN TIEDOT`: a
                # cue far after the actor (a form flattened onto a line) is not its role
                before = []
            chosen = after or before
            # `X toimii projektin hallinnoijana`: the actor stands before the cue
            if after and before and not any(c[0] < pos for c in cues[:k]):
                chosen = after if _verb_first_cue(unit, pos) else before
            for a in chosen:
                relation = Relation(role) if role != "partners" else Relation.PARTNERS
                if a.type is EntityType.REGION:
                    # a member region is named as such (`mukana Pohjois-Savo, Etelä-Savo`),
                    # not where a member sits (`… Institute Portugalissa`)
                    if role in ("partners", "implements") and \
                            not _location_case(self.text[a.start:a.end]):
                        self.add(Relation.PARTNERS, a, project, unit, "role.region_partner", 0.7)
                        self.add(Relation.TARGET_AREA, project, a, unit, "area.partner_region", 0.7)
                    continue
                self.add(relation, a, project, unit, f"role.cue.{role}", 0.85)

    def _units_of_organisations(self) -> None:
        for m in self.mentions:
            if m.part_of is not None and m.part_of in self.mentions:
                line = self.lines[m.line]
                self.claims.append(RawClaim(Relation.PART_OF, m, m.part_of, None,
                                            Span(line.start, line.end, line.text),
                                            "part_of.genitive_parent", 0.8))

    def _owner_not_funder(self, m: Cand) -> bool:
        """`rahoitus osoitettiin Oulun ammattikorkeakoulun … hankkeelle`: an
        organisation in the genitive owns what follows; `ELY-keskuksen kautta` (via)
        is the funder's channel and counts."""
        if m.type is not EntityType.ORGANISATION:
            return False
        after = self.text[m.end:m.end + 12]
        glued = re.match(r"[\w:]*", after).group(0)
        word = self.text[m.start:m.end].split()[-1] + glued
        return is_genitive(word) and not re.match(r"\s+kautta\b", after[len(glued):])

    def _run_by(self, unit: Unit) -> None:
        """`Hämeen retkeilyyhdistyksen vetämä Kulje kanssa … -hanke`: the
        organisation before an agent participle of leading runs the project after it."""
        for m in unit.mentions:
            if m.type not in ACTOR_TYPES:
                continue
            after = self.text[m.end:m.end + 40]
            hit = re.match(r"[\w:]*\s+(vetämä|hallinnoima|koordinoima|toteuttama|johtama)\w*\s",
                           after)
            if not hit:
                continue
            start = m.end + hit.end()
            nxt = [p for p in unit.mentions if p.type is EntityType.PROJECT
                   and 0 <= p.start - start <= 2]
            if nxt:
                self.add(Relation.ADMINISTERS, m, nxt[0], unit, "role.run_by", 0.8)

    def _owners(self, unit: Unit) -> None:
        """`Kuopion kaupungin uusi Alfa-hanke`: an organisation in the genitive right
        before a project's name (across adjectives only) runs it; `A:n, B:n ja C:n
        yhteinen Alfa-hanke`: coordinated owners implement it together."""
        for p in unit.mentions:
            if p.type is not EntityType.PROJECT:
                continue
            owners: list[Cand] = []
            pos = p.start
            for m in sorted((m for m in unit.mentions if m.end <= p.start),
                            key=lambda m: -m.end):
                if m.type not in ACTOR_TYPES + (EntityType.PROJECT,):
                    continue
                gap = self.text[m.end:pos]
                glued = re.match(r"[\w:]*", gap).group(0)  # a case ending: `KEHYK|in`
                between = gap[len(glued):]
                words = re.findall(r"[\w-]+", between)
                joints = owners and re.fullmatch(r"\s*(,|ja|sekä)\s*", between)
                adjectives = not owners and all(_plain_adjective(w) for w in words) and \
                    re.fullmatch(r"[\s\w-]*", between)
                if m.type is EntityType.PROJECT or not (joints or adjectives) or \
                        not is_genitive(_last_word(self.text[m.start:m.end]) + glued) or \
                        _in_parentheses(self.text, m):
                    break
                owners.append(m)
                pos = m.start
            relation = Relation.ADMINISTERS if len(owners) == 1 else Relation.IMPLEMENTS
            for o in owners:
                self.add(relation, o, p, unit, "role.genitive_owner", 0.7)

    def _together_with(self, unit: Unit, project: Cand | None) -> None:
        """`… yhdessä Itä-Suomen 4H-liiton kanssa`: an organisation the project works
        together with is its partner."""
        if project is None:
            return
        for m in unit.mentions:
            if m.type not in ACTOR_TYPES or m is project:
                continue
            after = self.text[m.end:m.end + 12]
            glued = re.match(r"[\w:]*", after).group(0)
            if re.match(r"\s+kanssa\b", after[len(glued):]) and \
                    is_genitive(self.text[m.start:m.end].split()[-1] + glued):
                self.add(Relation.PARTNERS, m, project, unit, "role.together_with", 0.65)

    def _funding(self, unit: Unit, project: Cand | None, how: str) -> None:
        if project is None:
            return
        cues = [p for p, r in _cue_positions(unit) if r == "funds"]
        funders = [m for m in unit.mentions if m.type in FUNDER_TYPES and m is not project]
        # money comes from a fund: `… Maaseuturahastosta` names the source
        cues += [m.start for m in funders if m.type is EntityType.FUNDING
                 and cases_of(self.text[m.start:m.end].split()[-1]) & {"Ela"}]
        is_funder_key = unit.key == "funder"
        if is_funder_key:
            funders = [m for m in unit.mentions if m.type in FUNDER_TYPES + (EntityType.REGION,)]
            funders = [m for m in funders if m.type is not EntityType.REGION]
        money = find_money(unit.text)
        shares = find_shares(unit.text)
        low = unit.text.lower()
        totals = [m for m in money if _cue_before(low, m.start, lexicon.TOTAL_COST_CUES)
                  and not _is_part(low, m.start)]
        parts = [m for m in money if m not in totals]
        for m in totals[:1]:
            self.add(Relation.TOTAL_COST, project, None, unit, "money.total_cost", 0.9,
                     value=m.euros)
        if unit.key == "budget" and money:
            self.add(Relation.TOTAL_COST, project, None, unit, "layout.budget", 0.85,
                     value=money[0].euros)
            parts = []
        if not (cues or is_funder_key):
            return
        # funders given money in this unit: funding schemes and organisations alike;
        # not who receives it (`Oy:lle myönnettiin`) or applies for it (`X hakee`)
        applicants = {id(c.subject) for c in self.claims
                      if c.span.start == unit.start and c.relation is not Relation.FUNDS}
        funders = [f for f in funders
                   if not _is_recipient(self.text, f) and id(f) not in applicants
                   and not self._owner_not_funder(f)]
        amount = parts[0].euros if len(parts) == 1 else None
        share = shares[0][2] if len(shares) == 1 else None
        for f in funders:
            self.add(Relation.FUNDS, f, project, unit,
                     "layout.funder" if is_funder_key else "funding.cue", 0.85,
                     amount_eur=amount, share_percent=share)

    def _page_values(self) -> None:
        """A project page whose keys were lost with the HTML still lists its values on
        lines of their own: an amount alone on a line is the budget; a line of
        funders (at least one of them a fund) names the funders."""
        p = self.page_project
        if p is None:
            return
        for unit in self.units:
            line = self.lines[unit.lines[0]]
            if unit.key or unit.text != line.text or unit.start < p.end:
                continue
            money = find_money(unit.text)
            if money and money[0].start == 0 and money[0].end >= len(unit.text.rstrip()) - 1:
                self.add(Relation.TOTAL_COST, p, None, unit, "layout.page_amount", 0.6,
                         value=money[0].euros)
                continue
            if any(is_finite_verb(t.text) for t in line.toks):
                continue  # a sentence, not a value
            funders = [m for m in unit.mentions if m.type in FUNDER_TYPES]
            if any(m.type is EntityType.FUNDING for m in funders):
                for f in funders:
                    self.add(Relation.FUNDS, f, p, unit, "layout.page_funders", 0.6)
                continue
            # a lone organisation among the page's values (period, budget) runs it
            actors = [m for m in unit.mentions if m.type in ACTOR_TYPES]
            if len(actors) == 1 and actors[0].start == unit.start and \
                    self._next_to_values(unit.lines[0]):
                self.add(Relation.ADMINISTERS, actors[0], p, unit, "layout.page_organisation", 0.5)

    def _granted(self) -> None:
        """`Satakuntaliiton maakuntahallitus myönsi … tukea` names the granter once;
        later `Y:lle myönnettiin … Z-projektiin` sentences are its grants too, with
        the instruments the granting sentences name (`kehittämisrahaa`, `AKKE-rahoitusta`)."""
        granter: Cand | None = None
        instruments: list[Cand] = []
        for unit in self.units:
            low = unit.text.lower()
            active = _find_any(low, lexicon.GRANT_VERBS_ACTIVE)
            passive = _find_any(low, lexicon.GRANT_PASSIVE)
            if active is not None:
                before = [m for m in unit.mentions if m.start - unit.start < active
                          and m.type in ACTOR_TYPES and not _is_recipient(self.text, m)]
                if before:
                    granter = self._acting_organisation(before[-1])
                funds_here = [m for m in unit.mentions if m.type is EntityType.FUNDING]
                if funds_here:
                    instruments = funds_here
            channels = [m for m in unit.mentions if _channel(self.text, m)]
            if channels:
                granter = channels[0]
            if active is None and passive is None:
                continue
            if active is None:
                # `Euroopan sosiaalirahastosta myönnettiin … hankkeille`: the fund the
                # money comes from is the instrument of the grants that follow
                sources = [m for m in unit.mentions if m.type is EntityType.FUNDING
                           and cases_of(_last_word(self.text[m.start:m.end])) & {"Ela"}]
                if sources:
                    instruments = sources
            projects = [m for m in unit.mentions if m.type is EntityType.PROJECT]
            if not projects:
                project, how = self.project_for(unit, 0)
                projects = [project] if project is not None and \
                    (self._anaphora(unit) or how == "heading") else []
            if not projects:
                continue
            funds_here = [m for m in unit.mentions if m.type is EntityType.FUNDING]
            inherited = instruments if not self._own_money_kind(unit) else []
            givers = ([granter] if granter is not None else []) + (funds_here or inherited)
            money = [m for m in find_money(unit.text) if not _is_part(low, m.start)
                     and not _cue_before(low, m.start, lexicon.TOTAL_COST_CUES)]
            shares = find_shares(unit.text)
            for p in projects[:1]:
                for g in givers:
                    self.add(Relation.FUNDS, g, p, unit, "funding.granted", 0.7,
                             amount_eur=money[0].euros if len(money) == 1 else None,
                             share_percent=shares[0][2] if len(shares) == 1 else None)
                recipients = [m for m in unit.mentions if m.type in ACTOR_TYPES
                              and _is_recipient(self.text, m)
                              and (m.start < p.start or p.end <= unit.start)]
                for r in recipients:
                    self.add(Relation.ADMINISTERS, r, p, unit, "funding.recipient", 0.7)

    def _own_money_kind(self, unit: Unit) -> bool:
        """`Beeta ry:lle myönnettiin EU-tukea …`: a grant sentence that names its own
        kind of money outside any fund's name is not paid from the instrument an
        earlier sentence named (`maakunnan kehittämisrahaa`)."""
        for m in re.finditer(r"[\w-]+", unit.text):
            s0 = unit.start + m.start()
            if any(c.start <= s0 < c.end for c in unit.mentions):
                continue
            w = m.group(0)
            if not ("-" in w or w.lower().startswith(("valtion", "eu"))):
                continue  # a compound kind (`EU-tukea`, `valtionavustusta`), not `tukea`
            base = head_nominative(w.lower(), lambda b: b.endswith(lexicon.FUNDING_SUFFIXES))
            if base.endswith(lexicon.FUNDING_SUFFIXES) and cases_of(w.lower()) & {"Par"}:
                return True
        return False

    def _acting_organisation(self, m: Cand) -> Cand:
        """`Satakuntaliiton maakuntahallitus` acts for Satakuntaliitto when the
        genitive is a known organisation."""
        words = self.text[m.start:m.end].split()
        if len(words) >= 2 and words[-1].lower().rstrip(".,") in lexicon.ORGAN_HEADS:
            parents = [c for c in self.mentions if c.authority is not None
                       and c.type is EntityType.ORGANISATION and c.start >= m.start
                       and c.end < m.end]
            if parents:
                return parents[0]
        return m

    def _next_to_values(self, n: int) -> bool:
        """Is line n beside a line that is only a period or only an amount?"""
        for k in (n - 1, n + 1):
            if 0 <= k < len(self.lines):
                t = self.lines[k].text.strip()
                money = find_money(t)
                periods = find_periods(t)
                if (money and money[0].end - money[0].start >= len(t) - 1) or \
                        (periods and periods[0].end - periods[0].start >= len(t) - 1):
                    return True
        return False

    def _context_funders(self) -> None:
        """Projects listed under an introduction that names the fund (`… puoltaa
        seuraavia hankkeita rahoitettavaksi Uudistuva ja osaava Suomi 2021–2027
        -ohjelmasta`) are funded by it; `Haettu tuki: …` under a project is that
        fund's amount when the introduction names one fund."""
        # a project whose own `Rahoittaja` key names its funder is not the intro's; one
        # whose amount key names a fund (`Haettu EAKR- ja valtion rahoitus`) still is
        own_funder = {_key(c.object) for c in self.claims
                      if c.relation is Relation.FUNDS and c.rule == "layout.funder"}
        funded = {(_key(c.subject), _key(c.object)) for c in self.claims
                  if c.relation is Relation.FUNDS}
        listed: dict[str, Cand] = {}
        for m in self.mentions:
            if m.type is EntityType.PROJECT and m.rule in ("project.list_item",
                                                           "project.heading"):
                listed.setdefault(_key(m), m)
        for key, project in listed.items():
            if key in own_funder:
                continue
            intro = self._funding_intro(project)
            if intro is None:
                continue
            funds = [m for m in intro.mentions if m.type is EntityType.FUNDING]
            amount = self._key_amount(project) if len(funds) == 1 else None
            for f in funds:
                if (_key(f), key) in funded:
                    continue
                self.add(Relation.FUNDS, f, project, intro, "funding.list_context", 0.6,
                         amount_eur=amount)

    def _funding_intro(self, project: Cand) -> Unit | None:
        """The nearest unit before the project, outside any key block, with a
        funding cue and a fund."""
        for unit in reversed([u for u in self.units if u.end <= project.start]):
            if unit.key:
                continue
            if any(r == "funds" for _, r in _cue_positions(unit)) and \
                    any(m.type is EntityType.FUNDING for m in unit.mentions):
                return unit
        return None

    def _key_amount(self, project: Cand) -> float | None:
        """The amount under `Haettu tuki:`/`Myönnetty tuki:` in the project's key block."""
        for unit in self.units:
            if unit.start < project.end:
                continue
            if unit.key is None:
                break
            if unit.key == "amount":
                money = find_money(unit.text)
                return money[0].euros if money else None
        return None

    def _periods(self, unit: Unit, project: Cand | None, how: str) -> None:
        if project is None:
            return
        periods = find_periods(unit.text)
        if not periods:
            return
        # a call for applications has a period too: that is no project's
        if re.search(r"\b(saapuneet|saapui|haku|hakuaika|hakemukset)\b", unit.text.lower()):
            return
        if how == "page" and not (unit.key == "period" or len(unit.text) < 40
                                   or self._anaphora(unit)):
            return
        p = periods[0]
        if p.begins:
            self.add(Relation.START_DATE, project, None, unit, p.rule, 0.85, value=p.begins)
        if p.ends:
            self.add(Relation.END_DATE, project, None, unit, p.rule, 0.85, value=p.ends)

    def _areas(self, unit: Unit, project: Cand | None, how: str) -> None:
        if project is None:
            return
        places = [m for m in unit.mentions if m.type in PLACE_TYPES]
        if not places:
            return
        low = unit.text.lower()
        if unit.key == "area" or any(c in low for c in ("toiminta-alue", "kohdealue",
                                                        "kohderyhm", "kohdentuu")):
            for p in places:
                self.add(Relation.TARGET_AREA, project, p, unit, "area.cue", 0.85)
            return
        if re.search(r"\b(alueet|alueina|kohdealueet)\s+(ovat|olivat|on)\b", low):
            for p in places:  # `mukana olevat alueet ovat Porto (Portugali), …`
                if not _in_parentheses(self.text, p):
                    self.add(Relation.TARGET_AREA, project, p, unit, "area.list", 0.75)
            return
        # `Hanke toteutetaan Pohjois-Karjalassa`, `… uudessa Etelä-Savon maakunnassa`:
        # where the project is carried out, in a sentence about it
        where = re.search(r"\b(toteutetaan|toimii|kohdistuu|keskittyy|järjestetään)\b", low)
        for p in places:
            surface = self.text[p.start:p.end].split()
            if not (cases_of(surface[-1]) & {"Ine", "Ade"}) or _in_parentheses(self.text, p):
                continue
            if (where and how != "page") or (how == "named" and p.rule == "name.region_phrase"):
                self.add(Relation.TARGET_AREA, project, p, unit, "area.where", 0.7)
        # `… koko Etelä-Pohjanmaan alueelle`: the area of a place, in a sentence about
        # the project, is where it works
        for p in places:
            last = self.text[p.start:p.end].split()[-1].lower()
            if last.startswith("aluee") and cases_of(last) & {"Ine", "Ill", "Ade", "All"} \
                    and how != "page":
                self.add(Relation.TARGET_AREA, project, p, unit, "area.alue_phrase", 0.7)
        # a project named after where it works (`… palvelut Etelä-Savossa`); a
        # genitive place is an owner (`Kuopion … terminaali`), not an area
        if project.start <= places[0].start and places[0].end <= project.end:
            for p in places:
                if project.start <= p.start and p.end <= project.end and \
                        _location_case(self.text[p.start:p.end]):
                    self.add(Relation.TARGET_AREA, project, p, unit, "area.in_project_name", 0.7)

    def _list_item(self, unit: Unit) -> None:
        """`NAME, APPLICANT[, ...], AMOUNT`: the applicant administers the project."""
        projects = [m for m in unit.mentions if m.type is EntityType.PROJECT
                    and m.rule == "project.list_item"]
        if not projects:
            return
        p = projects[0]
        line_end = self.lines[p.line].end
        actors = [m for m in unit.mentions if m.type in ACTOR_TYPES and p.end < m.start < line_end]
        for a in actors:  # `…, Vantaan kaupunki ja Uudenmaan liitto`: joint applicants
            self.add(Relation.ADMINISTERS, a, p, unit, "layout.list_applicant", 0.85)

    def _contacts(self) -> None:
        """Persons in a `Lisätietoja` block: contact for the organisation in their entry,
        else for the page's project; member of that organisation."""
        in_block = False
        for line in self.lines:
            low = line.text.lower()
            if any(low.startswith(c) for c in lexicon.CONTACT_CUES):
                in_block = True
            persons = [m for m in self.mentions if m.line == line.number
                       and m.type is EntityType.PERSON]
            if not (in_block or any(c in low for c in lexicon.CONTACT_CUES)):
                continue
            form = self.page_project is not None and self.page_project.rule == "project.form_name"
            for person in persons:
                org = self._entry_org(line.number, person)
                span = Span(line.start, line.end, line.text)
                if form:
                    # an application form's contact persons are the project's contacts
                    self.claims.append(RawClaim(Relation.CONTACT, person, self.page_project,
                                                None, span, "contact.form", 0.75))
                    if org is not None:
                        self.claims.append(RawClaim(Relation.MEMBER_OF, person, org, None, span,
                                                    "member.form_entry", 0.7))
                elif org is not None:
                    self.claims.append(RawClaim(Relation.CONTACT, person, org, None, span,
                                                "contact.block.org", 0.75))
                elif self.page_project is not None:
                    # only a project's own page makes its contacts the project's
                    self.claims.append(RawClaim(Relation.CONTACT, person, self.page_project,
                                                None, span, "contact.block.project", 0.7))

    def _entry_org(self, line_no: int, person: Cand) -> Cand | None:
        """The organisation of one contact entry: on the person's line, or the next
        line when that line is part of the same entry (no person of its own)."""
        same = [m for m in self.mentions if m.line == line_no and m.type in ACTOR_TYPES
                and m is not person]
        if same:
            return min(same, key=lambda m: abs(m.start - person.start))
        nxt = [m for m in self.mentions if m.line == line_no + 1]
        if nxt and not any(m.type is EntityType.PERSON for m in nxt):
            orgs = [m for m in nxt if m.type in ACTOR_TYPES]
            if orgs and self._line_is_entry(line_no + 1):
                return orgs[0]
        return None

    def _line_is_entry(self, line_no: int) -> bool:
        line = self.lines[line_no]
        return len(line.text.split()) <= 10 and not line.text.endswith(".")

    def _membership(self) -> None:
        """`Liisa Virtanen Etelä-Savon maakuntaliitosta`,
        `Kylätalo Pohjois-Savo ry, Matti Korhonen`, a contact entry's organisation."""
        seen = set()
        for c in self.claims:
            if c.relation is Relation.CONTACT and c.object is not None \
                    and c.object.type in ACTOR_TYPES:
                key = (id(c.subject), id(c.object))
                if key not in seen:
                    seen.add(key)
                    self.claims.append(RawClaim(Relation.MEMBER_OF, c.subject, c.object, None,
                                                c.span, "member.contact_entry", 0.75))
        # a form's contact person works for the form's applicant
        page = self.page_project
        if page is not None and page.rule == "project.form_name":
            applicants = [c.subject for c in self.claims if c.relation is Relation.ADMINISTERS
                          and c.object is not None and _key(c.object) == _key(page)]
            for c in list(self.claims):
                if c.relation is Relation.CONTACT and c.object is page and applicants:
                    self.claims.append(RawClaim(Relation.MEMBER_OF, c.subject, applicants[0],
                                                None, c.span, "member.form_contact", 0.7))
        ordered = sorted(self.mentions, key=lambda m: m.start)
        # `KEHYKin toimitusjohtaja Anna Lind`, `Matkailu -valmistelutyöryhmän
        # puheenjohtaja Matti Korhonen`: organisation (genitive), title, person
        for a, b in zip(ordered, ordered[1:], strict=False):
            if a.line != b.line or a.type not in ACTOR_TYPES or b.type is not EntityType.PERSON:
                continue
            gap = self.text[a.end:b.start]
            glued = re.match(r"[\w:]*", gap).group(0)  # a case ending on the name: `KEHYK|in`
            between = gap[len(glued):].split()
            last_word = self.text[a.start:a.end].split()[-1] + glued
            # `ALFAn Liisa Virtanen kertoo`: the organisation's genitive right before
            # the person, with no title, says whom they speak for; not a bare place
            # (`Kuopion Liisa Virtanen`)
            bare = not between and a.type is EntityType.ORGANISATION \
                and gap[len(glued):] == " "
            if (bare or (between and len(between) <= 2 and all(is_title(w) for w in between))) \
                    and is_genitive(last_word) and (id(b), id(a)) not in seen:
                seen.add((id(b), id(a)))
                line = self.lines[a.line]
                self.claims.append(RawClaim(Relation.MEMBER_OF, b, a, None,
                                            Span(line.start, line.end, line.text),
                                            "member.title", 0.75))
        for a, b in zip(ordered, ordered[1:], strict=False):
            if a.line != b.line:
                continue
            gap = self.text[a.end:b.start]
            pair = None
            if a.type is EntityType.PERSON and b.type in ACTOR_TYPES and gap.strip() == "":
                pair = (a, b)  # person followed by their organisation (elative)
            elif a.type in ACTOR_TYPES and b.type is EntityType.PERSON and gap.strip() == ",":
                pair = (b, a)  # `Org, Person` distribution lines
            if pair and (id(pair[0]), id(pair[1])) not in seen:
                seen.add((id(pair[0]), id(pair[1])))
                line = self.lines[a.line]
                self.claims.append(RawClaim(Relation.MEMBER_OF, pair[0], pair[1], None,
                                            Span(line.start, line.end, line.text),
                                            "member.adjacent", 0.75))


# ---------------------------------------------------------------------- helpers

def _page_project(projects: list[Cand]) -> Cand | None:
    """The page's own project: the one heading of a project page, or the name
    an application form gives (`Hankkeen nimi: …`). A news item that merely names
    one project has none: its other sentences may be about anything."""
    own = [p for p in projects if p.rule in ("project.heading", "project.form_name")]
    if len({fold(p.name) for p in own}) == 1:
        return own[0]
    return None


def _only_project(projects: list[Cand]) -> Cand | None:
    """The one project a document names (its sentences that refer back to `the
    project` mean it)."""
    names = {fold(p.name) for p in projects}
    if len(names) == 1 and projects[0].rule != "project.list_item":
        return projects[0]
    return None


#: A phone number (`040 123 4567`, `0295 024 162`, `+358 …`) or an e-mail address
#: (`etunimi.sukunimi(at)esimerkki.fi`), with the `puh.`/`p.` before it.
_CONTACT_DETAIL = re.compile(
    r"(?:\b(?:puh|p|tel|gsm)\.?:?\s*)?"
    r"(?:\+358[\d ]{6,}|(?<!\d)0\d{1,3}[ -]?\d{3}[ -]?\d{3,4}(?!\d))"
    r"|[\w.%+-]+\s?(?:@|\(at\))\s?[\w-]+(?:\.[\w-]+)*", re.I)


def _without_contact_details(claim: RawClaim) -> RawClaim:
    """Evidence ends before a phone number or an e-mail address: persons are named by
    name and role only (`…puheenjohtaja Liisa Lahti, puh. 040 …` → `…Liisa Lahti`)."""
    m = _CONTACT_DETAIL.search(claim.span.sentence)
    if m is None:
        return claim
    kept = claim.span.sentence[:m.start()].rstrip(" ,;:–-")
    if not kept.strip():
        return claim
    span = Span(claim.span.start, claim.span.start + len(kept), kept)
    return RawClaim(claim.relation, claim.subject, claim.object, claim.value, span, claim.rule,
                    claim.confidence, claim.amount_eur, claim.share_percent)


def _plain_adjective(word: str) -> bool:
    """`uusi`, `ylimaakunnallinen`: an adjective, not a participle (`rahoittama`,
    `vetämä`), which names a role of its own."""
    rs = analyses(word)
    return any(a.get("CLASS") == "laatusana" and not a.get("PARTICIPLE") for a in rs) and \
        not any(a.get("PARTICIPLE") for a in rs)


def _last_word(surface: str) -> str:
    """The last word of a name as written, before a bracketed acronym (`… (ESR)`)."""
    words = re.sub(r"\s*\([^)]*\)\s*$", "", surface).split()
    return words[-1] if words else surface


def _counts_many(words: list[str]) -> bool:
    """`70`, `kymmenelle eri`, `useille`: a number or quantifier before a project word."""
    for w in words:
        w = w.strip(",.()")
        if re.fullmatch(r"\d+", w) or w in ("eri", "useita", "useille", "useiden", "monia",
                                             "monille", "kaikille", "kaikki"):
            return True
        if any(a.get("CLASS") == "lukusana" for a in analyses(w)):
            return True
    return False


def _key(c: Cand) -> str:
    return c.authority.authority_id if c.authority else f"{c.type.value}:{fold(c.name)}"


@lru_cache(maxsize=256)
def _phrases_pattern(phrases: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(rf"\b{re.escape(p)}\b" for p in phrases))


def _find_any(low: str, phrases: tuple[str, ...]) -> int | None:
    """Where the first of ``phrases`` (as whole words) starts in ``low``."""
    if not phrases:
        return None
    m = _phrases_pattern(phrases).search(low)
    return m.start() if m else None


def _in_parentheses(text: str, m: Cand) -> bool:
    """`Helsingin Diakonissalaitos (Vamos Oulu ja Rovaniemi)`: a bracket qualifies
    the name before it; what is inside takes no role of its own."""
    left = text[max(0, m.start - 60):m.start]
    return left.rfind("(") > left.rfind(")")


def _location_case(surface: str) -> bool:
    """In, at, to or from a place (`Portugalissa`, `Perämeren alueelta`), not the place
    as an actor in its own right."""
    last = surface.split()[-1] if surface.split() else surface
    return bool(cases_of(last) & {"Ine", "Ade", "Ill", "All", "Ela", "Abl"})


def _is_part(low: str, pos: int) -> bool:
    """`…1,3 miljoonaa euroa, josta Turun AMK:n osuus on 310 000 euroa`: a part."""
    left = low[max(0, pos - 60):pos]
    if re.search(r"(%|\bprosenttia)\s+(\w+\s+)?\w*(kustannuksista|kuluista|budjetista)\b", left):
        return True  # `70 prosenttia kokonaiskustannuksista, enintään 58 690 euroa`: a share
    return bool(re.search(r"\b(josta|joista|osuus|osuutena)\b", left))


def _cue_before(low: str, pos: int, cues: tuple[str, ...], window: int = 40) -> bool:
    """Is one of the cues the nearest cue word before pos (within a window)?"""
    left = low[max(0, pos - window):pos]
    return any(c in left for c in cues)


def _verb_first_cue(unit: Unit, pos: int) -> bool:
    """`Hanketta hallinnoi X`: the actors follow a verb cue; `X toimii … hallinnoijana`:
    they precede a noun cue."""
    word = re.match(r"[\w-]+", unit.text[pos - unit.start:])
    w = word.group(0).lower() if word else ""
    return w.startswith(("hallinnoi", "koordinoi", "vetää", "osatoteuttaj", "kumppan",
                         "kehittämiskumppan", "rahoitta")) and not w.endswith(("na", "nä"))


def _is_recipient(text: str, m: Cand) -> bool:
    """`Alfa Oy:lle myönnettiin`: the allative names who receives, not who gives."""
    surface = text[m.start:m.end] + re.match(r"[\w:]*", text[m.end:m.end + 8]).group(0)
    if re.match(r"\s+osoittam\w*\b", text[m.end:m.end + 20]):
        return False  # `TEM:n Alfan liitolle osoittamasta rahoituksesta`: the liitto grants it
    return bool(re.search(r"(lle|:lle)$", surface))


def _channel(text: str, m: Cand) -> bool:
    """`… ministeriön Alfan liitolle osoittamasta AIKO-rahoituksesta`: the organisation
    the money was allocated to, which grants it on."""
    return m.type is EntityType.ORGANISATION and text[m.start:m.end].endswith("lle") and \
        bool(re.match(r"\s+osoittam\w*\b", text[m.end:m.end + 20]))

