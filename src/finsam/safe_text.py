"""One place that makes a value safe for each kind of output finsam writes, used by every writer: a value
read from a report or a collection is data, never a spreadsheet formula, XML that breaks its file,
Markdown or HTML that renders, or console markup. (HTML pages escape with html.escape where they are
built.)"""

from __future__ import annotations

import html
import re

from rich.markup import escape

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")   # what Excel and LibreOffice evaluate (OWASP: CSV injection)
PLAIN_NUMBER = re.compile(r"^[-+]?\d+(?:\.\d+)?$")  # a number as finsam writes it: no spreadsheet evaluates it as more
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")  # not in XML 1.0
# Markdown's markup characters; an underscore inside a word (sf_vasteras, summa_kostnader) is literal in
# CommonMark and stays as it is, so ids read as themselves in the raw file too
MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]|~#]|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z]))")
AUTOLINK = re.compile(r"(?i)(https?|ftp)://|www\.")


def spreadsheet_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: one that starts like a formula gets a leading apostrophe
    (the spreadsheets' own mark of text), except a plain number finsam wrote (-1493887, -1493.9)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) and not PLAIN_NUMBER.match(text) else text


def xml_text(value: object) -> str:
    """Text XML 1.0 allows: a control character becomes its visible escape (\\x01)."""
    return XML_INVALID.sub(lambda m: f"\\x{ord(m.group()):02x}", "" if value is None else str(value))


def markdown_text(value: object) -> str:
    """Text for a Markdown table cell or list item that renders as itself: on one line, HTML as entities,
    Markdown's markup characters and the table's column bar escaped, no automatic link."""
    text = html.escape(" ".join(("" if value is None else str(value)).split()), quote=False)
    text = MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return AUTOLINK.sub(lambda m: m.group().replace(":", "\\:").replace(".", "\\."), text)


def console_text(value: object, quoted: bool = False) -> str:
    """Text for rich's console markup, shown as itself; `quoted`: in Python's quotes, as repr() gives it
    (escaped after quoting: escaping first would let repr double the backslash that escapes a tag)."""
    text = "" if value is None else str(value)
    return escape(repr(text) if quoted else text)
