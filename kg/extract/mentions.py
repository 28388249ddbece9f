"""Finding named entities in parsed lines.

Each finder is a general mechanism of how Finnish names are written:

- organisation names end in a type head word (``…ammattikorkeakoulu``,
  ``…kuntayhtymä``, ``…liitto``) or a legal form (``Oy``, ``ry``, ``sr``), with
  genitive or capitalised modifiers before it;
- persons are a first name and a surname by Voikko's name classes;
- places are words whose base form is a municipality, region or subregion of
  the authority data, or that Voikko knows as a place name;
- project names stand before a ``-hanke``/``-projekti``/``-pilotti`` marker, in
  quotes, as headings of project pages and as the first field of funding lists;
- names of the authority data (including acronyms) are found with their head
  word inflected.

The spaCy model's own entity labels are evidence only; its tokens, parts of
speech and sentence breaks are used throughout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.authority import Authority, AuthorityRecord, capitalise, fold
from kg.extract import lexicon
from kg.extract.layout import is_project_key, line_key
from kg.extract.morphology import (
    analyses,
    cases_of,
    head_nominative,
    is_finite_verb,
    is_genitive,
    legal_form,
    word_classes,
)
from kg.extract.nlp import Line, Tok, capitalised_pair
from kg.extract.spans import SpanIndex
from kg.extract.values import MONEY_RE
from kg.model import EntityType

QUOTES = "\"”“«»„"
#: Lower-case words that occur inside names in the languages of partner lists.
_NAME_FUNCTION_WORDS = frozenset({"of", "and", "for", "the", "de", "la", "del", "y", "und",
                                  "für", "för", "och", "i", "&", "on", "in", "at", "van"})
_STOP_PUNCT = {",", ";", ":", "(", ")", "[", "]", "•", "|", "/", "»", "«", "”", "“", '"', "?"}


@dataclass
class Cand:
    """A mention candidate: character span, type, nominative name, and its rule."""

    start: int
    end: int
    line: int
    type: EntityType
    name: str
    rule: str
    confidence: float
    authority: AuthorityRecord | None = None
    aliases: list[str] = field(default_factory=list)
    surface: str = ""  # the text as written, set by MentionFinder.find
    part_of: Cand | None = None  # the organisation this one is a unit of

    @property
    def length(self) -> int:
        return self.end - self.start


def _is_name(base: str) -> bool:
    """A first name or a surname by Voikko's classes."""
    classes = word_classes(base)
    return "sukunimi" in classes or "etunimi" in classes


_NOMINAL_CLASSES = frozenset({"nimisana", "laatusana", "nimisana_laatusana", "sukunimi",
                              "etunimi", "paikannimi", "nimi"})


def _inflects_as_noun(word: str) -> bool:
    return any(a.get("CLASS") in _NOMINAL_CLASSES for a in analyses(word))


def _org_head(base: str) -> bool:
    return base.lower().endswith(lexicon.ORG_HEADS)


