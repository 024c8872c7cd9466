"""Restore bullets and backticked inline code in answers whose HTML scrape glued code to prose."""

from __future__ import annotations

import ast
import builtins
import contextlib
import functools
import importlib
import importlib.machinery
import inspect
import io
import keyword
import math
import mimetypes
import re
import sys
import warnings
from dataclasses import dataclass, field
from itertools import product
from typing import Iterable, Iterator, Optional

__all__ = ["has_english_words", "repair_answer", "repair_question"]

# --- How the scrape damaged the text -----------------------------------------
# Each <li> became "- text", but every <code> lost its backticks and the spaces
# on both sides.  The first code element of a bullet that starts with prose got
# a line break in front of it instead of a space, and that bullet is followed
# by a space instead of a line break.  A bullet starting with code lost its
# "- " marker, and whatever follows it comes with no separator at all.  So a
# line break marks where code starts, a code span is always glued to the
# characters around it, and code-first bullets hide behind a sentence's period.
#
# Finding the code spans is a segmentation problem, solved by dynamic
# programming over each bullet.  Scores are log10 probabilities, as in a
# unigram language model: a prose word costs its zipf frequency minus 9 (so
# "is" costs about -2 and an unknown word much more), a code name costs by how
# likely inline code is to use it.  Explaining the same characters with fewer,
# likelier tokens wins, which is what splits "passis" into `pass` + "is" rather
# than `passi` + "s".

# Modules whose public names (plus their classes' names and call parameters)
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

_PROSE_SINGLE_LETTER = -8.0      # glued fragments like "s" or "e" are not words
_PROSE_SHORT_JUNK = -8.0         # wordfreq lists many two-letter fragments ("yc", "ue")
_PROSE_PUNCT = -0.5
_PROSE_NUMBER = -2.0
_PROSE_CODE_CHAR = -4.0          # = @ * [ ] < > | & _ ` hardly occur in English prose
_PROSE_GLUE = -6.0               # "x.y", "a,b", ")b" inside prose: code was glued here
_PROSE_CALL_GLUE = -2.0          # "name(" inside prose looks like a call
_PROSE_COMPOUND = -1.5           # "hashable" missing from the word list = hash + able
_PROSE_PERIOD_BEFORE_CODE = -2.0  # "with." then code: the period starts the code
_PROSE_PROPER_NOUN = -10.0       # an unlisted capitalised word: Pipfile, Timsort
_PROSE_UNKNOWN = -9.0            # floor for unlisted words that Python knows
_PROSE_UNKNOWN_PER_CHAR = -1.6   # other unlisted words cost by length: likely glue
_PROSE_DANGLING = -3.0           # "named `SomethingMix` in.": "in" never ends a sentence
_CODE_DUNDER = -2.5
_CODE_CORE = -2.5                # keywords, builtins, standard-library modules
_CODE_ATTRIBUTE = -3.5           # names found on common modules and types
_CODE_LETTER = -2.5              # examples use a, b, f, A, B freely
_CODE_LETTER_IN_WORD = -3.0      # ... but not one cut out of a word: "has|h|able"
_CODE_SNAKE_BONUS = 1.5          # underscores are code-only, whatever the parts say
_CODE_CAMEL_BONUS = 2.0          # so are humps: BeautifulSoup, SomethingMixin
_CODE_RARE_PER_CHAR = -0.8       # an unknown name costs by its length
_CODE_COMPOUND = -2.0            # two words in one name (setuptools) beat noise, not a word
_CODE_GLUED = -4.0               # "passis", "BifA": a code name glued to English,
_CODE_GLUED_PER_CHAR = -1.5      # ... costing more than its letters as prose
_CODE_ENGLISH_EXTRA = -3.0       # a plain English word costs more in code than in prose
_CODE_SPACE = -1.0
_CODE_SPACE_UNPARSED = -3.0      # words in a row that Python would not accept
_CODE_SYMBOLS = -0.3             # per run of operator or punctuation characters
_CODE_PARSES = 1.0               # Python's own parser accepts the span,
_CODE_PARSES_PER_TOKEN = 0.5     # ... and the more it accepted, the surer
_CODE_BAD_EDGE = -6.0            # sentence punctuation inside or at the end of code
_CODE_TOP_LEVEL_COMMA = -10.0    # "a, b" lists code spans, it is not one
_CODE_HYPHEN_EDGE = -4.0         # "cross|-platform": a hyphenated word, not an option
_CODE_CASE_CUT = -4.0            # "PRAGM|A": an all-caps word cut in two
_CODE_WORD_IN_WORD = -3.0        # "in|it": an English word cut out of a longer word
_CODE_UNKNOWN_ATTRIBUTE = -2.0   # "lock.poetry": a sentence's period, not attribute access
_CODE_PUNCTUATION_ONLY = -4.0
_CODE_CUTS_WORD = -4.0           # "pyth|on", "for|eign": glue never splits an English word
_CODE_GLOSS = -5.0               # "n(next)": a one-letter command and its meaning
_CODE_GLUED_OPERATOR = -4.0      # "+or+=": an "or" between two code spans, not inside one
_CODE_UNBALANCED = -4.0
_NEW_CODE_SPAN = -2.0            # a code span nothing forced us to open
_BULLET_BREAK = 1.5
_BULLET_WITHOUT_WORDS = -6.0
_MAX_CODE_CHARS = 90
_HOPELESS_CODE = -60.0           # far below any real span ("[project.scripts] cli = ..." is -47)
_MAX_PROSE_CHARS = 400           # between two code spans: about one sentence
_MAX_REGION_CHARS = 1500         # longer text is no scraped bullet: left as prose
_MAX_GLUE_CHECK = 48             # longer names are not segmented (cost stays bounded)
_COMMON_ENGLISH = 3.5            # zipf frequency from which a word is plain English


# --- Vocabularies --------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _english_frequencies() -> dict[str, float]:
    """Word -> frequency from wordfreq's large English list (shipped in its wheel)."""
    try:
        import wordfreq

        return wordfreq.get_frequency_dict("en", wordlist="large")
    except Exception:  # never a crash in the middle of a search: `has_english_words` says so first
        return {}


def has_english_words() -> bool:
    """Whether the English word list loads. Without it every prose word looks like code (about
    half of answered-200's questions gain stray backticks), so a repair must not run."""
    return bool(_english_frequencies())


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
    attributes |= _public_names((lambda: (yield))())  # send, throw, close
    modules = [_import_quietly(name) for name in _COMMON_MODULES]
    for name, module in zip(_COMMON_MODULES, modules):
        attributes |= set(name.split("."))  # importlib.resources -> resources
        if module is not None:  # after all imports, so submodules show up too
            attributes |= _module_vocabulary(module)
    attributes = {name for name in attributes if len(name) >= 3 and name.isidentifier()}
    return frozenset(core), frozenset(attributes - core)


