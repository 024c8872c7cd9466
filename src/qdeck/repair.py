"""Restore bullets and backticked inline code in answers whose HTML scrape glued code to prose."""

from __future__ import annotations

import ast
import builtins
import contextlib
import functools
import importlib
import inspect
import io
import keyword
import math
import re
import sys
import warnings
from dataclasses import dataclass, field

__all__ = ["repair_answer", "repair_question"]

# --- How the scrape damaged the text -----------------------------------------
# Each <li> became "- text", but every <code> lost its backticks and the spaces
# on both sides.  The first code element of a bullet that starts with prose got
# a line break in front of it instead of a space, and that bullet was followed
# by a space instead of a line break.  A bullet starting with code lost its
# "- " marker, and the next bullet follows it with no separator at all.  So a
# line break marks where code starts, a code span is always glued to the
# characters around it, and code-first bullets can be glued behind a sentence.

# Modules whose public names (and their classes' names and call parameters)
# count as code vocabulary.  Only common, side-effect-free imports: importing
# the whole standard library could open a browser (antigravity) or print.
_COMMON_MODULES = (
    "abc", "argparse", "array", "ast", "asyncio", "bisect", "cProfile",
    "collections", "collections.abc", "concurrent.futures", "contextlib",
    "copy", "csv", "dataclasses", "datetime", "decimal", "enum", "functools",
    "gc", "heapq", "importlib", "importlib.metadata", "importlib.resources",
    "inspect", "io", "itertools", "json", "logging", "logging.config", "math",
    "multiprocessing", "operator", "os", "os.path", "pathlib", "pdb", "pickle",
    "pstats", "queue", "random", "re", "sched", "shutil", "signal", "site",
    "socket", "sqlite3", "string", "struct", "subprocess", "sys", "tempfile",
    "textwrap", "threading", "time", "timeit", "tracemalloc", "types", "typing",
    "unittest", "unittest.mock", "uuid", "warnings", "weakref",
    "xml.etree.ElementTree", "zoneinfo",
)
_BUILTIN_TYPES = (
    str, bytes, bytearray, list, dict, set, frozenset, tuple, int, float,
    complex, object, type, memoryview, range, slice, property,
)

# Scores are log10 probabilities, as in a unigram language model: every prose
# word costs zipf - 9 (so "is" costs about -2 and an unknown word -9 or less),
# every code name costs by how likely Python text is to use it.  Explaining the
# same characters with fewer, likelier tokens wins, which is what splits
# "passis" into `pass` + "is" rather than `passi` + "s".
_PROSE_SINGLE_LETTER = -8.0      # glued fragments like "s" or "e" are not words
_PROSE_SHORT_JUNK = -8.0         # wordfreq lists many two-letter fragments ("yc", "ue")
_PROSE_UNKNOWN = -9.0
_PROSE_PUNCT = -0.5
_PROSE_NUMBER = -3.0
_PROSE_CODE_CHAR = -4.0          # = @ * [ ] < > | & _ ` do not occur in English prose
_PROSE_GLUE = -5.0               # "x.y", "a,b", ")b" inside prose: code was glued here
_PROSE_CALL_GLUE = -2.0          # "name(" inside prose looks like a call
_CODE_DUNDER = -2.5
_CODE_CORE = -2.5                # keywords, builtins, standard-library modules
_CODE_ATTRIBUTE = -3.5           # names found on common modules and types
_CODE_LETTER = -2.5              # examples use a, b, f, A, B freely
_CODE_SHOUT = -4.0               # ALLCAPS or names with digits
_CODE_GLUED = -14.0              # "passis", "Atruthy": a code name glued to English
_CODE_ENGLISH_EXTRA = -3.0       # a plain English word costs more in code than in prose
_CODE_SPACE = -1.0
_CODE_SYMBOLS = -0.3             # per run of operator or punctuation characters
_CODE_PARSES = 2.0               # Python's own parser accepts the span
_CODE_BAD_EDGE = -6.0            # code ending in "." / "," or holding a top-level comma
_CODE_UNBALANCED = -4.0
_NEW_CODE_SPAN = -2.0            # a code span nothing forced us to open
_BULLET_BREAK = 0.5
_BULLET_WITHOUT_WORDS = -6.0
_MAX_CODE_CHARS = 90
_COMMON_ENGLISH = 3.5            # zipf frequency from which a word is plain English