class MentionFinder:
    def __init__(self, authority: Authority):
        self.authority = authority
        self._known_last_words = {fold(n).split(" ")[-1] for n in authority.names()}
        # every ending of a known name's last word: a word that is none of them
        # cannot end a known name, so the gazetteer need not try the names it would end
        self._name_endings = {w[k:] for w in self._known_last_words for k in range(len(w))}
        self._nominatives: dict[str, str] = {}  # word → nominative of its head reading
        self._abbreviations = {
            fold(r.abbreviation): r
            for r in authority.records.values()
            if r.abbreviation and authority.lookup(r.abbreviation) is r
        }

    # ------------------------------------------------------------------ helpers
    def prefer(self, base: str) -> bool:
        """Readings whose base form is a known name's head word, or an organisation head."""
        return fold(base) in self._known_last_words or _org_head(base)

    def nominative(self, word: str) -> str:
        cached = self._nominatives.get(word)
        if cached is None:
            cached = self._nominatives[word] = head_nominative(word, self.prefer)
        return cached

    def lookup(self, name: str) -> AuthorityRecord | None:
        return self.authority.lookup(name)

    # ------------------------------------------------------------------ finders
    def find(self, lines: list[Line], text: str) -> list[Cand]:
        cands: list[Cand] = []
        for line in lines:
            cands += self._gazetteer(line, text)
            cands += self._legal_form_names(line, text)
            cands += self._org_head_names(line, text)
            cands += self._persons(line)
            cands += self._places(line)
            cands += self._marker_projects(line, text)
            cands += self._quoted_projects(line)
            cands += self._acronym_employers(line)
            cands += self._funding_phrases(line, text)
            cands += self._prefixed_and_english_names(line)
        for c in cands:
            c.surface = text[c.start:c.end]
        cands += self._expanded_acronyms(cands, text)
        cands += self._title_organisations(lines, text, _resolve_overlaps(cands))
        first = _resolve_overlaps(cands)
        cands += self._listed_names(lines, text, first)
        first = _resolve_overlaps(cands)
        cands += self._heading_projects(lines, first)
        cands += self._list_item_projects(lines, text, first)
        cands += self._introduced_list_projects(lines, text)
        cands += self._form_name_projects(lines)
        chosen = _resolve_overlaps(cands)
        chosen += self._acronyms_and_short_forms(lines, text, chosen)
        for c in chosen:
            c.surface = text[c.start:c.end]
        chosen += self._parent_organisations(chosen, text)
        chosen = _resolve_overlaps(chosen + _persons_again(chosen, lines))
        _bilingual_names(chosen, text)
        # a name a project marker or quote proved to be a project is not a person
        # elsewhere in the document (`Kalle Boost` above `Kalle Boost-hankkeella`)
        projects = {fold(c.name) for c in chosen if c.type is EntityType.PROJECT
                    and c.rule in ("project.marker", "project.quoted", "project.form_name")}
        chosen = [c for c in chosen if not (c.type is EntityType.PERSON
                                            and fold(c.name) in projects)]
        return sorted(_resolve_overlaps(chosen), key=lambda c: c.start)

    def _gazetteer(self, line: Line, text: str) -> list[Cand]:
        """Authority names with an inflected last word, up to seven tokens long."""
        out = []
        toks = line.toks
        for j, last in enumerate(toks):
            if not last.text[:1].isalnum():
                continue  # names may end in a year: `Uudistuva ja osaava Suomi 2021–2027`
            head = self.nominative(last.text)
            if fold(head) not in self._name_endings and fold(last.text) not in self._name_endings:
                continue
            for i in range(j, max(-1, j - 7), -1):
                if toks[i].is_punct and toks[i].text not in "-–":
                    break
                surface = text[toks[i].start:toks[j].start] + head
                record = self.lookup(surface)
                if record is None and i == j and last.text != head:
                    record = self.lookup(last.text)
                if record is None:
                    continue
                if i == j and not _plausible_single_word(last, record):
                    continue
                etype = record.type
                end, name = last.end, record.name
                if record.organisation_type == "funding_programme":
                    # `Interreg Europe`, `Interreg Aurora`: a programme and its strand
                    k = j + 1
                    while k < len(toks) and k - j <= 2 and toks[k].is_cap \
                            and not toks[k].text.isupper() and toks[k].text.isalpha():
                        k += 1
                    if k > j + 1:
                        end = toks[k - 1].end
                        name = text[toks[i].start:end]
                        record = None
                out.append(Cand(toks[i].start, end, line.number, etype, name,
                                "gazetteer.authority", 0.95, record,
                                aliases=[_display(surface)]))
        # abbreviations with a case ending: ESR:n, TEM:ssä, Xamkin
        for m in re.finditer(r"(?<![\w+])([A-ZÅÄÖ][\w+&]{1,9})(?::\w+|in\b)?", line.text):
            key = fold(m.group(1))
            rec = self._abbreviations.get(key)
            if rec is None and m.group(1).endswith("+"):
                continue
            if rec is None:
                continue
            s = line.start + m.start(1)
            out.append(Cand(s, s + len(m.group(1)), line.number, rec.type, rec.name,
                            "gazetteer.abbreviation", 0.9, rec, aliases=[m.group(1)]))
        return out

    def _legal_form_names(self, line: Line, text: str) -> list[Cand]:
        out = []
        toks = line.toks
        for h, t in enumerate(toks):
            form = legal_form(t.text)
            if not form or h == 0:
                continue
            i = h - 1
            while i >= 0 and h - i <= 7:
                k = toks[i]
                if k.text in _STOP_PUNCT or k.text in "–—" or k.pos in ("VERB", "AUX"):
                    break
                if k.text == "." and i > 0 and len(toks[i - 1].text) > 2:
                    break  # `… -projektiin. Beeta ry`: a sentence ends; `A. Vipunen` goes on
                if k.is_punct and k.text not in "-&.'":
                    break
                if k.lower in ("ja", "sekä") and not (i > 0 and toks[i - 1].text == "-") \
                        and not (i > 0 and toks[i - 1].text.islower()
                                 and toks[i + 1].text.islower()):
                    break  # `agentit ja managerit ry` is one name; `kaupunki ja ViaDia ry` is two
                if k.text.isupper() and len(k.text) >= 4 and not toks[i + 1].text.isupper() \
                        and i < h - 1:
                    break  # a heading in capitals (`PROJEKTIN HAKIJAN TIEDOT`), not `KEHYK ry`
                if k.text.islower() and i + 1 < h and toks[i + 1].is_cap and analyses(k.text):
                    break  # `Hakijan nimi | Lahti Design Oy`, but `Blue sky Finland ry`
                i -= 1
            start = _first_capitalised(toks, i + 1, h, trust_capital=True)
            if start is None or start == h:
                continue
            name = text[toks[start].start:toks[h].start] + form
            rec = self.lookup(name) or self.lookup(text[toks[start].start:toks[h - 1].end])
            heads = [self.nominative(toks[k].text) for k in range(start, h)]
            etype = EntityType.ORGANISATION
            end = t.end - 1 if t.text.endswith(".") else t.end  # `… ry.` ends a sentence
            out.append(Cand(toks[start].start, end, line.number, etype,
                            rec.name if rec else name, "name.legal_form", 0.9, rec,
                            aliases=[name, text[toks[start].start:toks[h - 1].start]
                                     + heads[-1]]))
        return out

    def _org_head_names(self, line: Line, text: str) -> list[Cand]:
        """`<genitive or capitalised modifiers> <organisation head word>`."""
        out = []
        toks = line.toks
        for h, t in enumerate(toks):
            if not t.text[:1].isalnum() or t.pos not in ("NOUN", "PROPN", "X", "ADJ", "NUM"):
                continue  # `4H-liitto` starts with a digit
            base = self.nominative(t.text)
            if base.lower() in lexicon.HEAD_ABBREVIATIONS and h > 0:
                base = lexicon.HEAD_ABBREVIATIONS[base.lower()]  # `Turun AMK`
            bl = base.lower()
            is_place_head = bl in lexicon.PLACE_HEADS
            is_muni_head = bl in lexicon.MUNICIPALITY_HEADS
            if not (_org_head(base) or is_place_head or is_muni_head):
                continue
            i = h - 1
            while i >= 0 and h - i <= 8:
                k = toks[i]
                if k.text == "-" and i > 0 and toks[i - 1].text[:1].isalpha():
                    i -= 1  # `sosiaali- ja terveys…`: the hyphen belongs to a word
                    continue
                if k.text.endswith("-") and k.text[:1].isalpha():
                    i -= 1  # `liikenne-`: the first part of a coordinated compound
                    continue
                if k.text == "," and i > 0 and toks[i - 1].text.endswith("-"):
                    i -= 1  # `elinkeino-, liikenne- ja ympäristökeskus`
                    continue
                if k.lower in ("ja", "sekä") and i > 0 and toks[i - 1].text == "-":
                    i -= 1
                    continue
                if k.lower == "ja" and i > 0 and _common_genitive(toks[i - 1]) \
                        and _common_genitive(toks[i + 1]):
                    i -= 1  # `Terveyden ja hyvinvoinnin laitos`
                    continue
                if i + 1 < h and toks[i + 1].text == "-" and k.text.isalpha():
                    i -= 1  # `sosiaali-`: the first part of a coordinated compound
                    continue
                if k.is_punct or k.pos in ("VERB", "AUX", "ADP", "CCONJ", "SCONJ", "PRON"):
                    break
                genitive = is_genitive(k.text)
                if not genitive and _org_head(self.nominative(k.text)):
                    break  # `Keski-Suomen ELY-keskus | Maaseuturahasto`: another name ends here
                if not (genitive or k.text[:1].isdigit() or (k.is_cap and _nominal_case(k.text))):
                    break
                if not genitive and i < h - 1 and _starts_new_phrase(k, toks[i + 1]):
                    break  # `Liisa Virtanen | Etelä-Savon maakuntaliitosta`
                i -= 1
            start = _first_capitalised(toks, i + 1, h + 1)
            if start is None:
                continue
            prefix = text[toks[start].start:t.start]
            name = prefix + base
            if is_muni_head or is_place_head:
                place = self._place_record(toks[h - 1].text) if h > start else None
                if place is None and bl == "alue" and h - start == 1:
                    out += self._named_area(line, toks[start], t)
                if place is None or h - start != 1:
                    continue
                if is_muni_head and place.type is EntityType.MUNICIPALITY:
                    out.append(Cand(toks[start].start, t.end, line.number, place.type,
                                    place.name, "name.municipality_actor", 0.95, place,
                                    aliases=[_display(name)]))
                elif is_place_head and place.type is EntityType.REGION:
                    out.append(Cand(toks[start].start, t.end, line.number, place.type,
                                    place.name, "name.region_phrase", 0.9, place,
                                    aliases=[_display(name)]))
                continue
            if start == h and not _plausible_single_org(t, base):
                continue
            rec = self.lookup(name)
            etype = EntityType.ORGANISATION
            if bl.endswith(lexicon.FUNDING_HEADS):
                etype = EntityType.FUNDING
            if rec is not None:
                etype = rec.type
            end = t.end
            # a legal form right after the head belongs to the name
            if h + 1 < len(toks) and legal_form(toks[h + 1].text):
                name = f"{name} {legal_form(toks[h + 1].text)}"
                end = toks[h + 1].end
            out.append(Cand(toks[start].start, end, line.number, etype,
                            rec.name if rec else _display(name), "name.org_head", 0.85, rec,
                            aliases=[_display(name)]))
            # `Kotkan ja Haminan Kauppakamareille`: a shared plural head
            out += self._distributed_heads(line, text, start, h, base)
        return out

    def _named_area(self, line: Line, name: Tok, head: Tok) -> list[Cand]:
        """`Perämeren alueella`, `Itämeren alueelle`: a capitalised genitive inside
        a sentence before `alue` names an area, though no register lists it (a
        sea, a strait, a lake district); not an acronym (`EU:n alueella`), not an
        organisation's or a person's name."""
        k = name.i
        if k == 0 or line.toks[k - 1].text in (".", "!", "?", ":", "•", "–", "-") \
                or not name.text[:1].isupper() or name.text.isupper() \
                or ":" in name.text or not is_genitive(name.text):
            return []
        base = self.nominative(name.text)
        classes = word_classes(name.text)
        if _org_head(base) or classes & {"etunimi", "sukunimi"} or self.lookup(base):
            return []
        if not classes & {"paikannimi", "nimisana"}:
            return []
        area = capitalise(base)
        return [Cand(name.start, head.end, line.number, EntityType.REGION, area,
                     "name.region_phrase", 0.75, aliases=[f"{name.text} alue"])]

    def _distributed_heads(self, line: Line, text: str, start: int, h: int, base: str):
        """`Kotkan ja Haminan Kauppakamareille`, `Alfa ja Beeta -työryhmät`: a plural
        head shared by coordinated names gives each conjunct its own organisation
        (`Kotkan Kauppakamari`, `Alfa -työryhmä`)."""
        toks = line.toks
        head = toks[h].text
        readings = [a for a in analyses(head.lower()) if a.get("NUMBER")]
        if not readings or any(a.get("NUMBER") != "plural" for a in readings):
            return []
        if start < 2 or toks[start - 1].lower not in ("ja", "sekä"):
            return []
        hyphened = h - start == 2 and toks[h - 1].text == "-" and not toks[h - 1].space_after
        if hyphened:
            # `Liikenne ja Asuminen -valmisteluryhmät`: the conjunct is
            # the nominal words before `ja`, back to a clause boundary, from a capital
            first = start - 2
            while first > 0 and start - 2 - first < 3 and not toks[first - 1].is_punct \
                    and toks[first - 1].pos in ("NOUN", "PROPN", "ADJ", "X") \
                    and toks[first - 1].lower not in ("ja", "sekä"):
                first -= 1
            while first < start - 1 and not toks[first].is_cap:
                first += 1
            conj = toks[first:start - 1]
            if not conj or not conj[0].is_cap or any(t.pos in ("VERB", "AUX") for t in conj):
                return []
            name = f"{text[conj[0].start:conj[-1].end]} -{base}"
            return [Cand(conj[0].start, conj[-1].end, line.number, EntityType.ORGANISATION,
                         _display(name), "name.shared_head", 0.96, self.lookup(name),
                         aliases=[name])]
        if not toks[start - 2].is_cap or not is_genitive(toks[start - 2].text) \
                or h - start != 1:
            return []
        name = f"{toks[start - 2].text} {base}"
        # it outranks the bare genitive place it is written as (`Kotkan`)
        return [Cand(toks[start - 2].start, toks[start - 2].end, line.number,
                     EntityType.ORGANISATION, _display(name), "name.shared_head", 0.96,
                     self.lookup(name), aliases=[name])]

    def _persons(self, line: Line) -> list[Cand]:
        out = []
        toks = line.toks
        for i in range(len(toks) - 1):
            a, b = toks[i], toks[i + 1]
            if not capitalised_pair(a.text, b.text):
                continue
            if re.search(r"-[a-zåäö]", b.text):
                continue  # `Lande-hankkeella`: a name with a common word glued on, no surname
            if re.match(r"[A-ZÅÄÖ]{2,}(?::?[a-zåäö]+)$", a.text):
                continue  # `ALFAn Liisa Virtanen`: an acronym with a case ending, no first name
            ca, cb = word_classes(a.text), word_classes(b.text)
            first_last = "etunimi" in ca and ("sukunimi" in cb or not cb or "nimi" in cb
                                              or b.ent == "PERSON")
            # `Virtanen Liisa` at a line start, or as a form's value (`nimi: Korhonen Matti`)
            last_first = ("sukunimi" in ca and "etunimi" in cb
                          and (i == 0 or toks[i - 1].text in (":", ",")))
            if not (first_last or last_first or (a.ent == b.ent == "PERSON")):
                continue
            if _org_head(self.nominative(b.text)) or self._place_record(b.text):
                continue
            if "paikannimi" in cb and "sukunimi" not in cb:
                continue
            surname = head_nominative(b.text, _is_name)
            if surname != b.text and not _inflects_as_noun(b.text):
                # surnames inflect as nouns: `Kulla` read only as the pronoun `kuka`
                # (adessive) is a surname Voikko does not know, as written
                surname = b.text
            name = f"{a.text} {surname}"
            # both parts known as names is strong; a first name before an unknown word
            # (`Kalle Boost-hankkeella`) yields to a project marker on the same words
            conf = 0.9 if "sukunimi" in cb or last_first else 0.8 if first_last else 0.6
            out.append(Cand(a.start, b.end, line.number, EntityType.PERSON, name,
                            "name.person", conf))
        return out

    def _place_record(self, word: str) -> AuthorityRecord | None:
        base = head_nominative(word, lambda b: self.lookup(b) is not None)
        rec = self.lookup(base)
        if rec is not None and rec.type in (EntityType.MUNICIPALITY, EntityType.REGION):
            return rec
        return None

    def _places(self, line: Line) -> list[Cand]:
        """Places of the authority data in any case; a place only Voikko knows (a
        country, a lake, a sea, `Länsi-Suomi`) only where it says where something
        happens (`Portugalissa`, `Maltalla`) or as the value of an area key: in the
        nominative or another case it is mostly part of a name (`Kestävä Häme
        -ohjelma`, `Visit Päijänne`) or a place mentioned in passing (`Viroon asti`)."""
        out = []
        toks = line.toks
        key = line_key(line.text)
        area_line = bool(key) and key[0] == "area"
        for t in toks:
            dateline = len(toks) == 1 and t.text.isupper()  # `SEINÄJOKI` above a news item
            if not (t.is_cap and t.text[:1].isalpha()) or \
                    (t.text.isupper() and len(t.text) > 1 and not dateline):
                continue  # an all-caps word is an acronym (`EURA 2021`), not a place
            if dateline:
                rec = self._place_record(t.text.capitalize())
                if rec is not None:
                    out.append(Cand(t.start, t.end, line.number, rec.type, rec.name,
                                    "name.place.dateline", 0.85, rec))
                continue
            rec = self._place_record(t.text)
            if rec is not None:
                out.append(Cand(t.start, t.end, line.number, rec.type, rec.name,
                                "name.place.authority", 0.9, rec))
                continue
            classes = word_classes(t.text)
            nxt = toks[t.i + 1] if t.i + 1 < len(toks) else None
            if nxt is not None and nxt.is_cap and is_genitive(t.text):
                continue  # `Länsi-Suomen Osaamistalo`: a place inside a name
            if "paikannimi" in classes and cases_of(t.text) == {"Gen"}:
                continue  # `Ukrainan jälleenrakennus`, `Tallinnan tunneli`: a modifier
            if "paikannimi" in classes and (t.i > 0 or classes == {"paikannimi"}) \
                    and not lexicon_word(t.text) and (area_line or _where_case(t.text)):
                out.append(Cand(t.start, t.end, line.number, EntityType.REGION,
                                _place_nominative(t.text), "name.place.voikko", 0.6))
        return out

    def _marker_projects(self, line: Line, text: str) -> list[Cand]:
        """`NAME -hanke`, `NAME-hankkeen`, `NAME –projektiin`, `Tuuli-pilotissa`."""
        out = []
        stems = "|".join(sorted(lexicon.PROJECT_MARKER_STEMS, key=len, reverse=True))
        for m in re.finditer(rf"(?:(?<=[\w!?])|\s)[-–]\s?((?:{stems})\w*)", line.text):
            marker_start = line.start + m.start()
            marker_word = m.group(1)
            marker_nom = head_nominative(marker_word.lower(),
                                         lambda b: b in lexicon.PROJECT_MARKERS)
            if marker_nom not in lexicon.PROJECT_MARKERS:
                continue  # `JTF-hankehakemukset`, `-hankehaussa`: not a project's name
            if all(a.get("NUMBER") == "plural" for a in analyses(marker_word.lower())
                   if a.get("BASEFORM") == marker_nom) and analyses(marker_word.lower()):
                continue  # `Valtionavustus -hankkeiden`: a kind of projects, not a name
            toks = [t for t in line.toks if t.end <= marker_start + (m.group(0)[0] != " ")]
            glued = not m.group(0)[0].isspace()  # `verkosto-projektin`, not `ITÄÄ! -hanke`
            if glued or (toks and toks[-1].end > marker_start):
                # `verkosto-projektin`: the token holding the marker carries the last word
                holder = next((t for t in line.toks if t.start <= marker_start < t.end), None)
                if holder is None:
                    continue
                toks = [t for t in line.toks if t.i < holder.i]
                last_word_end = marker_start
                first_part = text[holder.start:marker_start]
                if not first_part:
                    continue
            else:
                last_word_end = toks[-1].end if toks else marker_start
                first_part = ""
            name_toks = _project_name_run(toks, cases_of(marker_word), marker_word)
            if not name_toks and not first_part:
                continue
            start = name_toks[0].start if name_toks else marker_start - len(first_part)
            name = text[start:last_word_end].strip()
            if not name or len(name) < 2 or name[0] in "-–":
                continue
            name = name.strip(" -–")
            if self.lookup(name) is not None or len(name) < 3:
                continue  # `ESR+-hankkeesta`, `EU-hanke`: a kind of project, not a name
            if re.search(r"\b(erityistavoite|toimintalinja|painopiste|toimenpidekokonaisuus)"
                         r"\s*[\d.]*\s*:?\s*$", text[line.start:start], re.I):
                continue  # `erityistavoite 4.3: Yhdenvertainen osallisuus -hanke`: an objective
            aliases = [f"{name}-{marker_nom}" if glued else f"{name} -{marker_nom}"]
            out.append(Cand(start, last_word_end, line.number, EntityType.PROJECT,
                            capitalise(name), "project.marker", 0.85, aliases=aliases))
        return out

    def _quoted_projects(self, line: Line) -> list[Cand]:
        out = []
        for m in re.finditer(rf"[{QUOTES}]([^{QUOTES}\n]{{2,90}})[{QUOTES}]", line.text):
            inner = m.group(1).strip()
            if not inner[:1].isupper() or len(inner.split()) > 12:
                continue
            before = line.text[:m.start()].rstrip().split(" ")[-1:]
            if before and before[0][:1].isupper() and not before[0].endswith((":", ",")):
                continue  # `University of Mining and Geology “St. Ivan Rilski”`: part of a name
            s = line.start + m.start(1)
            out.append(Cand(s, s + len(m.group(1)), line.number, EntityType.PROJECT, inner,
                            "project.quoted", 0.8))
        return out

    def _listed_names(self, lines: list[Line], text: str, cands: list[Cand]) -> list[Cand]:
        """The members of a list after a role cue or a role key are names, even
        foreign ones without a Finnish head word (`osatoteuttajat ovat Porto Lifelong
        Learning Institute Portugalissa, Malta Business College …`); the value of a
        funder key is a fund when nothing else names it (`Rahoittaja` / `Erasmus+`)."""
        out = []
        # after the cue, any lower-case words (`ovat`, `mm.`, `yhteistyöorganisaatiot`)
        # come before the first member
        cue_re = re.compile(r"\b(" + "|".join(lexicon.LIST_CUES)
                            + r")\w*\b[:\s]*(?:[a-zåäö][\w.-]*\s+){0,4}")
        area_cue = re.compile(r"\b(?:alueet|alueina|alueita|kohdealueet|kohdealueina)\s+"
                              r"(?:ovat|olivat|on)\s+")
        for n, line in enumerate(lines):
            area_starts = set()
            for m in area_cue.finditer(line.text):  # `mukana olevat alueet ovat Porto (…), …`
                out += self._listed(line, text, m.end(), cands, EntityType.REGION)
                area_starts.add(m.end())
            key = line_key(line.text)
            if key and key[0] == "funder":
                value_line = lines[n + 1] if key[2] >= len(line.text) and n + 1 < len(lines) \
                    else line
                offset = 0 if value_line is not line else key[2]
                out += self._listed(value_line, text, offset, cands, EntityType.FUNDING)
                continue
            starts = []
            if key and key[0] in ("implementers", "partners", "administrator"):
                starts.append(key[2] if key[2] < len(line.text) else None)
            starts += [m.end() for m in cue_re.finditer(line.text)]
            for st in starts:
                if st is not None and st not in area_starts:  # a list of areas, not members
                    out += self._listed(line, text, st, cands, EntityType.ORGANISATION)
        return out

    def _listed(self, line: Line, text: str, offset: int, cands: list[Cand],
                etype: EntityType) -> list[Cand]:
        out = []
        rest = line.text[offset:]
        # the list ends with the sentence; `St.` or `mm.` inside a name does not end it
        end_m = re.search(r"(?<![\s.]\w)(?<![\s.]\w\w)[.;](\s|$)", rest)
        rest = rest[:end_m.start()] if end_m else rest
        pos = line.start + offset
        for part in re.split(r"(,\s+|\s+ja\s+|\s+sekä\s+)", rest):
            p_start = pos
            pos += len(part)
            if not part or re.fullmatch(r",\s+|\s+ja\s+|\s+sekä\s+", part):
                continue
            if etype is EntityType.REGION:
                # `Porto (Portugali)`: the country in brackets is a listed area too
                bracket = re.search(r"\s*\(([A-ZÅÄÖ][\w-]+)\)\s*$", part)
                if bracket:
                    b0 = p_start + bracket.start(1)
                    b1 = p_start + bracket.end(1)
                    if self._is_place(bracket.group(1)) and \
                            not any(c.start < b1 and b0 < c.end for c in cands):
                        out.append(Cand(b0, b1, line.number, etype,
                                        _place_nominative(bracket.group(1)), "name.listed", 0.7))
                part = re.sub(r"\s*\([^)]*\)\s*$", "", part)
            words = part.split()
            # a trailing place in the inessive/adessive says where the member is
            while len(words) > 1 and words[-1][:1].isupper() and \
                    cases_of(words[-1]) & {"Ine", "Ade"} and self._is_place(words[-1]):
                words.pop()
            name = " ".join(words).strip(" ()")
            if not name or not name[:1].isupper() or len(words) > 8 or len(name) < 3:
                continue
            lower = [w for w in words[1:] if w[:1].islower()]
            if any(w not in _NAME_FUNCTION_WORDS for w in lower) and not legal_form(words[-1]):
                continue  # a clause, not a name (`… -ohjelmasta saavassa hankkeessa`)
            s = p_start + (len(part) - len(part.lstrip()))
            e = s + len(name)
            if any(c.start < e and s < c.end for c in cands):
                continue
            if MONEY_RE.search(name) or re.search(r"\d{1,2}\.\d{1,2}\.", name):
                continue
            out.append(Cand(s, e, line.number, etype, name, "name.listed", 0.7))
        return out

    def _is_place(self, word: str) -> bool:
        return self._place_record(word) is not None or "paikannimi" in word_classes(word)

    def _heading_projects(self, lines: list[Line], cands: list[Cand]) -> list[Cand]:
        """A short line above the keys of a project description is the project's
        name (`Road to Data` / `Hakija: …`), and so is a page title that the
        breadcrumb or a link line repeats above the page's sections."""
        out = []
        texts = [ln.text for ln in lines]
        keys = [line_key(t) for t in texts]
        for n, line in enumerate(lines):
            t = line.text
            if keys[n] or not _heading_shape(line) or _is_one_name(line, cands):
                continue
            if n > 0 and keys[n - 1] and keys[n - 1][2] >= len(texts[n - 1]):
                continue  # the value below a key alone on its line
            nearby = texts[max(0, n - 3):n] + texts[n + 1:n + 4]
            if any(o != t and t.startswith(o) for o in nearby):
                continue  # the link line (`Name Hankesivustolle`) of a shorter heading
            repeated = any(o != t and (o.startswith(t) or o.endswith(t)) for o in nearby)
            below = [o for o in texts[n + 1:n + 5] if not o.startswith(t)]
            project_keys = any(is_project_key(o) for o in below[:2])
            sections = any(line_key(o) for o in below[:3])
            if not (project_keys or (repeated and sections)):
                continue
            aliases = []
            parts = re.split(r"\s[-–]\s", t, maxsplit=1)
            if len(parts) == 2 and len(parts[0].split()) <= 3:
                aliases.append(parts[0])  # `Sisu - Osallisuutta …` is also `Sisu`
            out.append(Cand(line.start, line.end, line.number, EntityType.PROJECT, t,
                            "project.heading", 0.75, aliases=aliases))
        return out

    def _form_name_projects(self, lines: list[Line]) -> list[Cand]:
        """Application forms: `Hankkeen nimi: X`, `Projektin nimi X`, or the key on
        its own line with the name below."""
        out = []
        key_re = re.compile(r"\b(?:hankkeen|projektin)\s+(?:virallinen\s+)?nimi(?:\s+on)?\s*:?\s*",
                            re.I)
        person_re = re.compile(r"\byhteyshenkilö\w*\s+nimi\s*:\s*(?P<v>[A-ZÅÄÖ][\w-]+"
                               r"(?:\s+[A-ZÅÄÖ][\w-]+){1,2})\s*$")
        for n, line in enumerate(lines):
            pm = person_re.search(line.text)
            if pm:  # `Hankkeen yhteyshenkilön nimi: Korhonen Matti`: the value is a person
                s0 = line.start + pm.start("v")
                out.append(Cand(s0, s0 + len(pm.group("v")), line.number, EntityType.PERSON,
                                pm.group("v"), "name.form_person", 0.85))
                continue
            m = key_re.search(line.text)
            if not m:
                continue
            value_line, start = line, m.end()
            if start >= len(line.text) and n + 1 < len(lines):
                value_line, start = lines[n + 1], 0
            value = value_line.text[start:].strip()
            if value[:1] in QUOTES:
                continue  # a quoted name is read by _quoted_projects
            marker = re.search(r"\s+[-–]\s*\w*(hank|projekt)\w*$", value)
            if marker is None and len(value.split()) > 16:
                # a form flattened onto one line (`Projektin nimi Alfa - matkailuhanke
                # Ohjelma …`): the name runs to its project marker
                marker = re.search(r"\s+[-–]\s*\w*(hank|projekt)\w*", value)
                if marker is not None:
                    value = value[:marker.end()]
            name = value[:marker.start()] if marker else value
            name = name.strip(" .")
            if not name[:1].isupper() or not 1 <= len(name.split()) <= 16:
                continue
            s0 = value_line.start + value_line.text.index(name, start)
            # as sure as a project marker on the same words, and preferred to it: the
            # form says this is the project it is about
            out.append(Cand(s0, s0 + len(name), value_line.number, EntityType.PROJECT, name,
                            "project.form_name", 0.85,
                            aliases=[value] if value != name else []))
        return out

    def _introduced_list_projects(self, lines: list[Line], text: str) -> list[Cand]:
        """`… seuraavien hankkeiden siirtämiseksi:` then `1. NAME`, `• NAME`: each
        item of a list introduced as projects is a project's name."""
        out = []
        introduced = False
        for line in lines:
            low = line.text.lower()
            if re.search(r"\bseuraav\w*\s+(\w+\s+)?(hank|projekt)", low) or \
                    re.search(r"\b(hankkeet|hankkeille|hankkeita|projektit)\s*:\s*$", low):
                introduced = True
                continue
            m = re.match(r"^(?:\d+[.)]|[•*·–-])\s+(?P<body>.+)$", line.text)
            if not introduced or not m:
                continue
            body = m.group("body")
            if ", " in body or body.endswith("."):
                continue  # `NAME, APPLICANT` items are read by _list_item_projects
            marker = re.search(r"\s*[-–]\s?(hank|projekt)\w*.*$", body)
            name = body[:marker.start()] if marker else body
            aliases = []
            acronym = re.search(r"\s\(([A-ZÅÄÖ][\w-]{1,12})\)$", name)
            if acronym:
                aliases.append(acronym.group(1))
                name = name[:acronym.start()]
            if not name[:1].isupper() or len(name.split()) > 20:
                continue
            s0 = line.start + m.start("body")
            out.append(Cand(s0, s0 + len(name), line.number, EntityType.PROJECT, name,
                            "project.introduced_list", 0.75, aliases=aliases))
        return out

    def _list_item_projects(self, lines: list[Line], text: str, cands: list[Cand]) -> list[Cand]:
        """Funding-decision lists: `NAME, APPLICANT[ ja APPLICANT][, AMOUNT]`, one
        project a line. The applicant fields are names found already; the name is
        everything before them (it may hold commas itself)."""
        out = []
        actors = [c for c in cands if c.type in (EntityType.ORGANISATION,
                                                 EntityType.MUNICIPALITY)]
        for n, line in enumerate(lines):
            body = line.text.lstrip("•*-–·\t ")
            offset = line.start + (len(line.text) - len(body))
            if body.endswith((".", ":")) or ", " not in body or line_key(line.text):
                continue  # `• Kumppanit: A, B, C` is a key and its value, not a project
            fields, pos = [], offset
            for f in body.split(", "):
                fields.append((pos, pos + len(f), f))
                pos += len(f) + 2
            end = len(fields)
            money_last = bool(MONEY_RE.fullmatch(fields[-1][2].strip()))
            if money_last:
                end -= 1
            k = end
            while k > 1 and _field_is_actors(fields[k - 1], actors, text):
                k -= 1
            if k == end:
                continue
            bullet = body != line.text
            money_next = n + 1 < len(lines) and bool(MONEY_RE.search(lines[n + 1].text))
            if not (bullet or money_last or money_next):
                continue
            name_end = fields[k - 1][1]
            name = text[offset:name_end]
            acronym = re.search(r"\s\(([A-ZÅÄÖ][\w-]{1,12})\)$", name)
            aliases = []
            if acronym:
                aliases.append(acronym.group(1))
                name = name[:acronym.start()]
            if not name[:1].isalnum() or len(name.split()) > 25 or MONEY_RE.search(name):
                continue
            out.append(Cand(offset, offset + len(name), line.number, EntityType.PROJECT,
                            name, "project.list_item", 0.8, aliases=aliases))
        return out

    def _prefixed_and_english_names(self, line: Line) -> list[Cand]:
        """`Osuuskunta A. Vipunen` (a legal form first) and English names of partners
        (`Helsinki Business College`, `Valencia Institute of Building`, `City of Utrecht`)."""
        out = []
        cap = r"[A-ZÅÄÖ][\w&.'-]*"
        prefixes = "|".join(lexicon.LEGAL_FORM_PREFIXES)
        for m in re.finditer(rf"\b(?:{prefixes})(?:\s+{cap}){{1,4}}", line.text):
            out.append(self._name_cand(line, m.start(), m.group(0), "name.legal_form_prefix"))
        heads = "|".join(lexicon.ENGLISH_ORG_HEADS)
        pattern = (rf"(?:(?:{cap}|of|and|for|the)\s+){{0,5}}(?:{heads})\b"
                   rf"(?:\s+(?:of|for|and)(?:\s+(?:{cap}|and|the)){{1,5}})?"
                   rf"(?:\s+“[^”]{{2,40}}”)?|City of\s+{cap}")
        for m in re.finditer(pattern, line.text):
            name = re.sub(r"^(?:of|and|for|the)\s+", "", m.group(0)).strip()
            name = re.sub(r"\s+(?:of|and|for|the)$", "", name)
            offset = m.start() + m.group(0).index(name)
            # `European University Cyprus`: foreign words after the head belong to it,
            # a Finnish word in a case (`Maltalla`) does not
            tail = re.match(rf"(?:\s+{cap})+", line.text[m.end():])
            if tail:
                for w in tail.group(0).split():
                    if analyses(w) or legal_form(w):
                        break
                    name += " " + w
            if len(name.split()) >= 2 and name[:1].isupper():
                out.append(self._name_cand(line, offset, name, "name.english"))
        return out

    def _name_cand(self, line: Line, offset: int, name: str, rule: str) -> Cand:
        s0 = line.start + offset
        return Cand(s0, s0 + len(name), line.number, EntityType.ORGANISATION, name, rule, 0.8,
                    self.lookup(name))

    def _funding_phrases(self, line: Line, text: str) -> list[Cand]:
        """Funds written in lower case (`maakunnan kehittämisrahaa`) and acronyms
        marked as funding (`AIKO-rahoitusta`, `AKKE-rahoitus`)."""
        out = []
        toks = line.toks
        for h, t in enumerate(toks):
            m = re.fullmatch(r"([A-ZÅÄÖ][A-ZÅÄÖ+]{2,9})-(\w+)", t.text)
            if m and self.nominative(m.group(2)).lower() in lexicon.FUNDING_SUFFIXES:
                rec = self.lookup(m.group(1))
                if rec is None or rec.type is EntityType.FUNDING:
                    s0 = t.start
                    out.append(Cand(s0, s0 + len(m.group(1)), line.number, EntityType.FUNDING,
                                    rec.name if rec else m.group(1), "name.funding_acronym", 0.8,
                                    rec, aliases=[m.group(1), f"{m.group(1)}-rahoitus"]))
                continue
            if not t.text.islower():
                continue
            base = self.nominative(t.text).lower()
            if not base.endswith(lexicon.FUNDING_HEADS):
                continue
            first = h
            while first > 0 and is_genitive(toks[first - 1].text) \
                    and toks[first - 1].text.isalpha() and h - first < 3:
                first -= 1
            name = capitalise(text[toks[first].start:t.start] + base)
            aliases = [base] if first < h else []
            out.append(Cand(toks[first].start, t.end, line.number, EntityType.FUNDING, name,
                            "name.funding_phrase", 0.6, self.lookup(name), aliases=aliases))
        return out

    def _acronym_employers(self, line: Line) -> list[Cand]:
        """`KEHYKin toimitusjohtaja`: an all-caps word in the genitive before a job
        title is an organisation, known or not."""
        out = []
        toks = line.toks
        for k in range(len(toks) - 1):
            m = re.fullmatch(r"([A-ZÅÄÖ]{3,10})(?::n|in|n)", toks[k].text)
            if m and is_title(toks[k + 1].text):
                out.append(Cand(toks[k].start, toks[k].start + len(m.group(1)), line.number,
                                EntityType.ORGANISATION, m.group(1), "name.acronym_employer", 0.7,
                                self.lookup(m.group(1))))
        return out

    def _title_organisations(self, lines: list[Line], text: str, cands: list[Cand]) -> list[Cand]:
        """`Matti Korhonen, maakunnan yhteistyöryhmän puheenjohtaja`: the genitive
        before a person's title names the organisation, even in lower case."""
        out = []
        for c in cands:
            if c.type is not EntityType.PERSON or text[c.end:c.end + 2] != ", ":
                continue
            line = lines[c.line]
            toks = [t for t in line.toks if t.start >= c.end + 2]
            phrase = []
            for t in toks:
                if t.is_punct:
                    break
                phrase.append(t)
            # the last genitive with an organisation head, and its genitive modifiers
            for k in range(len(phrase) - 2, -1, -1):
                head = phrase[k]
                base = self.nominative(head.text)
                if not (is_genitive(head.text) and _org_head(base)):
                    continue
                first = k
                while first > 0 and is_genitive(phrase[first - 1].text):
                    first -= 1
                if any(x.start < head.end and phrase[first].start < x.end for x in cands):
                    break  # already a name
                name = capitalise(text[phrase[first].start:head.start] + base)
                out.append(Cand(phrase[first].start, head.end, c.line, EntityType.ORGANISATION,
                                name, "name.title_org", 0.7, self.lookup(name)))
                break
        return out

    def _parent_organisations(self, cands: list[Cand], text: str) -> list[Cand]:
        """`Aalto-yliopiston Pienyrityskeskus`, `Helsingin yliopiston Ruralia-instituutti`:
        a unit named after a known organisation in the genitive is part of it, and the
        organisation is named there too."""
        out = []
        for c in cands:
            if c.type is not EntityType.ORGANISATION or c.authority is not None:
                continue
            words = c.surface.split()
            for k in range(len(words) - 1, 0, -1):
                head = words[k - 1]
                if not is_genitive(head):
                    continue
                prefix = " ".join(words[:k - 1] + [self.nominative(head)])
                rec = self.lookup(prefix)
                if rec is None or rec.type is not EntityType.ORGANISATION:
                    continue
                end = c.start + len(" ".join(words[:k]))
                parent = Cand(c.start, end, c.line, rec.type, rec.name, "name.parent_org", 0.9,
                              rec, surface=text[c.start:end])
                c.part_of = parent
                out.append(parent)
                break
        return out

    def _expanded_acronyms(self, cands: list[Cand], text: str) -> list[Cand]:
        """`Alueiden kestävän kasvun ja elinvoiman tukeminen (AKKE)`: a known acronym
        in brackets after a name makes that name the acronym's entity as written."""
        out = []
        for c in cands:
            if c.authority is None or c.rule != "gazetteer.abbreviation":
                continue
            if text[c.start - 1:c.start] != "(" or text[c.end:c.end + 1] != ")":
                continue
            line_start = text.rfind("\n", 0, c.start) + 1
            left = text[line_start:c.start - 1].rstrip()
            cut = max(left.rfind(", "), left.rfind(": "), left.rfind("; "))
            words = (left[cut + 2:] if cut >= 0 else left).split()
            kept: list[str] = []
            for w in reversed(words):  # back to a marker word, a verb or a pronoun
                if w.startswith("-") or is_finite_verb(w) or "asemosana" in word_classes(w) \
                        or len(kept) == 10:
                    break
                kept.insert(0, w)
            name = " ".join(kept)
            if not name[:1].isupper() or not 2 <= len(kept) <= 10:
                continue
            s = line_start + left.rindex(name)
            out.append(Cand(s, c.end + 1, c.line, c.type, c.authority.name, "name.acronym_defined",
                            0.9, c.authority, aliases=[name, text[c.start:c.end]]))
        return out

    def _acronyms_and_short_forms(self, lines, text, chosen: list[Cand]) -> list[Cand]:
        """`Name (ACR)` defines ACR; a name's distinctive first word stands for it later."""
        out: list[Cand] = []
        defined: dict[str, Cand] = {}
        for c in chosen:
            if c.type not in (EntityType.ORGANISATION, EntityType.FUNDING, EntityType.PROJECT):
                continue
            m = re.match(r"\s*\(([A-ZÅÄÖ][\w+&-]{1,12})\)", text[c.end:c.end + 20])
            if m:
                acr = m.group(1)
                c.aliases.append(acr)
                defined[acr] = c
            if c.rule == "name.acronym_employer":
                # `ALFAn toimitusjohtaja`: an acronym proven an organisation once names
                # it wherever else the document writes it (`ALFA on mukana`, `ALFAn Liisa`)
                defined.setdefault(c.name, c)
            first = c.name.split()[0] if c.name else ""
            if (c.type is EntityType.ORGANISATION and len(c.name.split()) >= 2
                    and len(first) >= 4 and not analyses(first) and first[:1].isupper()):
                defined.setdefault(first, c)
        # `Alfalan sairaanhoitoiiri (ASHP)`: an acronym in brackets whose letters are
        # the initials of the words or compound parts of one organisation named in the
        # document stands for it, even when the words before it are misspelt
        orgs = {fold(c.name): c for c in chosen if c.type is EntityType.ORGANISATION}
        for m in re.finditer(r"\(([A-ZÅÄÖ]{2,8})\)", text):
            acr = m.group(1)
            if acr in defined or fold(acr) in self._abbreviations:
                continue
            fits = [c for c in orgs.values() if acr in _initials(c.name)]
            if len(fits) == 1:
                defined[acr] = fits[0]
        if not defined:
            return out
        pattern = re.compile(
            r"(?<![\w+])(" + "|".join(re.escape(a) for a in sorted(defined, key=len, reverse=True))
            + r")(?::\w+|n\b|in\b|a\b|lle\b|ssa\b|sta\b|lla\b|lta\b)?(?![\w+])"
        )
        covered = [(c.start, c.end) for c in chosen]
        for line in lines:
            for m in pattern.finditer(line.text):
                s = line.start + m.start(1)
                e = line.start + m.end(1)
                if any(a <= s < b for a, b in covered):
                    continue
                target = defined[m.group(1)]
                out.append(Cand(s, e, line.number, target.type, target.name, "name.alias",
                                0.8, target.authority, aliases=[m.group(1)]))
        return out