@functools.lru_cache(maxsize=1)
def _file_suffixes() -> frozenset[str]:
    """Suffixes Python knows ("py", "pyc", "txt", "json"), used only right after a dot."""
    suffixes = set(importlib.machinery.all_suffixes())
    with contextlib.suppress(Exception):
        defaults = mimetypes.MimeTypes()  # built-in table only, not /etc/mime.types
        suffixes |= set(defaults.types_map[True]) | set(defaults.types_map[False])
    return frozenset(s[1:] for s in suffixes if s[1:].isalnum() and len(s) > 2)


def _is_known_code(word: str) -> bool:
    core, attributes = _python_vocabulary()
    return word in core or word in attributes


# --- Scoring code spans ----------------------------------------------------------

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DUNDER = re.compile(r"__[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*__")
_GLUED_DUNDER = re.compile(r"[A-Za-z0-9]__|__[A-Za-z0-9]+__[A-Za-z0-9]")
_CAMEL = re.compile(r"[a-z][A-Z]|[A-Z]{2}[a-z]")
_HUMP = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_SYMBOL_RUN = re.compile(r"[^\sA-Za-z0-9_]+")
_OPERATOR_WORD_GLUED = re.compile(
    r"[^\w\s](?:and|or|not|is|in)(?!\w)|(?<!\w)(?:and|or|not|is|in)[^\w\s]")
_GLOSS = re.compile(r"(?<![\w.])([a-z])\((\1[a-z]+)\)")
_SHELL_WORD = re.compile(r"\s(?:--?[A-Za-z]|\S*/)")  # "-m", "--cov", "dist/*": a command line


@functools.lru_cache(maxsize=65536)  # the glue checks try every piece of every name
def _is_code_piece(piece: str, leading: bool = True) -> bool:
    """A fragment that is certainly a Python name on its own.

    Keywords count only at the start: glue puts prose after code ("passis"),
    while a keyword at the end is usually a real compound ("metaclass").
    """
    core, attributes = _python_vocabulary()
    if len(piece) == 1:
        return piece.isupper()
    if piece in keyword.kwlist:
        return leading
    if _DUNDER.fullmatch(piece):
        return True
    # Three-letter names (set, sys, obj) hide inside too many real words.
    return len(piece) >= 4 and (piece in core or piece in attributes)


@functools.lru_cache(maxsize=65536)  # the glue checks try every piece of every name
def _is_english_piece(piece: str) -> bool:
    """A fragment that is certainly an English word rather than part of a name."""
    if len(piece) < 2 or not piece.islower():
        return False
    needed = 4.5 if len(piece) >= 3 else 6.0  # wordfreq lists many 2-letter fragments
    return _is_english(piece, needed) and (piece in keyword.kwlist or not _is_known_code(piece))


def _capital_glued_to_word(hump: str) -> bool:
    """ "Bif", "Atruthy", "Breturns": a one-letter name glued to an English word."""
    rest = hump[1:]
    if len(hump) < 3 or not hump[0].isupper() or not rest.islower() or _is_english(hump, 3.0):
        return False
    needed = 5.0 if len(rest) == 2 else 3.0 if len(rest) <= 4 else 1.0
    return _zipf(rest) >= needed


def _splits_into_code_and_english(word: str) -> bool:
    """True if `word` is code names and English words run together, code first.

    Only code first: an English word followed by a name is how real compound
    names are built (capsys, monkeypatch), while glue puts prose after code.
    """
    if len(word) > _MAX_GLUE_CHECK or not word.isalnum():
        return False
    # reach[i] = set of piece kinds used to cover word[:i]
    reach: list[Optional[set[frozenset[str]]]] = [None] * (len(word) + 1)
    reach[0] = {frozenset()}
    for start in range(len(word)):
        if not reach[start]:
            continue
        for end in range(start + 1, len(word) + 1):
            piece = word[start:end]
            kind = ("code" if _is_code_piece(piece, leading=start == 0)
                    else "english" if _is_english_piece(piece) and start > 0 else "")
            if not kind:
                continue
            paths = reach[end] if reach[end] is not None else set()
            for used in reach[start]:  # type: ignore[union-attr]
                paths.add(used | {kind})
            reach[end] = paths
    return any({"code", "english"} <= used for used in (reach[-1] or ()))


def _code_runs_into_english(word: str) -> bool:
    """True if a longer known name is directly followed by an English word inside `word`.

    Catches glue in the middle of a run ("bisect_leftandbisect_right").
    """
    if len(word) > _MAX_GLUE_CHECK:
        return False
    core, attributes = _python_vocabulary()
    for start in range(len(word)):
        for end in range(start + 4, len(word) - 2):
            piece = word[start:end]
            if piece in keyword.kwlist or not (piece in core or piece in attributes
                                                or _DUNDER.fullmatch(piece)):
                continue
            for stop in range(end + 3, len(word) + 1):
                follower, rest = word[end:stop], word[stop:]
                if follower.isalpha() and follower.islower() and _is_english(follower, 4.5) \
                        and not _is_known_code(follower) \
                        and (not rest or any(_is_code_piece(rest[:size])
                                             for size in range(1, len(rest) + 1))):
                    return True  # glue: code, then a word, then the end or more code
    return False


def _conjunction_inside(word: str) -> bool:
    """ "httpxoraiohttp", "mutmutor": unknown names glued to a following "or" / "and"."""
    if not word.isalpha() or not word.islower() or _zipf(word) > 0:
        return False
    return any(re.fullmatch(r"[a-z]{3,}%s(?:[a-z]{3,})?" % joiner, word)
               for joiner in ("and", "or"))


def _english_compound_cost(word: str) -> Optional[float]:
    """Cost of reading an unknown lowercase name as two English words or names.

    Package names are built that way (setuptools, objgraph, bumpversion), and
    should cost no more than their parts.
    """
    if not word.isalpha() or not word.islower():
        return None
    best = None
    for cut in range(3, len(word) - 2):
        costs = []
        for part in (word[:cut], word[cut:]):
            if part in keyword.kwlist:
                break  # a keyword inside a name is glue ("passis"), not a compound
            if _is_english(part):
                costs.append(_zipf(part) - 9.0)
            elif _is_code_piece(part):
                costs.append(_CODE_ATTRIBUTE)
        if len(costs) == 2:
            cost = sum(costs) + _CODE_COMPOUND
            best = cost if best is None else max(best, cost)
    return best


@functools.lru_cache(maxsize=65536)
def _glued_to_english(word: str) -> bool:
    """True when an unknown name is a code name glued to an English word.

    That is the scrape's signature ("passis" = pass + is, "BifA" = B + if + A,
    "__mro__orClass"); a real identifier rarely looks like that.
    """
    if _GLUED_DUNDER.search(word):
        return True
    if any(_capital_glued_to_word(hump) for hump in _HUMP.findall(word)):
        return True
    return _conjunction_inside(word) or _splits_into_code_and_english(word) \
        or _code_runs_into_english(word)