# --- Vocabularies --------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _english_frequencies() -> dict[str, float]:
    """Word -> frequency from wordfreq's large English list (shipped in the wheel)."""
    try:
        import wordfreq

        return wordfreq.get_frequency_dict("en", wordlist="large")
    except Exception:  # without the list every word is unknown: degrade, never crash
        return {}


@functools.lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    """Zipf frequency (0 = unknown, 7 = "the") of a word, case-insensitively."""
    freq = _english_frequencies().get(word.lower().replace("’", "'"))
    return math.log10(freq) + 9.0 if freq else 0.0


def _is_english(word: str, threshold: float = _COMMON_ENGLISH) -> bool:
    return _zipf(word) >= threshold


def _public_names(obj: object) -> set[str]:
    try:
        return {name for name in dir(obj) if not name.startswith("_")}
    except Exception:
        return set()


def _parameter_names(obj: object) -> set[str]:
    try:
        return set(inspect.signature(obj).parameters)  # type: ignore[arg-type]
    except Exception:
        return set()


def _import_quietly(name: str) -> object | None:
    sink = io.StringIO()
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(sink), \
                contextlib.redirect_stderr(sink):
            warnings.simplefilter("ignore")
            return importlib.import_module(name)
    except Exception:
        return None


def _module_vocabulary(module: object) -> set[str]:
    names = set()
    for name in _public_names(module):
        names.add(name)
        value = getattr(module, name, None)
        if isinstance(value, type):
            names |= _public_names(value)
        if callable(value):
            names |= _parameter_names(value)
    return names


@functools.lru_cache(maxsize=1)
def _python_vocabulary() -> tuple[frozenset[str], frozenset[str]]:
    """(core, attributes): names Python itself defines, split by how sure they are code.

    Core names (keywords, builtins, standard-library modules) count at any
    length; attribute and parameter names only from three letters on, because
    short ones ("e", "pi", "X") collide with ordinary glued letters.
    """
    core = set(keyword.kwlist) | set(keyword.softkwlist) | set(dir(builtins))
    core |= set(sys.stdlib_module_names)
    attributes: set[str] = set()
    for kind in _BUILTIN_TYPES:
        attributes |= _public_names(kind)
    generator = (lambda: (yield))()
    attributes |= _public_names(generator)
    for name in _COMMON_MODULES:
        module = _import_quietly(name)
        if module is not None:
            attributes |= _module_vocabulary(module)
    attributes = {name for name in attributes if len(name) >= 3 and name.isidentifier()}
    return frozenset(core), frozenset(attributes - core)


def _is_known_code(word: str) -> bool:
    core, attributes = _python_vocabulary()
    return word in core or word in attributes


# --- Scoring code spans ----------------------------------------------------------

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DUNDER = re.compile(r"__[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*__")
_CAMEL = re.compile(r"[a-z][A-Z]|[A-Z]{2}[a-z]")
_SYMBOL_RUN = re.compile(r"[^\sA-Za-z0-9_]+")


def _is_code_piece(piece: str) -> bool:
    """A fragment that is certainly a Python name on its own."""
    core, attributes = _python_vocabulary()
    if len(piece) == 1:
        return piece.isupper()
    return (piece in core and len(piece) >= 2) or (piece in attributes) \
        or bool(_DUNDER.fullmatch(piece))


def _is_english_piece(piece: str) -> bool:
    """A fragment that is certainly an English word rather than part of a name."""
    if len(piece) < 2 or not piece.islower():
        return False
    return _is_english(piece, 4.0) and (piece in keyword.kwlist or not _is_known_code(piece))