# ---------------------------------------------------------------------- helpers

def is_title(word: str) -> bool:
    """A job title in lower case (`toimitusjohtaja`, `kehittämispäällikkö`)."""
    if not word.islower():
        return False
    base = head_nominative(word, lambda b: b.endswith(lexicon.TITLE_HEADS)).lower()
    return base.endswith(lexicon.TITLE_HEADS)


def _persons_again(cands: list[Cand], lines: list[Line]) -> list[Cand]:
    """A name read as a person once (`Liisa Virtanen` in a caption) is that person
    wherever else the document writes it, with or without a case ending, even
    where the model and Voikko do not know it (`… iloitsee ALFAn Runar Vikström`)."""
    persons = {c.surface: c for c in cands if c.type is EntityType.PERSON
               and c.surface == c.name and len(c.name.split()) == 2}
    if not persons:
        return []
    covered = [(c.start, c.end) for c in cands]
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(n) for n in
                                                   sorted(persons, key=len, reverse=True))
                         + r")(?::?[a-zåäö]{1,4})?(?![\w-])")
    out = []
    for line in lines:
        for m in pattern.finditer(line.text):
            s, e = line.start + m.start(), line.start + m.end()
            if any(a < e and s < b for a, b in covered):
                continue
            c = persons[m.group(1)]
            out.append(Cand(s, e, line.number, EntityType.PERSON, c.name, "name.person_again",
                            0.8))
    return out