@functools.lru_cache(maxsize=65536)
def _identifier_cost(word: str, after_dot: bool = False, inner: bool = False) -> float:
    """Log-probability of one identifier inside a code span.

    `inner` marks a part followed by an underscore, where glue cannot happen.
    """
    core, attributes = _python_vocabulary()
    if _DUNDER.fullmatch(word):
        return _CODE_DUNDER
    if word in core or (after_dot and word in _file_suffixes()):
        return _CODE_CORE
    if word in attributes:  # many are parameter names, i.e. plain English: setup, value
        cost = _CODE_ATTRIBUTE if len(word) > 3 else _CODE_ATTRIBUTE - 1.0  # obj, cls, sep
        return min(cost, _zipf(word) - 9.0) if _is_english(word) else cost
    if len(word) == 1:
        return _CODE_LETTER
    if not inner and _glued_to_english(word.strip("_")):
        return _CODE_GLUED + _CODE_GLUED_PER_CHAR * len(word)
    return _unknown_name_cost(word)


def _unknown_name_cost(word: str) -> float:
    """Cost of a name Python does not define: by its shape, then as English."""
    parts = [part for part in word.split("_") if part]
    if len(parts) > 1:  # English parts are normal here: iter_content, foreign_keys
        last = len(parts) - 1
        return sum(_zipf(part) - 9.0 if _is_english(part)
                   else _identifier_cost(part, inner=number < last)
                   for number, part in enumerate(parts)) + _CODE_SNAKE_BONUS
    humps = _HUMP.findall(word)
    if _CAMEL.search(word) and len(humps) > 1:
        return sum(_hump_cost(hump) for hump in humps) + _CODE_CAMEL_BONUS
    if word.isupper() or any(ch.isdigit() for ch in word):
        return -4.0 - 0.3 * len(word)
    return _word_as_name_cost(word)


def _word_as_name_cost(word: str) -> float:
    """Cost of a plain alphabetic name by how English it is (English costs extra in code)."""
    length = len(word)
    zipf = _zipf(word)
    compound = _english_compound_cost(word) if zipf < _COMMON_ENGLISH else None
    if compound is not None:
        return max(compound, -3.0 + _CODE_RARE_PER_CHAR * length)
    if zipf >= _COMMON_ENGLISH and word[0].isupper() and length >= 3:
        return zipf - 9.0  # class names are often plain nouns: Base, Meta, Counter
    if zipf >= _COMMON_ENGLISH:
        return zipf - 9.0 + _CODE_ENGLISH_EXTRA
    if zipf >= 2.5:  # cls, obj, pip: jargon more than English, unless a 2-letter fragment
        return -3.5 + _CODE_RARE_PER_CHAR * length if length > 2 else -6.0
    return -3.0 + _CODE_RARE_PER_CHAR * length  # neither English nor known: a package?


def _hump_cost(hump: str) -> float:
    """Cost of one hump of a CamelCase name: English humps are what class names are made of."""
    if hump.isdigit():
        return -2.0
    if hump.isupper():
        return -4.0
    if _is_english(hump, 2.5):
        return _zipf(hump) - 9.0
    return -3.0 + _CODE_RARE_PER_CHAR * len(hump)


_NAME_PAIR = re.compile(r"(?<![\w'\"])([A-Za-z_]\w*) +(?=([A-Za-z_]\w*))")
_ALL_KEYWORDS = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist)
_DOTTED_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_BLOCK_KEYWORDS = frozenset(("async", "class", "def", "elif", "else", "except", "finally",
                             "for", "if", "try", "while", "with"))


@functools.lru_cache(maxsize=65536)
def _parses_as_python(text: str) -> bool:
    """True when Python's own parser accepts the span as a statement or expression."""
    # Shortcuts for the commonest shapes, which the parser would only confirm.
    if _DOTTED_NAME.fullmatch(text) and not any(part in keyword.kwlist
                                                  for part in text.split(".")):
        return True
    if (text[0] == "." and not text.startswith("...")) or text[-1] in ",;" \
            or text.count('"') % 2 or text.count("'") % 2:
        return False
    if any(first not in _ALL_KEYWORDS and second not in _ALL_KEYWORDS
           for first, second in _NAME_PAIR.findall(text)):
        return False  # two plain names in a row never parse: "script name"
    candidates = [text]
    if text.split(" ", 1)[0] in _BLOCK_KEYWORDS:
        candidates.append(text + ": pass")  # "with open(p) as f": a header without colon
    if text.endswith(":"):
        candidates.append(text + " pass")  # a block header needs a body
    if text.startswith("@"):
        candidates.append(text + "\ndef f(): pass")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for candidate in candidates:
            try:
                ast.parse(candidate)
                return True
            except Exception:  # SyntaxError, ValueError on NUL bytes, RecursionError
                continue
    return False


@functools.lru_cache(maxsize=65536)
def _name_terms(name: str, after_dot: bool, hyphenated: bool,
                after_name_char: bool) -> tuple[float, float]:
    """(cost, attribute penalty) of one identifier inside a code span, given its neighbours.

    `after_name_char` means the character before the dot is a letter, digit or underscore.
    The two terms are added to a span's total one after the other, as floats.
    """
    if hyphenated and _is_english(name) and not _is_known_code(name):
        cost = _zipf(name) - 9.0  # package names: cosmic-ray, pre-commit
    else:
        cost = _identifier_cost(name, after_dot)
    penalty = 0.0
    if after_dot and after_name_char and not _is_known_code(name) \
            and not _DUNDER.fullmatch(name) and name not in _file_suffixes():
        penalty = _CODE_UNKNOWN_ATTRIBUTE
    return cost, penalty


_WORD_CHAR = re.compile(r"\w")  # what \w means to the regexes above (Unicode letters too)
_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_NAME_STARTS = _NAME_CHARS - frozenset("0123456789")
# Loose forms of _OPERATOR_WORD_GLUED and _GLOSS: a span can only match if its region matches
# these (and _SHELL_WORD itself), so a region without a match spares the per-span search.
_MAYBE_GLUED_OPERATOR = re.compile(r"[^\w\s](?:and|or|not|is|in)|(?:and|or|not|is|in)[^\w\s]")
_MAYBE_GLOSS = re.compile(r"([a-z])\((\1[a-z]+)\)")


