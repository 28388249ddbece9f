"""Plain text and Markdown in any common encoding.

UTF-8 (with or without BOM) and UTF-16/32 with a BOM are certain and tried
first; anything else goes to charset-normalizer, limited to the encodings
Finnish and Swedish text is really found in (Windows-1252, ISO-8859-15,
ISO-8859-1, BOM-less UTF-16), so that a short file is not read as, say, Cyrillic.
"""

from __future__ import annotations

import codecs

from kg.ingest.errors import Unreadable

#: Single-byte Western European encodings and BOM-less UTF-16, best first.
CANDIDATES = ["cp1252", "iso8859_15", "latin_1", "utf_16_le", "utf_16_be"]
#: the legacy encoding of a line that is not UTF-8 in an otherwise UTF-8 file
LEGACY = "cp1252"
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
#: Share of control characters above which decoded "text" is really binary.
MAX_CONTROL_SHARE = 0.01


def decode(raw: bytes) -> str:
    """The text of ``raw``; :class:`Unreadable` when it is binary, not text."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                return _checked(raw.decode(codec))
            except UnicodeDecodeError as e:
                raise Unreadable(f"broken {codec.upper()} text (has a BOM but does not "
                                 "decode)") from e
    return decode_noting(raw)[0]


def decode_noting(raw: bytes) -> tuple[str, list[str]]:
    """The text of ``raw`` and what the reader should be told about it: a file of
    UTF-8 lines and some in a legacy encoding (pasted from an older file) is read
    line by line, each line in its own encoding, with a warning that names the
    lines; a whole file in one legacy encoding is read in that encoding."""
    for bom, _codec in _BOMS:
        if raw.startswith(bom):
            return decode(raw), []
    try:
        return _checked(raw.decode("utf-8-sig")), []
    except UnicodeDecodeError:
        pass
    if (mixed := _mixed_lines(raw)) is not None:
        return mixed
    return _legacy(raw), []


def _mixed_lines(raw: bytes) -> tuple[str, list[str]] | None:
    """Line by line, when some lines are UTF-8 with letters beyond ASCII (so the
    file is UTF-8 at heart) and others are not; else None."""
    if b"\0" in raw:  # UTF-16 or binary: not a file of lines
        return None
    lines = raw.removeprefix(codecs.BOM_UTF8).split(b"\n")
    out: list[str] = []
    bad: list[int] = []
    utf8_letters = False
    for number, line in enumerate(lines, 1):
        try:
            out.append(line.decode("utf-8"))
            utf8_letters = utf8_letters or not line.isascii()
        except UnicodeDecodeError:
            out.append(line.decode(LEGACY, errors="replace"))
            bad.append(number)
    if not utf8_letters:
        return None
    shown = ", ".join(map(str, bad[:10])) + (f" and {len(bad) - 10} more" if len(bad) > 10 else "")
    return _checked("\n".join(out)), [
        f"line{'s' if len(bad) > 1 else ''} {shown} {'are' if len(bad) > 1 else 'is'} not "
        "UTF-8 like the rest of the file; read as Windows-1252"]


def _legacy(raw: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(raw, cp_isolation=CANDIDATES).best()
    if best is None:
        raise Unreadable("binary content, not text in a known encoding")
    encoding = best.encoding
    # ISO-8859-15 puts € where Windows-1252 has ¤; without any byte of the
    # Windows-only range 0x80–0x9F, € is by far the likelier reading
    if encoding == "cp1252" and b"\xa4" in raw and not any(0x80 <= b <= 0x9F for b in raw):
        encoding = "iso8859_15"
    return _checked(raw.decode(encoding))


def _checked(text: str) -> str:
    controls = sum(1 for c in text if c < " " and c not in "\n\r\t\f")
    if controls > MAX_CONTROL_SHARE * max(len(text), 1):
        raise Unreadable("binary content, not text (control characters)")
    return text


def read_text(raw: bytes, markdown: bool = False) -> dict:
    text, warnings = decode_noting(raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), None)
    if markdown and first:
        first = first.lstrip("#").strip() or None
    return {"text": text, "title": first, "warnings": warnings,
            "media_type": "text/markdown" if markdown else "text/plain"}
