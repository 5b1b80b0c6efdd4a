"""Numbers as people type them into a seed or collection file: Swedish thousands spaces, a decimal comma,
Unicode minus signs; ambiguous forms are refused. Ingest reads numbers as reports print them with the
same separators (finsam/ingest/numbers.py)."""

from __future__ import annotations

import re

MINUS_SIGNS = {"\u2212": "minus sign (U+2212)", "\u2013": "en dash (U+2013)", "\u2012": "figure dash (U+2012)"}


SPACES = {" ": "space", "\u00a0": "non-breaking space", "\u202f": "narrow non-breaking space", "\u2009": "thin space"}


def parse_number(text: str, decimals: int | None, integer: bool) -> tuple[str | None, str | None, str | None]:
    """(canonical text, reading, problem) for one numeric cell as typed by a person.

    Canonical: optional '-', digits, optionally '.' and digits. `decimals` (the row's printed decimals)
    disambiguates a lone comma or dot: it is a decimal separator only when the digits after it are
    exactly that many.
    """
    s = text.strip()
    if s == "":
        return None, None, ("the value is empty; a blank cell in a printed table is not a fact: leave the row "
                            "out, or write 0 if the report prints 0")
    notes: list[str] = []
    if re.search(rf"[^0-9.,+\-{''.join(MINUS_SIGNS)}{''.join(SPACES)}]", s):
        other = next((c for c in s if c.isdigit() and not c.isascii()), None)
        if other:
            return None, None, (f"the digit {other!r} (U+{ord(other):04X}) is not one of 0–9; type the number with "
                                "the digits 0–9")
        return None, None, "not a number; an amount column holds digits only (put words in the remark column)"
    if s.startswith("--") or s.startswith("+-") or s.startswith("-+"):
        return None, None, ("two signs in front of the number: a doubled minus is ambiguous; write the value "
                            "with one '-' and note the printing in the remark column")
    if s[0] in MINUS_SIGNS:
        notes.append(f"read the {MINUS_SIGNS[s[0]]} as a minus sign")
        s = "-" + s[1:]
    sign = ""
    if s[0] == "+":
        notes.append("read the leading '+' as no sign")
    if s[0] in "+-":
        sign, s = ("-" if s[0] == "-" else ""), s[1:].lstrip()
    for ch, name in SPACES.items():
        if ch in s:
            if not re.fullmatch(rf"[0-9]{{1,3}}({re.escape(ch)}[0-9]{{3}})+([.,][0-9]+)?", s):
                return None, None, (f"a {name} inside the number that is not a thousands separator; "
                                    "write the number without spaces, e.g. 12499887")
            notes.append(f"read {name}s as thousands separators")
            s = s.replace(ch, "")
    if not re.fullmatch(r"[0-9.,]+", s) or not re.search(r"[0-9]", s):
        return None, None, "not a number; an amount column holds digits only (put words in the remark column)"
    if s.count(",") and s.count("."):
        return None, None, ("both ',' and '.' in one number; write it with a decimal point and no thousands "
                            "separator, e.g. 1234.5")
    for sep, sep_name in ((",", "comma"), (".", "dot")):
        n = s.count(sep)
        if n == 0:
            continue
        groups = s.split(sep)
        if n > 1:
            if all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3:
                notes.append(f"read the {sep_name}s as thousands separators")
                s = "".join(groups)
                continue
            return None, None, f"several {sep_name}s in one number; write it as digits with at most one decimal point"
        whole, frac = groups
        if integer:
            return None, None, f"a whole number is expected here; '{sep}' makes it ambiguous: write digits only"
        if not whole:
            return None, None, "not a number"
        # only a separator followed by exactly three digits could be a thousands separator
        if len(frac) == 3 and decimals != 3 and not (sep == "." and decimals is None):
            return None, None, (f"ambiguous {sep_name}: with {decimals} printed decimals, '{sep}{frac}' could be a "
                                "decimal or a thousands separator; write the value with a decimal point and set "
                                "the decimals column to the number of printed decimals")
        if sep == ",":
            notes.append("read the decimal comma as a decimal point")
        s = f"{whole}.{frac}"
    if integer and "." in s:
        return None, None, "a whole number is expected here"
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", s):
        return None, None, "not a number"
    canonical = sign + s
    if decimals is not None and not integer:
        digits = len(s.split(".")[1]) if "." in s else 0
        if digits != decimals:
            return None, None, (f"the value has {digits} decimals but the decimals column says {decimals}: "
                                "record the value exactly as printed and its printed decimals")
    return canonical, ("; ".join(notes) if notes else None), None