class _CodeSpans:
    """Code scores of all spans of a region that start at one position, in one pass.

    A span's score is the log-probability that it was one inline code element.
    Its terms, as the span itself sees them (nothing outside it counts):
    - names: runs of ASCII letters, digits and "_", from their first non-digit,
      each costed by `_name_terms` (after a ".", next to a "-");
    - symbol runs: runs of anything but spaces, ASCII letters, digits and "_",
      not counting a "." or ":" between two word characters (pkg.mod:main) or a
      leading "." before one;
    - top-level "," or ";", a sentence end (".!?" then a space) inside, sentence
      punctuation at the end, unbalanced brackets, spaces;
    - a bonus by its tokens (word runs and single other characters) when
      Python's parser accepts it.
    Scoring every candidate span from scratch was the repair's main cost, so
    the counts are carried along as the span grows one character at a time;
    only what depends on the span's last characters is settled per span.  Every
    term is added in the same order as a from-scratch sum would, so the floats
    (and hence the search's choices) do not depend on how they were computed.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        size = len(text)
        self.word = [bool(_WORD_CHAR.match(ch)) for ch in text]
        self.symbol = [bool(_SYMBOL_RUN.match(ch)) for ch in text]
        # A dot or colon between word characters belongs to a dotted name (pkg.mod:main).
        self.name_joint = [0 < i < size - 1 and text[i] in ".:" and self.word[i - 1]
                           and self.word[i + 1] for i in range(size)]
        # Where the run of name characters holding each position starts, and where the
        # identifier begins inside a run cut at each position ("12ab" -> "ab").
        self.run_start = list(range(size))
        self.name_from = [-1] * (size + 1)
        for i in range(size - 1, -1, -1):
            if text[i] in _NAME_STARTS:
                self.name_from[i] = i
            elif text[i] in _NAME_CHARS and i + 1 < size and text[i + 1] in _NAME_CHARS:
                self.name_from[i] = self.name_from[i + 1]
        self.word_start = list(range(size))  # where the run of \w characters holding i starts
        for i in range(1, size):
            if text[i] in _NAME_CHARS and text[i - 1] in _NAME_CHARS:
                self.run_start[i] = self.run_start[i - 1]
            if self.word[i] and self.word[i - 1]:
                self.word_start[i] = self.word_start[i - 1]
        self.maybe_glued_operator = bool(_MAYBE_GLUED_OPERATOR.search(text))
        self.maybe_gloss = bool(_MAYBE_GLOSS.search(text))
        self.maybe_shell = bool(_SHELL_WORD.search(text))

    def _name_cost(self, start: int, first: int, end: int, stop: int) -> tuple[float, float]:
        """Terms of the identifier text[first:end] inside the span text[start:stop]."""
        text = self.text
        before = text[first - 1] if first > start else ""
        after = text[end] if end < stop else ""
        before_dot = text[first - 2] if first - 2 >= start else ""
        return _name_terms(text[first:end], before == ".", before == "-" or after == "-",
                           before_dot.isalnum() or before_dot == "_")

    def scores(self, start: int, stop: int) -> Iterator[tuple[int, Optional[float]]]:
        """(end, score of text[start:end]) for end = start+1 .. stop; None where a space ends it."""
        text, word, symbol = self.text, self.word, self.symbol
        names = 0.0             # identifiers already followed by a character of the span
        spaces = parens = brackets = braces = 0
        depth, quote, commas = 0, "", 0
        runs, last_symbol = 0, False  # symbol runs among the characters before the last one
        sentence_inside = False
        tokens = 0
        only_name = text[start] in _NAME_STARTS
        # Two plain names in a row ("script name") never parse, however the span goes on.
        two_names, after_name = False, -1
        for j in range(start, stop):
            ch = text[j]
            if j > start:  # the previous character is no longer the last one
                k = j - 1
                joint = (text[k] == "." and word[j]) if k == start else self.name_joint[k]
                if not joint:
                    if symbol[k] and not last_symbol:
                        runs += 1
                    last_symbol = symbol[k]
                if text[k] in _NAME_CHARS and ch not in _NAME_CHARS:
                    first = self.name_from[max(self.run_start[k], start)]
                    if first != -1 and first <= k:
                        cost, penalty = self._name_cost(start, first, j, j + 1)
                        names += cost
                        if penalty:
                            names += penalty
                if text[k] in ".!?" and ch.isspace():
                    sentence_inside = True
                if word[k] and not word[j]:  # a run of \w characters ends: see _NAME_PAIR
                    first = max(self.word_start[k], start)
                    plain = text[first] in _NAME_STARTS and text[first:j] not in _ALL_KEYWORDS
                    two_names = two_names or (plain and first == after_name)
                    after_name = j + 1 if plain and ch == " " and \
                        (first == start or text[first - 1] not in "'\"") else -1
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
            parens += (ch == "(") - (ch == ")")
            brackets += (ch == "[") - (ch == "]")
            braces += (ch == "{") - (ch == "}")
            if word[j]:
                tokens += j == start or not word[j - 1]
            elif not ch.isspace():
                tokens += 1
            only_name = only_name and ch in _NAME_CHARS
            if ch.isspace():
                spaces += 1
                yield j + 1, None
                continue
            total = names
            if ch in _NAME_CHARS:
                first = self.name_from[max(self.run_start[j], start)]
                if first != -1 and first <= j:
                    cost, penalty = self._name_cost(start, first, j + 1, j + 1)
                    total += cost
                    if penalty:
                        total += penalty
            imbalance = abs(parens) + abs(brackets) + abs(braces)
            shown_runs = runs + (symbol[j] and not last_symbol)
            yield j + 1, self._score(text[start:j + 1], total, spaces, imbalance,
                                     only_name or two_names, shown_runs, commas,
                                     sentence_inside, tokens)

    def _score(self, text: str, names: float, spaces: int, imbalance: int, unparsable: bool,
               runs: int, commas: int, sentence_inside: bool, tokens: int) -> float:
        # `unparsable`: a lone name (which proves nothing) or two plain names in a row
        parses = not unparsable and not imbalance and _parses_as_python(text)
        shape = _CODE_SYMBOLS * runs  # dots and colons inside dotted names not counted
        shape += _CODE_TOP_LEVEL_COMMA * commas
        if sentence_inside:
            shape += _CODE_BAD_EDGE  # a sentence ends inside the span
        last = text[-1]
        if last in ",;" or (last == "." and (not text.endswith("...") or text.endswith("...."))):
            shape += _CODE_BAD_EDGE  # sentence punctuation belongs to the prose
        if not parses and self.maybe_glued_operator and _OPERATOR_WORD_GLUED.search(text):
            shape += _CODE_GLUED_OPERATOR
        if self.maybe_gloss:
            for _, word in _GLOSS.findall(text):
                if _is_english(word):
                    shape += _CODE_GLOSS  # prose glossing a one-letter command, not a call
        score = names + shape + _CODE_UNBALANCED * imbalance
        if spaces:
            fluent = parses or (self.maybe_shell and _SHELL_WORD.search(text))
            score += spaces * (_CODE_SPACE if fluent else _CODE_SPACE_UNPARSED)
        if parses and tokens >= 3:  # "-x" or "[]" parse too, but prove little
            score += _CODE_PARSES + _CODE_PARSES_PER_TOKEN * min(tokens - 1, 10)
        return score


# --- Scoring prose pieces ----------------------------------------------------------

_VERSION = r"(?:[A-Za-z]{1,3})?\d+(?:\.\d+)+\+?|\d+\+?"  # Py3.9+, 3.7+, 8
_VERSION_TOKEN = re.compile(_VERSION)
_PROSE_TOKEN = re.compile(
    _VERSION + r"|[A-Za-z]+(?:['’][A-Za-z]+)*(?:-[A-Za-z]+)*|\S"
)
_PROSE_GLUE_MARK = re.compile(
    r"[.:;,!?)\]](?=[A-Za-z_(\[])|[,;](?=[^\s\d'\"’”)])|[:;,](?=[:;,.])|^--?(?=[A-Za-z])"
)
_ABBREVIATION = re.compile(r"\b[A-Za-z]\.[A-Za-z]\.")  # e.g., i.e.
_PROSE_CALL_MARK = re.compile(r"[A-Za-z0-9_][(\[]")
_PROSE_CODE_CHARS = set("=@*[]{}<>|&_`\\~^")


@functools.lru_cache(maxsize=1)
def _dangling_end() -> re.Pattern[str]:
    """Keywords that are English function words ("in", "or", "with") ending a sentence.

    Such words do not end a sentence; when one seems to, the code before it
    was cut short ("named `SomethingMix` in.").
    """
    words = [word for word in keyword.kwlist if word.islower() and _is_english(word, 6.0)]
    return re.compile(r"(?:^|[^A-Za-z])(?:%s)[.!?]$" % "|".join(words))


_SUFFIXES = ("ability", "ables", "able", "ibles", "ible", "ization", "ized", "izes",
             "ness", "ments", "ment")


def _derived_cost(word: str) -> Optional[float]:
    """Cost of an unlisted derived word ("referencable" = reference + able)."""
    for suffix in _SUFFIXES:
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3:
            for candidate in (stem, stem + "e"):
                if _is_english(candidate, 3.0):
                    return _zipf(candidate) - 9.0 + _PROSE_COMPOUND
    return None


def _compound_cost(word: str) -> Optional[float]:
    """Cost of an unlisted word made of two listed ones ("hashable" = hash + able)."""
    best = None
    lower = word.lower()
    for cut in range(4, len(lower) - 3):
        head, tail = lower[:cut], lower[cut:]
        if _is_english(head, 3.0) and _is_english(tail, 3.0):
            cost = _zipf(head) + _zipf(tail) - 18.0 + _PROSE_COMPOUND
            best = cost if best is None else max(best, cost)
    return best


@functools.lru_cache(maxsize=65536)
def _prose_word_cost(word: str) -> float:
    """Log-probability of one prose word (possessive "’s" ignored)."""
    if "-" in word:  # no-op, auto-creates: each part is a word of its own
        return sum(_zipf(part) - 9.0 if _zipf(part) else _prose_word_cost(part)
                   for part in word.split("-"))
    base = re.split(r"['’]", word)[0]
    if len(base) == 1:
        return -2.0 if base in "aAI" else _PROSE_SINGLE_LETTER
    zipf = _zipf(base)
    if len(base) == 2 and zipf < 4.8 and not base.isupper():
        return _PROSE_SHORT_JUNK
    if len(base) <= 4 and zipf < 3.0 and base.islower():
        zipf = 0.0  # short rare entries ("radd", "ipdb") are noise in the word list
    if zipf > 0 and not (base[0].islower() and _CAMEL.search(base)):
        return zipf - 9.0
    return _unlisted_word_cost(base)


def _unlisted_word_cost(base: str) -> float:
    """Cost of a prose word the list lacks: acronyms and names are fine, glue is not."""
    unknown = -4.0 + _PROSE_UNKNOWN_PER_CHAR * len(base)
    if base.isupper():
        return max(unknown, -6.0)  # acronyms: AST, GIL, PEP
    if base[0].isupper() and base[1:].islower() and not _capital_glued_to_word(base):
        return max(unknown, _PROSE_PROPER_NOUN)
    if base[0].isupper() and _CAMEL.search(base):
        if all(hump.isupper() or _is_english(hump, 2.5) for hump in _HUMP.findall(base)):
            return max(unknown, -7.0)  # proper names such as FastAPI or OpenTelemetry
    if _is_known_code(base):
        return max(unknown, _PROSE_UNKNOWN)  # pytest, asyncio: jargon, not noise
    if base.islower():
        compound = _compound_cost(base)
        if compound is None and base.endswith("s") and len(base) > 5:
            singular = _compound_cost(base[:-1])  # awaitables = awaitable + s
            compound = None if singular is None else singular + _PROSE_COMPOUND
        if compound is None:
            compound = _derived_cost(base)
        if compound is not None:
            return max(unknown, compound)
    return unknown


@functools.lru_cache(maxsize=65536)
def _piece_score(piece: str) -> tuple[float, bool]:
    """(log-probability, has a real word) of a prose piece holding no spaces."""
    score, has_word = 0.0, False
    for token in _PROSE_TOKEN.findall(piece):
        if _VERSION_TOKEN.fullmatch(token):
            score += _PROSE_NUMBER
        elif token[0].isalpha():
            score += _prose_word_cost(token)
            has_word = has_word or len(token) > 1 or token in "aAI"
        elif token[-1].isdigit() or token[-1] == "+":
            score += _PROSE_NUMBER
        elif token in _PROSE_CODE_CHARS:
            score += _PROSE_CODE_CHAR
        else:
            score += _PROSE_PUNCT
    if _dangling_end().search(piece):
        score += _PROSE_DANGLING
    glue = len(_PROSE_GLUE_MARK.findall(piece)) - len(_ABBREVIATION.findall(piece))
    score += _PROSE_GLUE * max(glue, 0)
    score += _PROSE_CALL_GLUE * len(_PROSE_CALL_MARK.findall(piece))
    return score, has_word


# --- Splitting raw lines into units ------------------------------------------------

_MIDLINE_BULLET = re.compile(r"(?<=[.!?])[ \t]?- (?=\S)")
_SENTENCE_END = (".", "!", "?")


@dataclass
class _Unit:
    """Text up to the next visible "- " marker: one bullet plus code-first ones glued on."""

    code_first: bool
    lead: str = ""                     # prose before the first code element
    region: str = ""                   # text from the first code element on
    forced: set[int] = field(default_factory=set)  # where the line breaks put code


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
            units.append((False, first[1:].strip()))
        elif units and open_sentence:
            # A line break inside an unfinished sentence is the break the
            # scraper put before the bullet's first code element.
            code_first, before = units.pop()
            units.append((code_first, before + "\n" + first))
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
        part = " ".join(part.split())
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
    """Space-free runs of a region, so that any prose span scores in O(1)."""

    starts: list[int]
    ends: list[int]
    index: list[int]        # chunk number per character (-1 on spaces)
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

    def prose_from(self, text: str, start: int, ends: Iterable[int]) -> Iterator[tuple[float, bool]]:
        """`prose(text, start, end)` for each of `ends`, sharing the work that depends on `start`."""
        first = self.index[start]
        head_end = self.ends[first]
        head = _piece_score(text[start:head_end])
        for end in ends:
            while end > start and text[end - 1].isspace():
                end -= 1
            if end <= head_end:
                yield (_piece_score(text[start:end]) if end > start else (0.0, False))
                continue
            last = self.index[end - 1]
            tail_score, tail_word = _piece_score(text[self.starts[last]:end])
            middle_score = self.score_prefix[last] - self.score_prefix[first + 1]
            yield head[0] + middle_score + tail_score, \
                head[1] or tail_word or self.word_prefix[last] > self.word_prefix[first + 1]


# A DP state: (position, what ended there, still in the unit's first bullet,
# current bullet has a prose word).  Kinds: "B" = a bullet (re)starts and code
# must follow, "P" = prose ended and code follows, "C" = code ended.
_State = tuple[int, str, bool, bool]
_Step = tuple[str, int, int]  # (action, start, end)


@dataclass
class _Search:
    """One unit's search: the region, its scorers, and the best score of each state so far."""

    text: str
    forced: set[int]
    code_first: bool
    chunks: _Chunks
    spans: _CodeSpans
    edges: "_Edges"
    best: dict = field(default_factory=dict)

    def relax(self, state: _State, score: float, back: tuple) -> None:
        current = self.best.get(state)
        if current is None or score > current[0]:
            self.best[state] = (score, back)

    def next_forced(self, position: int) -> int:
        later = [f for f in self.forced if f > position]
        return min(later) if later else len(self.text)