@functools.lru_cache(maxsize=65536)
def _glued_to_english(word: str) -> bool:
    """True when an unknown name is a code name glued to an English word.

    That is the scrape's signature ("passis" = pass + is, "BifA" = B + if + A,
    "argvlists" = argv + lists); a real identifier rarely looks like that.
    """
    if _DUNDER.match(word) and not _DUNDER.fullmatch(word):
        return True
    if re.search(r"[A-Za-z0-9]__[A-Za-z0-9_]+__$", word):
        return True
    if len(word) > 2 and word[0].isupper() and word[1:].islower() \
            and _zipf(word[1:]) >= 1.0 and not _is_english(word, 2.5):
        return True
    for cut in range(1, len(word)):
        head, tail = word[:cut], word[cut:]
        if (_is_code_piece(head) and _is_english_piece(tail)) \
                or (_is_english_piece(head) and _is_code_piece(tail)):
            return True
        for cut2 in range(cut + 2, len(word)):
            middle, rest = word[cut:cut2], word[cut2:]
            if _is_code_piece(head) and _is_english_piece(middle) and _is_code_piece(rest):
                return True
    return False


@functools.lru_cache(maxsize=65536)
def _identifier_cost(word: str) -> float:
    """Log-probability of one identifier inside a code span."""
    core, attributes = _python_vocabulary()
    if _DUNDER.fullmatch(word):
        return _CODE_DUNDER
    if word in core:
        return _CODE_CORE
    if word in attributes:
        return _CODE_ATTRIBUTE
    if len(word) == 1:
        return _CODE_LETTER
    if _glued_to_english(word):
        return _CODE_GLUED
    length = len(word)
    if "_" in word.strip("_"):
        return -4.0 - 0.2 * length
    if _CAMEL.search(word):
        return -5.0 - 0.2 * length
    if word.isupper() or any(ch.isdigit() for ch in word):
        return _CODE_SHOUT - 0.2 * length
    zipf = _zipf(word)
    if zipf >= _COMMON_ENGLISH:
        return zipf - 9.0 + _CODE_ENGLISH_EXTRA
    if zipf >= 2.5:
        return -6.0 - 0.3 * length
    return -3.0 - 0.8 * length  # neither English nor known: likely a package name


def _top_level_commas(text: str) -> int:
    depth, quote, commas = 0, "", 0
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch in ",;" and depth <= 0:
            commas += 1
    return commas


def _bracket_imbalance(text: str) -> int:
    return sum(abs(text.count(a) - text.count(b)) for a, b in ("()", "[]", "{}"))


@functools.lru_cache(maxsize=65536)
def _parses_as_python(text: str) -> bool:
    """True when Python's own parser accepts the span as a statement or expression."""
    candidates = [text]
    if text.endswith(":"):
        candidates.append(text + " pass")  # a block header needs a body
    if text.startswith("@"):
        candidates.append(text + "\ndef f(): pass")
    for candidate in candidates:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ast.parse(candidate)
            return True
        except Exception:  # SyntaxError, ValueError on NUL bytes, RecursionError
            continue
    return False


@functools.lru_cache(maxsize=262144)
def _code_score(text: str) -> float:
    """Log-probability that `text` was one inline code element."""
    score = sum(_identifier_cost(name) for name in _IDENTIFIER.findall(text))
    score += _CODE_SYMBOLS * len(_SYMBOL_RUN.findall(text))
    score += _CODE_SPACE * len(text.split()[1:])
    score += _CODE_BAD_EDGE * _top_level_commas(text)
    if text[-1] in ",;" or (text.endswith(".") and not text.endswith("...")) \
            or text.endswith("...."):
        score += _CODE_BAD_EDGE  # sentence punctuation belongs to the prose
    score += _CODE_UNBALANCED * _bracket_imbalance(text)
    if not _IDENTIFIER.fullmatch(text) and _parses_as_python(text):
        score += _CODE_PARSES
    return score


# --- Scoring prose pieces ----------------------------------------------------------

_PROSE_TOKEN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*|\d+|\S")
_PROSE_GLUE_MARK = re.compile(r"[.:;,!?)\]](?=[A-Za-z_(\[])")
_ABBREVIATION = re.compile(r"\b[A-Za-z]\.[A-Za-z]\.")  # e.g., i.e.
_PROSE_CALL_MARK = re.compile(r"[A-Za-z0-9_][(\[]")
_PROSE_CODE_CHARS = set("=@*[]{}<>|&_`\\~^")