def _initials(name: str) -> set[str]:
    """The acronyms a name can have: each word gives its first letter or the first
    letters of its compound parts (`sairaanhoitopiiri` → S or SHP); `ja` gives none."""
    options = {""}
    for word in re.findall(r"[^\W\d_]+", name):
        if word.lower() in ("ja", "sekä", "och", "and", "of"):
            continue
        forms = {word[0].upper()}
        for a in analyses(word):
            structure = a.get("STRUCTURE", "")
            parts = [p for p in structure.split("=") if p]
            if len(parts) > 1:
                pos, letters = 0, []
                for p in parts:
                    letters.append(word[pos:pos + 1].upper())
                    pos += len(p)
                forms.add("".join(letters))
        options = {o + f for o in options for f in forms}
        if len(options) > 256:
            break
    return options


def _where_case(word: str) -> bool:
    """A place name in the inessive or adessive (`Portugalissa`, `Maltalla`)."""
    return any(a.get("CLASS") == "paikannimi" and a.get("SIJAMUOTO") in ("sisaolento",
                                                                        "ulkoolento")
               for a in analyses(word))


def _place_nominative(word: str) -> str:
    """The nominative of a place name; a plural name stays plural (`Alankomaissa` →
    `Yhdysvallat`, `Filippiineillä` → `Filippiinit`), where Voikko's base is singular."""
    readings = [a for a in analyses(word) if a.get("CLASS") == "paikannimi"]
    base = head_nominative(word, lambda b: "paikannimi" in word_classes(b))
    if readings and all(a.get("NUMBER") == "plural" for a in readings):
        if any(a.get("SIJAMUOTO") == "nimento" for a in readings):
            return word
        if base[-1:] in "aeiouyäö":
            return base + "t"
    return base