_OPERATOR_CHARS = set("-_*=<>/:|&+")
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


class _Edges:
    """Penalties for code edges that cut through a word rather than meet glue.

    Worked out per region: most of it depends on one edge only.  The penalties
    are whole numbers, so their sum is exact in any order.
    """

    # Penalties that apply once if either edge qualifies, by bit.
    _HYPHEN, _OPERATOR, _CASE, _CUT = 1, 2, 4, 8

    def __init__(self, text: str) -> None:
        self.text = text
        size = len(text)
        # letters_from[p] .. letters_to[p]: the run of ASCII letters around position p
        self.letters_from = list(range(size + 1))
        letters_to = list(range(size + 1))
        for p in range(1, size + 1):
            if text[p - 1] in _LETTERS:
                self.letters_from[p] = self.letters_from[p - 1]
        for p in range(size - 1, -1, -1):
            if text[p] in _LETTERS:
                letters_to[p] = letters_to[p + 1]
        # "pyth|on": the letters on both sides of the cut form one English word
        cuts = [self.letters_from[p] < p < letters_to[p]
                and _is_english(text[self.letters_from[p]:letters_to[p]]) for p in range(size + 1)]
        self.name_end = [0] * (size + 1)
        for match in re.finditer(r"[A-Za-z_][A-Za-z0-9_]*", text):
            for position in range(match.start(), match.end()):
                self.name_end[position] = match.end()
        self.inside: dict[tuple[int, int], bool] = {}
        # start_bits[i]: what a span starting at i does to its left edge; end_bits[i]: a
        # span ending at i to its right edge.
        self.start_bits = [0] * (size + 1)
        self.end_bits = [0] * (size + 1)
        for i in range(size + 1):
            before = text[i - 1] if i > 0 else " "
            after = text[i] if i < size else " "
            if i < size:  # as a start, text[i] is the span's first character
                self.start_bits[i] = self._bits(before, after, after, cuts[i])
            if i > 0:  # as an end, text[i - 1] is the span's last character
                self.end_bits[i] = self._bits(after, before, before, cuts[i])
        # punctuation_to[i]: where a run of sentence punctuation starting at i ends
        self.punctuation_to = list(range(size + 1))
        for i in range(size - 1, -1, -1):
            if text[i] in ".,;:!?":
                self.punctuation_to[i] = self.punctuation_to[i + 1]
        self.penalty = [self._penalty(bits) for bits in range(16)]

    @classmethod
    def _bits(cls, outside: str, inside: str, edge: str, cut: bool) -> int:
        bits = 0
        if (inside in "-_" and outside.isalpha()) or outside in "-_":
            bits |= cls._HYPHEN  # glue never cuts at a hyphen or underscore
        if outside == edge and outside in _OPERATOR_CHARS:
            bits |= cls._OPERATOR  # nor through "--", "**", "==" or "__"
        if outside.isupper() and edge.isupper():
            bits |= cls._CASE
        if cut:
            bits |= cls._CUT
        return bits

    @classmethod
    def _penalty(cls, bits: int) -> float:
        return ((_CODE_HYPHEN_EDGE if bits & cls._HYPHEN else 0.0)
                + (_CODE_HYPHEN_EDGE if bits & cls._OPERATOR else 0.0)
                + (_CODE_CASE_CUT if bits & cls._CASE else 0.0)
                + (_CODE_CUTS_WORD if bits & cls._CUT else 0.0))

    def cost(self, start: int, end: int) -> float:
        text = self.text
        cost = self.penalty[self.start_bits[start] | self.end_bits[end]]
        if end - start == 1:
            before = text[start - 1] if start > 0 else " "
            after = text[end] if end < len(text) else " "
            if text[start].islower() and (before.isalpha() or after.isalpha()):
                cost += _CODE_LETTER_IN_WORD  # "has|h|able", "t|wine"
            if text[start] in "()":
                cost += _CODE_PUNCTUATION_ONLY
        if end <= self.punctuation_to[start]:
            cost += _CODE_PUNCTUATION_ONLY  # sentence punctuation is never a code span
        if start > 0 and text[start - 1].isalpha():
            head_end = min(end, self.name_end[start]) if self.name_end[start] else start
            key = (start, head_end)
            if key not in self.inside:
                self.inside[key] = _starts_inside_word(
                    text, start, head_end, text[self.letters_from[start]:start])
            if self.inside[key]:
                cost += _CODE_WORD_IN_WORD
        return cost