@functools.lru_cache(maxsize=65536)
def _prose_word_cost(word: str) -> float:
    """Log-probability of one prose word (possessive "’s" ignored)."""
    base = re.split(r"['’]", word)[0]
    if len(base) == 1:
        return -2.0 if base in "aAI" else _PROSE_SINGLE_LETTER
    zipf = _zipf(base)
    if len(base) == 2 and zipf < 4.8 and not base.isupper():
        return _PROSE_SHORT_JUNK
    if zipf > 0:
        return zipf - 9.0
    if base.isupper():
        return -6.0  # acronyms: AST, GIL, PEP
    if _CAMEL.search(base):
        humps = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+", base)
        if all(hump.isupper() or _is_english(hump, 2.5) for hump in humps):
            return -7.0  # proper names such as FastAPI or OpenTelemetry
    return _PROSE_UNKNOWN - 0.3 * len(base)


@functools.lru_cache(maxsize=65536)
def _piece_score(piece: str) -> tuple[float, bool]:
    """(log-probability, has a real word) of a prose piece holding no spaces."""
    score, has_word = 0.0, False
    for token in _PROSE_TOKEN.findall(piece):
        if token[0].isalpha():
            score += _prose_word_cost(token)
            has_word = has_word or len(token) > 1 or token in "aAI"
        elif token.isdigit():
            score += _PROSE_NUMBER
        elif token in _PROSE_CODE_CHARS:
            score += _PROSE_CODE_CHAR
        else:
            score += _PROSE_PUNCT
    glue = len(_PROSE_GLUE_MARK.findall(piece)) - len(_ABBREVIATION.findall(piece))
    score += _PROSE_GLUE * max(glue, 0)
    score += _PROSE_CALL_GLUE * len(_PROSE_CALL_MARK.findall(piece))
    return score, has_word


# --- Splitting raw lines into bullets ------------------------------------------------

_MIDLINE_BULLET = re.compile(r"(?<=[.!?])[ \t]?- (?=\S)")
_SENTENCE_END = (".", "!", "?")


@dataclass
class _Unit:
    """A run of text up to the next visible "- " marker."""

    code_first: bool
    lead: str = ""                     # prose before the first code element
    region: str = ""                   # text from the first code element on
    forced: set[int] = field(default_factory=set)  # where code must start


def _raw_units(lines: list[str]) -> list[tuple[bool, str]]:
    """(starts with code, text with "\\n" where the scrape broke the line)."""
    units: list[tuple[bool, str]] = []
    open_sentence = False
    for line in lines:
        text = str(line).strip()
        if not text:
            continue
        pieces = [piece.strip() for piece in _MIDLINE_BULLET.split(text)]
        first = pieces[0]
        if first.startswith("- ") or first == "-":
            units.append((False, first[2:].strip()))
        elif units and open_sentence:
            # A line break inside an unfinished sentence is the break the
            # scraper put before the bullet's first code element.
            code_first, before = units[-1]
            units.append((code_first, before + "\n" + first))
            del units[-2]
        else:
            units.append((True, first))
        units.extend((False, piece) for piece in pieces[1:] if piece)
        open_sentence = not text.endswith(_SENTENCE_END)
    return units


def _make_unit(code_first: bool, text: str) -> _Unit:
    parts = text.split("\n")
    unit = _Unit(code_first)
    if not code_first:
        unit.lead = " ".join(parts[0].split())
        parts = parts[1:]
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if unit.region:
            unit.region += " "
        unit.forced.add(len(unit.region))
        unit.region += part
    return unit


# --- Finding code spans: dynamic programming over one unit ---------------------------

@dataclass
class _Chunks:
    """Space-free runs of a region, for scoring prose spans in O(1)."""

    starts: list[int]
    ends: list[int]
    index: list[int]        # chunk index per character (-1 on spaces)
    score_prefix: list[float]
    word_prefix: list[int]

    @classmethod
    def of(cls, text: str) -> "_Chunks":
        starts, ends = [], []
        for match in re.finditer(r"\S+", text):
            starts.append(match.start())
            ends.append(match.end())
        index = [-1] * len(text)
        score_prefix, word_prefix = [0.0], [0]
        for number, (start, end) in enumerate(zip(starts, ends)):
            for position in range(start, end):
                index[position] = number
            score, has_word = _piece_score(text[start:end])
            score_prefix.append(score_prefix[-1] + score)
            word_prefix.append(word_prefix[-1] + has_word)
        return cls(starts, ends, index, score_prefix, word_prefix)