def lexicon_word(word: str) -> bool:
    """A word Voikko knows as a common noun (so a capital may be sentence-initial)."""
    return "nimisana" in word_classes(word) and "paikannimi" not in word_classes(word)


def _display(name: str) -> str:
    return capitalise(re.sub(r"\s+", " ", name).strip())


def _first_capitalised(toks: tuple[Tok, ...], i: int, j: int,
                       trust_capital: bool = False) -> int | None:
    """The first capitalised token of a name; with ``trust_capital`` (a legal form
    proves it is a name: `Kylätalo ry`) a sentence's first word counts too."""
    for k in range(i, j):
        if not trust_capital and _capital_only_as_sentence_start(toks, k):
            continue
        if toks[k].is_cap or toks[k].text[:1].isdigit() and k > i:
            return k
    return None


def _capital_only_as_sentence_start(toks: tuple[Tok, ...], k: int) -> bool:
    """`Maakunnallisen kyläyhdistyksen …`, `Tätä Kylätie-hanketta …`: a common word
    or pronoun written with a capital only because the sentence begins there."""
    t = toks[k]
    if not t.is_cap or t.text.isupper():
        return False
    starts = k == 0 or toks[k - 1].text in (".", "!", "?", ":", "•", "–", "-")
    if not starts:
        return False
    if k + 2 < len(toks) and toks[k + 1].text == "-" and not toks[k + 1].space_after \
            and toks[k].space_after:
        return False  # `Asuminen -valmistelutyöryhmän`: a name joined to its head word
    if t.pos in ("PRON", "DET", "ADV", "ADP", "SCONJ", "CCONJ"):
        return True
    first_part = t.text.split("-")[0]
    if "-" in t.text.strip("-") and (not analyses(first_part) or word_classes(first_part)
                                     & {"nimi", "etunimi", "sukunimi", "paikannimi"}):
        return False  # `Pyhäjärvi-instituuttisäätiölle`: a proper first part keeps its capital
    classes = word_classes(t.text)
    return bool(classes) and not classes & {"nimi", "etunimi", "sukunimi", "paikannimi"} \
        and k + 1 < len(toks) and not toks[k + 1].is_cap