def _starts_inside_word(text: str, start: int, end: int, letters_before: str) -> bool:
    """True if code glued after letters looks cut out of a word ("Pip|file", "refer|encable").

    Real glue follows a short common word ("via|snakeviz", "or|tomli") or
    starts a name Python knows ("returns|None").  `letters_before` are the
    letters right before `start`.
    """
    head = re.match(r"[A-Za-z_][A-Za-z0-9_]*", text[start:end])
    if head is None or start == 0:
        return False
    name = head.group()
    if name[0].isupper() and text[start - 1].islower():
        return False  # a case change is where glue shows: returnsNone, elseA
    after_function_word = _ends_in_function_word(letters_before)
    if _is_english(name) and name not in _python_vocabulary()[0]:
        return not (len(name) >= 4 and after_function_word)
    return not after_function_word and not _is_known_code(name) \
        and not _DUNDER.fullmatch(name)


def _ends_in_function_word(letters: str) -> bool:
    """True if a run of letters ends in a very common word ("or", "via")."""
    return any(_is_english(letters[-size:], 5.0) for size in (2, 3, 4) if len(letters) >= size)


def _code_moves(search: _Search, position: int) -> list[tuple[int, float, float]]:
    """(end, code score, edge cost) of every code span that may start at `position`.

    The same for every state at `position`, so it is worked out once per position.
    """
    text = search.text
    size = len(text)
    if position >= size or text[position].isspace():
        return []
    limit = min(size, position + _MAX_CODE_CHARS, search.next_forced(position))
    moves = []
    depth = 0
    last = 0.0  # score of the span up to the previous character
    for end, score in search.spans.scores(position, limit):
        char = text[end - 1]
        depth += (char in "([{") - (char in ")]}")
        if char.isspace() or (end < size and text[end].isspace()):
            if text[end - 2:end] in (". ", "! ", "? ") and text[end - 3:end - 1] != "..":
                break  # code never runs across the end of a sentence...
            if depth <= 0 and text[end - 2:end] in (", ", "; "):
                break  # ...nor across a list of items: "a, b" is two spans
            if char.isspace() and last < _HOPELESS_CODE:
                break  # costs only add up from here: it will never beat prose
            if score is not None:
                last = score
            continue  # the space after code was removed too
        last = score  # type: ignore[assignment]
        moves.append((end, last, search.edges.cost(position, end)))
    return moves