def _prose_span(text: str, chunks: _Chunks, start: int, end: int) -> tuple[float, bool]:
    """(score, has a word) of prose text[start:end]; start is not a space."""
    while end > start and text[end - 1].isspace():
        end -= 1
    if end <= start:
        return 0.0, False
    first, last = chunks.index[start], chunks.index[end - 1]
    if first == last:
        return _piece_score(text[start:end])
    head_score, head_word = _piece_score(text[start:chunks.ends[first]])
    tail_score, tail_word = _piece_score(text[chunks.starts[last]:end])
    middle_score = chunks.score_prefix[last] - chunks.score_prefix[first + 1]
    middle_words = chunks.word_prefix[last] - chunks.word_prefix[first + 1]
    return head_score + middle_score + tail_score, head_word or tail_word or middle_words > 0


# DP state: (position, what ended there, still in the unit's first bullet,
# current bullet has a prose word).  "P" = prose ended and code may start,
# "B" = a bullet break happened and code must start, "C" = code ended.
_State = tuple[int, str, bool, bool]


def _segment_region(unit: _Unit) -> list[list[tuple[str, str]]]:
    """Split a unit's region into bullets of ("code" | "prose", text) segments."""
    text, forced = unit.region, unit.forced
    size = len(text)
    chunks = _Chunks.of(text)
    start: _State = (0, "B", True, True)
    best: dict[_State, tuple[float, tuple | None]] = {start: (0.0, None)}
    glued = [i > 0 and not text[i - 1].isspace() for i in range(size + 1)]
    next_forced = [size] * (size + 1)
    upcoming = size
    for position in range(size, -1, -1):
        next_forced[position] = upcoming
        if position in forced and position > 0:
            upcoming = position

    def relax(state: _State, score: float, back: tuple) -> None:
        if state not in best or score > best[state][0]:
            best[state] = (score, back)

    for position in range(size + 1):
        for kind in ("B", "P", "C"):
            for first in (True, False):
                for words in (True, False):
                    state = (position, kind, first, words)
                    if state not in best:
                        continue
                    score = best[state][0]
                    if kind in "BP":
                        _extend_code(text, state, score, glued, forced, next_forced, relax)
                    else:
                        _extend_prose(text, chunks, state, score, unit.code_first,
                                      forced, next_forced, relax)
    return _best_path(best, size, unit.code_first)


def _extend_code(text, state, score, glued, forced, next_forced, relax) -> None:
    position, kind, first, words = state
    size = len(text)
    if position >= size or text[position].isspace():
        return
    if kind == "P" and not glued[position] and position not in forced:
        return  # a space before code was removed, so code never follows a space
    opening = 0.0 if kind == "B" or position in forced else _NEW_CODE_SPAN
    limit = min(size, position + _MAX_CODE_CHARS, next_forced[position])
    for end in range(position + 1, limit + 1):
        if text[end - 1].isspace() or (end < size and text[end].isspace()):
            continue  # a space after code was removed too
        gain = _code_score(text[position:end]) + opening
        relax((end, "C", first, words), score + gain, (state, "code", position))


def _extend_prose(text, chunks, state, score, code_first, forced, next_forced, relax) -> None:
    position, _, first, words = state
    size = len(text)
    if position >= size:
        return
    if text[position].isspace():
        return  # the space after code was removed, so prose cannot start with one
    bullet_starts_with_code = code_first or not first
    limit = next_forced[position]
    for end in range(position + 1, limit + 1):
        gain, has_word = _prose_span(text, chunks, position, end)
        now_words = words or has_word
        if end == size:
            relax((end, "P", first, now_words), score + gain, (state, "prose", position))
            continue
        if end == limit or (not text[end - 1].isspace() and not text[end].isspace()):
            relax((end, "P", first, now_words), score + gain, (state, "prose", position))
        if text[end - 1] in ".!?":
            closing = _BULLET_BREAK + (0.0 if now_words else _BULLET_WITHOUT_WORDS)
            if not text[end].isspace() and bullet_starts_with_code:
                relax((end, "B", False, False), score + gain + closing,
                      (state, "break", position))
            elif text[end] == " " and not bullet_starts_with_code and end + 1 < size:
                relax((end + 1, "B", False, False), score + gain + closing,
                      (state, "break-space", position))


