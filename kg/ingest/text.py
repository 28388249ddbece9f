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
    try:
        return _checked(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
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
    text = decode(raw).replace("\r\n", "\n").replace("\r", "\n")
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), None)
    if markdown and first:
        first = first.lstrip("#").strip() or None
    return {"text": text, "title": first,
            "media_type": "text/markdown" if markdown else "text/plain"}