def _extend_code(search: _Search, state: _State, score: float,
                 moves: list[tuple[int, float, float]]) -> None:
    text = search.text
    position, kind, first, words = state
    glued = position > 0 and not text[position - 1].isspace()
    if kind == "P" and not glued and position not in search.forced:
        return  # the space before code was removed, so code never follows a space
    opening = 0.0 if kind == "B" or position in search.forced else _NEW_CODE_SPAN
    back = (state, "code", position)
    best = search.best
    for end, code, edge in moves:
        target = (end, "C", first, words)
        value = score + (code + opening + edge)
        current = best.get(target)
        if current is None or value > current[0]:  # as `relax`, inlined: the hottest loop
            best[target] = (value, back)


# What a prose span may lead to: (end, score, has a word, penalty if it may end
# right before code or None, "glued" / "space" if it ends a sentence that may end a bullet).
_ProseMove = tuple[int, float, bool, Optional[float], str]


def _prose_moves(search: _Search, position: int) -> list[_ProseMove]:
    """Every prose span from `position` that some state may take, worked out once per position."""
    text = search.text
    size = len(text)
    if position >= size or text[position].isspace():
        return []  # the space after code was removed, so prose never starts with one
    limit = search.next_forced(position)
    ends = range(position + 1, min(limit, position + _MAX_PROSE_CHARS) + 1)
    if limit > position + _MAX_PROSE_CHARS:
        ends = [*ends, limit]  # prose may still run on to the next line break or the end
    steps: list[tuple[int, Optional[float], str]] = []
    for end in ends:
        if end == size:
            steps.append((end, None, ""))
            continue
        ends_sentence = text[end - 1] in ".!?"
        penalty = None
        if end == limit or (not text[end - 1].isspace() and not text[end].isspace()):
            period = ends_sentence and not _ABBREVIATION.search(text[max(0, end - 4):end])
            penalty = _PROSE_PERIOD_BEFORE_CODE if period else 0.0
        after = ""
        if ends_sentence:
            after = "glued" if not text[end].isspace() else \
                "space" if text[end] == " " and end + 1 < size else ""
        if penalty is not None or after:  # else nothing can follow prose that ends here
            steps.append((end, penalty, after))
    scores = search.chunks.prose_from(text, position, [end for end, _, _ in steps])
    return [(end, gain, has_word, penalty, after)
            for (end, penalty, after), (gain, has_word) in zip(steps, scores)]


def _extend_prose(search: _Search, state: _State, score: float,
                  moves: list[_ProseMove]) -> None:
    position, _, first, words = state
    size = len(search.text)
    code_bullet = search.code_first or not first
    back = (state, "prose", position)
    for end, gain, has_word, penalty, after in moves:
        now_words = words or has_word
        if end == size:
            search.relax((end, "P", first, now_words), score + gain, back)
            continue
        if penalty is not None:
            search.relax((end, "P", first, now_words), score + gain + penalty, back)
        if not after:
            continue
        closing = _BULLET_BREAK + (0.0 if now_words else _BULLET_WITHOUT_WORDS)
        if after == "glued" and code_bullet:
            search.relax((end, "B", False, False), score + gain + closing,
                         (state, "break", position))
        elif after == "space" and not code_bullet:
            search.relax((end + 1, "B", False, False), score + gain + closing,
                         (state, "break-space", position))


def _segment(unit: _Unit) -> list[_Step]:
    """Best sequence of code/prose/break steps covering the unit's region."""
    text = unit.region
    search = _Search(text, unit.forced, unit.code_first, _Chunks.of(text),
                     _CodeSpans(text), _Edges(text))
    start: _State = (0, "B", True, not unit.code_first)
    search.best[start] = (0.0, None)
    size = len(text)
    # Every step moves forward, so visiting positions in order settles each state.
    for position in range(size + 1):
        code_moves: Optional[list[tuple[int, float, float]]] = None
        prose_moves: Optional[list[_ProseMove]] = None
        for kind, first, words in product("BPC", (True, False), (True, False)):
            state = (position, kind, first, words)
            if state not in search.best:
                continue
            score = search.best[state][0]
            if kind == "C":
                if prose_moves is None:
                    prose_moves = _prose_moves(search, position)
                _extend_prose(search, state, score, prose_moves)
            else:
                if code_moves is None:
                    code_moves = _code_moves(search, position)
                _extend_code(search, state, score, code_moves)
    finals = []
    for state, (score, _) in search.best.items():
        if state[0] == size and state[1] in "PC":
            needs_words = not state[2]  # bullets split off must say something
            finals.append((score + (_BULLET_WITHOUT_WORDS if needs_words and not state[3]
                                    else 0.0), state))
    if not finals:
        raise ValueError("no segmentation")  # repair_answer falls back
    state = max(finals, key=lambda item: item[0])[1]
    steps: list[_Step] = []
    while search.best[state][1] is not None:
        previous, action, begin = search.best[state][1]
        steps.append((action, begin, state[0]))
        state = previous
    steps.reverse()
    return steps


