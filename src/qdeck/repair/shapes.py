"""Regular expressions for the shapes of names: dunders, camel humps, abbreviations."""

from __future__ import annotations

import re

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
DUNDER = re.compile(r"__[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*__")
GLUED_DUNDER = re.compile(r"[A-Za-z0-9]__|__[A-Za-z0-9]+__[A-Za-z0-9]")
CAMEL = re.compile(r"[a-z][A-Z]|[A-Z]{2}[a-z]")
HUMP = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
ABBREVIATION = re.compile(r"\b[A-Za-z]\.[A-Za-z]\.")  # e.g., i.e.
NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
NAME_STARTS = NAME_CHARS - frozenset("0123456789")