def _best_path(best, size, code_first) -> list[list[tuple[str, str]]]:
    finals = [
        (value[0] + (0.0 if state[3] else _BULLET_WITHOUT_WORDS), state)
        for state, value in best.items() if state[0] == size and state[1] in "PC"
    ]
    if not finals:
        raise ValueError("no segmentation")  # caught by repair_answer's fallback
    state = max(finals)[1]
    steps = []
    while best[state][1] is not None:
        previous, action, start = best[state][1]
        steps.append((action, start, state[0]))
        state = previous
    steps.reverse()
    return steps  # type: ignore[return-value]


def _segments_to_bullets(text: str, steps) -> list[list[tuple[str, str]]]:
    bullets: list[list[tuple[str, str]]] = [[]]
    for action, start, end in steps:
        if action == "code":
            bullets[-1].append(("code", text[start:end]))
        else:
            piece = text[start:end]
            if action == "break-space":
                piece = text[start:end - 1]
            if piece.strip():
                bullets[-1].append(("prose", piece))
            if action.startswith("break"):
                bullets.append([])
    return [bullet for bullet in bullets if bullet]


# --- Rendering ----------------------------------------------------------------------

_NO_SPACE_BEFORE_CODE = set("([{/‘“'\"")
_NO_SPACE_AFTER_CODE = set(".,;:!?)]}/’'\"-")


def _wrap_code(code: str) -> str:
    return f"`` {code} ``" if "`" in code else f"`{code}`"


def _render(segments: list[tuple[str, str]]) -> str:
    out = ""
    previous = ""
    for kind, text in segments:
        piece = _wrap_code(text.strip()) if kind == "code" else " ".join(text.split())
        if not piece:
            continue
        if out:
            needs_space = True
            if kind == "code" and previous == "prose":
                needs_space = out[-1] not in _NO_SPACE_BEFORE_CODE
            elif kind == "prose" and previous == "code":
                needs_space = piece[0] not in _NO_SPACE_AFTER_CODE
            out += " " if needs_space else ""
        out += piece
        previous = kind
    return out


def _repair_unit(unit: _Unit) -> list[str]:
    if not unit.region:
        return [unit.lead] if unit.lead else []
    steps = _best_path_steps(unit)
    bullets = _segments_to_bullets(unit.region, steps)
    if unit.lead:
        if bullets and not unit.code_first:
            bullets[0].insert(0, ("prose", unit.lead))
        else:
            bullets.insert(0, [("prose", unit.lead)])
    return [_render(bullet) for bullet in bullets]


def _best_path_steps(unit: _Unit):
    return _segment_region(unit)


def _fallback(lines: list[str]) -> list[str]:
    """Bullets without any code detection: used only if the repair itself fails."""
    out = []
    for line in lines:
        text = " ".join(str(line).split())
        if text.startswith("- "):
            text = text[2:]
        if text:
            out.append(text)
    return out


def repair_answer(lines: list[str]) -> list[str]:
    """Rebuild the bullets of one answer, wrapping recovered inline code in backticks.

    `lines` are the raw lines after a question line; the result holds one
    string per bullet, without the "- " marker.  Every non-space character of
    the input (other than consumed "- " markers) survives, in order.

    >>> repair_answer(["- Mixing tabs and spaces raises", "TabError. - PEP 8 recommends four."])
    ['Mixing tabs and spaces raises `TabError`.', 'PEP 8 recommends four.']
    """
    try:
        bullets: list[str] = []
        for code_first, text in _raw_units(list(lines)):
            bullets.extend(_repair_unit(_make_unit(code_first, text)))
        return [bullet for bullet in bullets if bullet]
    except Exception:
        return _fallback(list(lines))


# --- Questions ----------------------------------------------------------------------

def repair_question(text: str) -> str:
    """Return the question unchanged (placeholder until the vocabulary rules land)."""
    return text
