"""Text repair shared by every parser: mojibake, control characters, stray whitespace."""

from __future__ import annotations

import re

import ftfy

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def repair(text: str) -> str:
    """Fix mojibake (UTF-8 read as cp1252 and the like) and drop control characters.

    Typographic quotes are kept as the publication wrote them. Plain ASCII text without HTML
    entities or terminal escapes has nothing for ftfy to fix (no mojibake is possible in ASCII),
    so it skips ftfy, which is the slowest step of parsing.
    """
    if text.isascii() and "&" not in text and "\x1b" not in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # what ftfy's fix_line_breaks does here
    else:
        text = ftfy.fix_text(text, uncurl_quotes=False, normalization="NFC")
    return _CONTROL.sub("", text)


def squash(text: str) -> str:
    """Repair ``text`` and collapse it onto one line with single spaces."""
    return _SPACES.sub(" ", repair(text).replace("\r", " ").replace("\n", " ")).strip()


def paragraphs(text: str) -> list[str]:
    """Split ``text`` on blank lines into repaired, single-spaced paragraphs."""
    text = repair(text).replace("\r\n", "\n").replace("\r", "\n")
    parts = (_SPACES.sub(" ", p.replace("\n", " ")).strip() for p in _BLANK_LINES.split(text))
    return [p for p in parts if p]