def _plausible_single_word(tok: Tok, record: AuthorityRecord) -> bool:
    """One-word authority names: only when written as a name (capital, or an acronym)."""
    if record.type in (EntityType.MUNICIPALITY, EntityType.REGION):
        return tok.is_cap and not (tok.text.isupper() and len(tok.text) > 1)  # not `EURA`
    return tok.is_cap or tok.text.isupper()


def _plausible_single_org(tok: Tok, base: str) -> bool:
    """One-word organisation names (Satakuntaliitto, Diakonissalaitos) are compounds
    with a specific first part; the bare type word (`Yhdistys`) is no name."""
    if not tok.is_cap:
        return False
    if base.lower() in lexicon.ORG_HEADS:
        return False
    if "-" in tok.text.strip("-") and tok.text.split("-")[0][:1].isupper():
        return True  # `Koivula-instituuttisäätiö`: a proper first part
    return tok.i > 0 or "nimisana" not in word_classes(tok.text)


def _common_genitive(tok: Tok) -> bool:
    """A genitive common noun (`terveyden`), not a proper name (`Kuopion`)."""
    classes = word_classes(tok.text)
    return is_genitive(tok.text) and "nimisana" in classes and \
        not classes & {"paikannimi", "nimi", "etunimi", "sukunimi"}