def _bullets_from_steps(text: str, steps: list[_Step]) -> list[list[tuple[str, str]]]:
    bullets: list[list[tuple[str, str]]] = [[]]
    for action, start, end in steps:
        if action == "code":
            bullets[-1].append(("code", text[start:end]))
            continue
        piece = text[start:end - 1] if action == "break-space" else text[start:end]
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
    out, previous = "", ""
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
    if len(unit.region) > _MAX_REGION_CHARS:  # keep the cost bounded on odd input
        return [" ".join(f"{unit.lead} {unit.region}".split())]
    bullets = _bullets_from_steps(unit.region, _segment(unit))
    if unit.lead:
        if bullets:
            bullets[0].insert(0, ("prose", unit.lead))
        else:
            bullets = [[("prose", unit.lead)]]
    return [_render(bullet) for bullet in bullets]


def _fallback(lines: list[str]) -> list[str]:
    """Bullets without any code detection, used only if the repair itself fails."""
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
    except Exception:  # a bug here must not cost the user the answer text
        try:
            return _fallback(list(lines))
        except Exception:  # not even a list of lines
            return []


# --- Questions ----------------------------------------------------------------------
# Question lines kept their spaces; only the backticks went.  Without glue to
# go by, only names that cannot be English are marked: dunders, dotted and
# snake_case names, calls, *args, operators, non-English Python names, a known
# name right before "module"/"operator"/..., and known names coordinated with
# one of those ("`bytearray` and `bytes`").  Plain-word keywords on their own
# ("How does pass differ ...") stay as they are: English reads them just as well.

_MODULE_NOUNS = ("module", "modules", "package")
_KEYWORD_NOUNS = ("operator", "operators", "statement", "statements", "keyword", "keywords")
_COORDINATORS = ("and", "or", "vs", "vs.", "versus")
_OPERATOR_TOKEN = re.compile(r"[=!<>]=|\*\*|->|:=|//|\+=|-=")


def _split_token(token: str) -> tuple[str, str, str]:
    """(leading punctuation, core, trailing punctuation) of one question word."""
    core, lead, trail = token, "", ""
    while core and core[0] in "(\"'“‘" and core.count(core[0]) % 2 == 1 \
            and not (core[0] == "(" and core.count("(") == core.count(")")):
        lead, core = lead + core[0], core[1:]
    while core and (core[-1] in "?.,!;" and not core.endswith("...")
                    or core[-1] == ")" and core.count(")") > core.count("(")):
        core, trail = core[:-1], core[-1] + trail
    return lead, core, trail


def _strong_question_code(core: str) -> bool:
    """Words that are Python code wherever they appear."""
    if not core or _ABBREVIATION.fullmatch(core + "."):
        return False
    if _DUNDER.search(core) or _OPERATOR_TOKEN.fullmatch(core):
        return True
    if re.fullmatch(r"\*{1,2}[A-Za-z_]\w*|\.?[A-Za-z_][\w.]*\(\)", core):
        return True
    if re.fullmatch(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+", core):
        parts = core.split(".")
        core_names = _python_vocabulary()[0]
        return parts[0] in core_names or _is_known_code(parts[-1]) \
            or not any(_is_english(part, 3.0) for part in parts)
    if _IDENTIFIER.fullmatch(core) and "_" in core.strip("_"):
        return True
    # Names Python defines that English does not use at all: memoryview, asyncio.
    # Anything with a real English frequency (tuple, callable, parse) stays prose.
    core_names, attributes = _python_vocabulary()
    return len(core) >= 3 and core not in keyword.kwlist and _zipf(core) < 1.0 \
        and (core in core_names or core in attributes)


def _question_statement_runs(parts: list[tuple[str, str, str]],
                             strong: list[bool]) -> list[tuple[int, int]]:
    """Runs of words that together parse as one Python statement (if __name__ == ...)."""
    runs = []
    index = 0
    while index < len(parts):
        end = index
        while end < len(parts) and (strong[end] or parts[end][1] in keyword.kwlist
                                    or re.fullmatch(r"[\"'][^\"']*[\"']:?", parts[end][1])):
            end += 1
            if parts[end - 1][2]:
                break  # punctuation after a word ends the statement
        words = [core for _, core, _ in parts[index:end]]
        literal = any(_OPERATOR_TOKEN.fullmatch(word) or word[:1] in "\"'" for word in words)
        inner_lead = any(lead for lead, _, _ in parts[index + 1:end])
        if len(words) >= 3 and any(strong[index:end]) and literal and not inner_lead \
                and _parses_as_python(" ".join(words)):
            runs.append((index, end))
        index = max(end, index + 1)
    return runs


def _mark_before_nouns(parts: list[tuple[str, str, str]], strong: list[bool]) -> None:
    """ "array module", "in operator", "import statements": the noun says it is code."""
    for index, (_, core, trail) in enumerate(parts[:-1]):
        noun = parts[index + 1][1]
        if not trail and ((noun in _MODULE_NOUNS and core in sys.stdlib_module_names)
                          or (noun in _KEYWORD_NOUNS and core in keyword.kwlist)):
            strong[index] = True


def _spread_over_coordination(cores: list[str], strong: list[bool]) -> None:
    """ "between == and is", "bytearray and bytes": a Python name paired with code is code."""
    core_names = _python_vocabulary()[0]
    changed = True
    while changed:
        changed = False
        for index in range(len(cores) - 2):
            if cores[index + 1].lower() not in _COORDINATORS:
                continue
            for this, other in ((index, index + 2), (index + 2, index)):
                if strong[this] and not strong[other] and cores[other] in core_names \
                        and not cores[other].istitle():
                    strong[other] = changed = True


def _repair_question(text: str) -> str:
    tokens = text.split(" ")
    parts = [_split_token(token) for token in tokens]
    cores = [core for _, core, _ in parts]
    strong = [_strong_question_code(core) for core in cores]
    _mark_before_nouns(parts, strong)
    _spread_over_coordination(cores, strong)
    out: list[Optional[str]] = list(tokens)
    for start, end in _question_statement_runs(parts, strong):
        lead, trail = parts[start][0], parts[end - 1][2]
        inner = " ".join(tokens[start:end])[len(lead):]
        inner = inner[: len(inner) - len(trail)] if trail else inner
        out[start:end] = [lead + _wrap_code(inner) + trail] + [None] * (end - start - 1)
        strong[start:end] = [False] * (end - start)
    for index, (lead, core, trail) in enumerate(parts):
        if strong[index] and out[index] is not None:
            out[index] = lead + _wrap_code(core) + trail
    return " ".join(token for token in out if token is not None)


def repair_question(text: str) -> str:
    """Put backticks around the unmistakable code in a question line.

    >>> repair_question('What is the purpose of if __name__ == "__main__":?')
    'What is the purpose of `if __name__ == "__main__":`?'
    >>> repair_question("When to use collections.defaultdict vs dict.setdefault?")
    'When to use `collections.defaultdict` vs `dict.setdefault`?'
    """
    try:
        return _repair_question(str(text))
    except Exception:
        return str(text)
