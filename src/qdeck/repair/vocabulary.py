"""Word lists the scoring reads: English zipf frequencies and the names Python defines."""

from __future__ import annotations

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
import sys
import warnings

from qdeck.repair.weights import COMMON_ENGLISH, ZIPF_SHIFT

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

# --- Vocabularies --------------------------------------------------------------

@functools.lru_cache(maxsize=1)  # read-only after loading; 0.3 s, and the API takes no context
def english_frequencies() -> dict[str, float]:
    """Word -> frequency from wordfreq's large English list (shipped in its wheel)."""
    try:
        import wordfreq

        return wordfreq.get_frequency_dict("en", wordlist="large")
    except Exception:  # never a crash in the middle of a search: `has_english_words` says so first
        return {}


def has_english_words() -> bool:
    """Whether the English word list loads. Without it every prose word looks like code (about
    half of answered-200's questions gain stray backticks), so a repair must not run.

    It loads the names Python defines too: the build asks this before it forks its workers,
    which then share them instead of each importing 65 modules again."""
    if not english_frequencies():
        return False
    python_vocabulary()
    return True


@functools.lru_cache(maxsize=65536)  # pure in the word list; the search asks for each word often
def word_zipf(word: str) -> float:
    """Zipf frequency (0 = unknown, 7 = "the") of a word, case-insensitively."""
    freq = english_frequencies().get(word.lower().replace("’", "'"))
    return math.log10(freq) + ZIPF_SHIFT if freq else 0.0


@functools.lru_cache(maxsize=1)  # one pass over the word list, once a process
def top_zipf() -> float:
    """The highest zipf frequency in the word list ("the"): no word scores above it."""
    frequencies = english_frequencies()
    return math.log10(max(frequencies.values())) + ZIPF_SHIFT if frequencies else 0.0


def is_english(word: str, threshold: float = COMMON_ENGLISH) -> bool:
    return word_zipf(word) >= threshold


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


@functools.lru_cache(maxsize=1)  # frozen sets; importing 65 modules takes 0.2 s, so once a process
def python_vocabulary() -> tuple[frozenset[str], frozenset[str]]:
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


@functools.lru_cache(maxsize=1)  # a frozen set from Python's own tables: built once a process
def file_suffixes() -> frozenset[str]:
    """Suffixes Python knows ("py", "pyc", "txt", "json"), used only right after a dot."""
    suffixes = set(importlib.machinery.all_suffixes())
    with contextlib.suppress(Exception):
        defaults = mimetypes.MimeTypes()  # built-in table only, not /etc/mime.types
        suffixes |= set(defaults.types_map[True]) | set(defaults.types_map[False])
    return frozenset(s[1:] for s in suffixes if s[1:].isalnum() and len(s) > 2)


def is_known_code(word: str) -> bool:
    core, attributes = python_vocabulary()
    return word in core or word in attributes