def _heading_shape(line: Line) -> bool:
    """Short, no sentence end, no money or list punctuation, some words, not a
    numbered item or a sentence that starts with its verb."""
    t = line.text
    if not t[:1].isalnum() or t.endswith((".", ":", ",")) or len(t.split()) > 16:
        return False
    if MONEY_RE.search(t) or not re.search(r"[^\W\d_]{3,}", t):
        return False
    if re.match(r"\d+[.)]?\s", t) or t.lower() in lexicon.PROJECT_ANAPHORA:
        return False  # a numbered item or section
    if re.match(r"^[^:]{2,60}:\s", t):
        return False  # `Vastuuviranomainen: …`: a key and its value, known key or not
    words = [w.lower().strip("!?,") for w in t.split()]
    if any(w in lexicon.SECTION_WORDS for w in words) and \
            all(w in lexicon.SECTION_WORDS or not w[:1].isupper() for w in t.split()[1:]):
        return False  # `Tietoa hankkeesta`: a section of the page, not its name
    if len(t.split()) >= 6 and any(
            w.islower() and any(a.get("MOOD") == "indicative" for a in analyses(w))
            for w in t.split()[1:]):
        return False  # `Hallitus puoltaa seuraavia hankkeita …`: a sentence without its stop
    return line.toks[0].pos not in ("VERB", "AUX")


def _is_one_name(line: Line, cands: list[Cand]) -> bool:
    """A line that is just an organisation's or place's name is a value, not a heading."""
    return any(c.start <= line.start and line.end <= c.end + 1 and c.type is not EntityType.PROJECT
               for c in cands)


def _field_is_actors(field: tuple[int, int, str], actors: list[Cand], text: str) -> bool:
    """Is a comma field made of actor names only (`Vantaan kaupunki ja Uudenmaan
    liitto`, `Pohjoisen kulttuurin tuottajat ja tekijät ry PKT`)?"""
    start, end, _ = field
    inside = sorted((c for c in actors if start <= c.start and c.end <= end),
                    key=lambda c: c.start)
    if not inside or inside[0].start != start:
        return False
    rest, pos = [], start
    for c in inside:
        rest.append(text[pos:c.start])
        pos = c.end
    rest.append(text[pos:end])
    leftover = " ".join(rest)
    leftover = re.sub(r"\b(ja|sekä)\b|\b[A-ZÅÄÖ]{2,}\b|[()\s]", "", leftover)
    return leftover == ""


def _project_name_run(toks: list[Tok], marker_cases: set[str] | None = None,
                      marker_word: str = "") -> list[Tok]:
    """The tokens of a project name that ends right before a marker: back to a
    clause boundary (punctuation, a lower-case verb, a capitalised common noun in
    an object case such as `EU-tukea`, an attribute agreeing with the marker such
    as `-rahoitteiseen CIRCLE-hankkeeseen`), then from its first capital on."""
    marker_cases = (marker_cases or set()) - {"Nom", "Gen"}
    run: list[Tok] = []
    commas = 0
    for t in reversed(toks):
        if t.text == "," and commas < 2 and run and not any(r.is_cap for r in run) \
                and any(r.lower in ("ja", "sekä") for r in run):
            # `Kylien elinvoima, vihreä siirtymä ja matkailu -hanke`: a
            # lower-case coordinated list ending the name; its capital lies further back
            commas += 1
            run.insert(0, t)
            continue
        if t.text in _STOP_PUNCT or t.text == "." or t.lower in ("euroa", "€", "eur"):
            break
        if legal_form(t.text) and t.text.endswith(":n"):
            break  # `Kylätalo ry:n Tuvat auki -hanke`: the owner, in the genitive
        if t.is_punct and t.text not in "!?-–&+'":
            break
        if not t.is_cap and (is_finite_verb(t.text) or _agent_participle(t.text)):
            break  # `… vetämä | Kulje kanssa – … saavutettaviksi -hanke`
        if t.text.startswith("-") and len(t.text) > 1:
            break  # `-rahoitteiseen`: an attribute of the marker word
        if t.lower in ("nimi", "nimeltään", "nimellä") or (
                t.text.isupper() and len(t.text) > 3
                and any(r.is_cap and not r.text.isupper() for r in run)):
            break  # a form's label (`Projektin nimi | Valitse Vuoksi -matkailuhanke`)
        if not t.is_cap and marker_cases and cases_of(t.text) & marker_cases \
                and not cases_of(t.text) & {"Nom", "Gen"}:
            break
        if not t.is_cap and marker_word and len(t.text) > 4 and \
                t.lower[-4:] == marker_word.lower()[-4:] and not marker_word.lower().endswith("e"):
            break  # `-rahoitteiseen CIRCLE-hankkeeseen`: the same ending, an attribute
        if any(r.is_cap for r in run) and t.is_cap and not t.text.isupper() \
                and _is_object_case(t.text):
            break  # `myönnettiin EU-tukea | Satama- ja … –projektiin`
        run.insert(0, t)
        if len(run) > 16:
            return []
    while run and (run[0].pos in ("PRON", "DET") or run[0].lower in ("ja", "sekä")
                   or run[0].is_punct):
        run = run[1:]  # `Tätä Kylätie-hanketta`
    caps = [k for k, t in enumerate(run) if t.is_cap]
    if caps:
        run = run[caps[0]:]  # names start with a capital: drop `rahaa` in `rahaa Luovien …`
    elif any(t.text == "," for t in run):
        run = run[max(k for k, t in enumerate(run) if t.text == ",") + 1:]
    return run


def _agent_participle(word: str) -> bool:
    """`vetämä`, `hallinnoima`, `toteuttama`: `X:n vetämä` names who runs what follows;
    `siirtymä` (a transition), a noun in its own right too, is no participle."""
    rs = analyses(word)
    return any(a.get("PARTICIPLE") == "agent" for a in rs) and \
        not any(a.get("CLASS") == "nimisana" and not a.get("PARTICIPLE") for a in rs)


def _nominal_case(word: str) -> bool:
    """Nominative, genitive, or a word Voikko does not know (a brand, an acronym)."""
    cs = cases_of(word)
    return not cs or bool(cs & {"Nom", "Gen"})


def _starts_new_phrase(word: Tok, following: Tok) -> bool:
    """A nominative word followed by a genitive starts a new noun phrase, unless the
    two are one person's name in the genitive (`Matthias Ingmanin säätiö`)."""
    if not is_genitive(following.text):
        return False
    return not ("etunimi" in word_classes(word.text)
                and word_classes(following.text) & {"sukunimi", ""})


def _is_object_case(word: str) -> bool:
    """A common noun in an object or place case (`EU-tukea`) does not begin a name."""
    rs = analyses(word)
    if not rs or any(r.get("CLASS") in ("nimi", "etunimi", "sukunimi", "paikannimi") for r in rs):
        return False
    cs = cases_of(word)
    return bool(cs) and not cs & {"Nom", "Gen"}  # a verb (`Valitse Vuoksi`) has no case


def _resolve_overlaps(cands: list[Cand]) -> list[Cand]:
    """Keep the best of overlapping candidates: longer first, then more confident."""
    rule_rank = {"gazetteer.authority": 3, "name.municipality_actor": 3, "name.legal_form": 2,
                 "project.form_name": 2}
    ordered = sorted(cands, key=lambda c: (-c.length, -c.confidence,
                                           -rule_rank.get(c.rule, 0), c.start, c.name))
    kept: list[Cand] = []
    taken: SpanIndex[Cand] = SpanIndex()
    for c in ordered:
        if taken.any(c.start, c.end, lambda k, c=c: not _nested_place(c, k)
                     and k.part_of is not c):
            continue
        kept.append(c)
        taken.add(c.start, c.end, c)
    return kept


_SWEDISH_FORM = {"ry": "rf", "Oy": "Ab", "Oyj": "Abp", "sr": "sr"}


def _bilingual_names(cands: list[Cand], text: str) -> None:
    """`Länsi-Suomen puuklusteri ry, Västra Finlands träkluster rf`: the
    Swedish name right after the Finnish one, in the matching legal form, is the
    same organisation."""
    orgs = sorted((c for c in cands if c.type is EntityType.ORGANISATION), key=lambda c: c.start)
    for a, b in zip(orgs, orgs[1:], strict=False):
        fi, sv = a.name.split()[-1], b.name.split()[-1]
        if text[a.end:b.start] == ", " and _SWEDISH_FORM.get(fi) == sv:
            b.aliases.append(b.name)
            b.name, b.authority = a.name, a.authority


def _nested_place(inner: Cand, outer: Cand) -> bool:
    """A place named inside a project's name where the project works (`… palvelut
    Etelä-Savossa`) is a mention of its own; a genitive one (`Loviisan yritysten …`)
    is part of the name only."""
    if not (outer.type is EntityType.PROJECT
            and inner.type in (EntityType.MUNICIPALITY, EntityType.REGION)
            and outer.start <= inner.start and inner.end <= outer.end):
        return False
    words = inner.surface.split()
    return bool(words) and bool(cases_of(words[-1]) & {"Ine", "Ade", "Ill", "All", "Ela", "Abl"})
