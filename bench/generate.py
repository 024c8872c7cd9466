"""Deterministic synthetic qdeck projects for the benchmarks: 1k, 10k and 100k questions.

Usage:
    python bench/generate.py [--sizes 1k,10k,100k] [--out bench/out] [--seed N]
    python bench/generate.py --score PROJECT      # score a built project's dedup against its truth

Each size becomes one throwaway qdeck project folder, `<out>/synthetic-<size>/`:

    data/sources.yaml          six sources in four formats (below)
    data/sources/*             the question lists
    data/dedupe.yaml           copied from the repo's data/
    data/taxonomy.yaml         copied from the repo's data/
    decks/synthetic.yaml       recipe: every source, `packages: [{name: synthetic}]`
    truth.json                 ground truth: which refs are one question (see "Ground truth")
    .qdeck-synthetic           marker: the folder is generated and may be wiped

Run `qdeck build` inside it. Nothing touches the network; the same seed and size give the
same bytes (one `random.Random` seeded with the string "<seed>-<size>", no set iteration,
no clock), so timings across commits compare like with like.

How the questions are made
--------------------------
Concepts are combinatorial, so 100k questions are mostly distinct concepts rather than
copies of a few hundred: a concept is TERM x ASPECT x CONTEXT, e.g. "thread safety of
`functools.lru_cache()` in a web service". TERMS (~620) are Python vocabulary grouped by
taxonomy topic: stdlib modules ("the `heapq` module"), module members ("`itertools.groupby()`"),
builtins ("the built-in `zip()`"), dunder names ("`__getattr__`") and concepts
("metaclasses", "the GIL"). ASPECTS (48) are framings such as "the performance cost of {t}"
or "mocking {t} in unit tests"; CONTEXTS (12, one of them empty) are settings such as
" in a data pipeline": a grid of ~356,000 concepts, of which a 100k project uses ~56,000.
The bare term and no context are favoured, as real lists mostly ask short questions; a concept
is drawn at most once per project. Coding tasks ("Write a function that flattens nested
dictionaries lazily.", 15% of the unique questions while the 2,560 cells last) come from a
second grid of verbs x objects x constraints. Wordings are grammatical templates, not prose:
"How does the internals of mixins work?" is fine for a benchmark.

The question budget of a size N is split three ways:

* paraphrase families (~42%): one concept asked in 2-6 wordings drawn from PARAPHRASES
  ("What is X?", "Explain X.", "X" as a heading-style title, "How does X work? Give an
  example.", "Describe X in Python 3.9+." ...), each wording also randomly using one spelling
  of an abbreviation or synonym (dict/dictionary, GIL/global interpreter lock, asyncio/async).
  Members go to different sources where possible: the same question met in several lists.
* hard look-alikes (~14%): groups of 2-3 questions that differ by one token that changes the
  question and must NOT merge: `10 / 3` vs `10 // 3`, ascending vs descending, starts vs
  ends with, "What is X?" vs "When is X released?", list vs tuple as a dict key, min/max,
  first/last, threads/processes, keys/values ... Each side is its own family, and a quarter
  of the sides come in a second wording that SHOULD merge with the first.
* unique questions (the rest): one wording of a fresh concept or coding task.

Every question gets a tier (1-4) and a topic. Sources, with each question placed at random
(families spread over distinct sources):

* `synth-tiers`  numbered, "Tier N — ..." level headings -> tiers, some `**[CODE]** — ...` tasks
* `synth-levels` numbered, "## Level N" + "### Section" headings, `**Question N:** text`;
                 levels 5 and 6 map to 4-senior and null (tier left to inference)
* `synth-senior` numbered, "## Section" + "### Core / Deep / Scenario" headings
* `synth-qa`     qa: `Q12. text` lines each followed by 2-4 plain `- ` bullet answers (some
                 wrapped onto a continuation line); no `repair` option
* `synth-csv`    csv: number, question, answer, tier, topics, section
* `synth-json`   json: `{"questions": [{number, question, answer, tier, level}, ...]}`

Ground truth
------------
`truth.json` holds `families`: every generated ref in exactly one family, each
`{"id", "kind": paraphrase|lookalike|unique, "concept", "refs"}` (concept families also carry
their `term`, `aspect` and `context`); refs in one family are one
question and should end on one note, refs in different families should not. `distinct_groups`
lists the families of each look-alike group: merging any two of them is a precision error
worth watching. `score()` (and `--score PROJECT`) compares a build's
`build/synthetic.catalog.jsonl` with it: pairwise precision and recall over same-note pairs,
wrong pairs by what they join (look-alikes, coding tasks, concepts with another term, the same
term in another aspect, or only another context — the most arguable), and how many look-alike
groups were (partly) merged.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = 20250611
GENERATOR_VERSION = 1
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}
MARKER = ".qdeck-synthetic"
SLUG = "synthetic"

SHARE_PARAPHRASE = 0.42
SHARE_LOOKALIKE = 0.14
FAMILY_SIZES = ((2, 35), (3, 28), (4, 20), (5, 11), (6, 6))  # (members, weight)

# --- vocabulary ------------------------------------------------------------------------
# Terms by taxonomy topic. Prefix: m = stdlib module, f = module member (callable),
# a = module attribute, b = builtin function, d = dunder name, c = concept (plain words).
TERMS: dict[str, list[str]] = {
    "basics": [
        "c:operator precedence", "c:the walrus operator", "c:chained comparisons", "c:truthiness",
        "c:augmented assignment", "c:floor division", "c:the ternary expression", "c:string formatting",
        "c:f-strings", "c:indentation rules", "c:the pass statement", "c:the match statement",
        "c:multiple assignment", "c:identifier naming rules", "c:integer caching", "c:short-circuit evaluation",
        "b:print", "b:input", "b:round", "b:abs", "b:divmod", "b:pow", "b:id", "b:help", "b:dir",
        "m:keyword", "m:operator", "f:operator.itemgetter", "f:operator.attrgetter", "m:math", "f:math.isclose",
        "f:math.floor", "m:decimal", "m:fractions", "a:sys.maxsize",
    ],
    "data-types": [
        "c:list slicing", "c:tuple unpacking", "c:set operations", "c:dict views", "c:frozensets",
        "c:bytes and bytearray", "c:string interning", "c:mutable default values", "c:list comprehensions",
        "c:dictionary comprehensions", "c:set comprehensions", "c:named tuples", "c:dataclasses",
        "c:Enum members", "c:float precision", "c:integer overflow", "c:Unicode strings",
        "b:len", "b:sorted", "b:reversed", "b:enumerate", "b:zip", "b:range", "b:min", "b:max", "b:sum",
        "b:any", "b:all", "b:hash", "b:isinstance", "b:type", "b:bytes", "b:frozenset", "b:slice",
        "m:collections", "f:collections.Counter", "f:collections.defaultdict", "f:collections.OrderedDict",
        "f:collections.deque", "f:collections.ChainMap", "f:collections.namedtuple", "m:array", "m:heapq",
        "f:heapq.heappush", "f:heapq.nlargest", "m:bisect", "f:bisect.insort", "m:enum", "f:enum.auto",
        "m:dataclasses", "f:dataclasses.field", "f:dataclasses.asdict", "m:copy", "f:copy.deepcopy",
        "m:string", "f:str.join", "f:str.split", "f:str.partition", "f:dict.setdefault", "f:dict.get",
        "f:list.sort", "f:str.translate", "m:types", "f:types.SimpleNamespace", "f:types.MappingProxyType",
    ],
    "functions": [
        "c:closures", "c:lambda functions", "c:keyword-only arguments", "c:positional-only arguments",
        "c:default argument values", "c:variadic arguments", "c:first-class functions", "c:higher-order functions",
        "c:recursion limits", "c:function annotations", "c:the LEGB rule", "c:the nonlocal statement",
        "c:the global statement", "c:partial application", "c:function signatures", "c:currying",
        "b:map", "b:filter", "b:callable", "b:globals", "b:locals", "b:vars",
        "m:functools", "f:functools.partial", "f:functools.reduce", "f:functools.wraps", "f:functools.singledispatch",
        "f:functools.cached_property", "f:functools.total_ordering", "f:functools.cmp_to_key",
        "m:inspect", "f:inspect.signature", "f:inspect.getsource", "d:__call__", "d:__defaults__",
        "d:__closure__", "d:__code__", "d:__kwdefaults__", "d:__qualname__",
    ],
    "oop": [
        "c:inheritance", "c:multiple inheritance", "c:the method resolution order", "c:composition over inheritance",
        "c:abstract base classes", "c:class attributes", "c:instance attributes", "c:properties", "c:mixins",
        "c:encapsulation", "c:polymorphism", "c:duck typing", "c:operator overloading", "c:class methods",
        "c:static methods", "c:bound methods", "c:name mangling", "c:object equality", "c:object identity",
        "b:super", "b:property", "b:classmethod", "b:staticmethod", "b:getattr", "b:setattr", "b:hasattr",
        "b:issubclass", "b:object",
        "d:__init__", "d:__new__", "d:__repr__", "d:__str__", "d:__eq__", "d:__hash__", "d:__lt__",
        "d:__bool__", "d:__len__", "d:__getitem__", "d:__setitem__", "d:__contains__", "d:__slots__",
        "d:__dict__", "d:__del__", "d:__getattr__", "d:__getattribute__", "d:__setattr__", "d:__init_subclass__",
        "d:__class_getitem__", "d:__format__", "d:__add__", "d:__radd__", "d:__iadd__", "d:__mro__",
        "m:abc", "f:abc.abstractmethod",
    ],
    "iterators-generators": [
        "c:generators", "c:generator expressions", "c:the iterator protocol", "c:yield from", "c:lazy evaluation",
        "c:infinite iterators", "c:generator send and throw", "c:iterator exhaustion", "c:coroutine generators",
        "b:iter", "b:next",
        "d:__iter__", "d:__next__", "d:__reversed__", "m:itertools", "f:itertools.chain", "f:itertools.groupby",
        "f:itertools.islice", "f:itertools.product", "f:itertools.permutations", "f:itertools.combinations",
        "f:itertools.accumulate", "f:itertools.tee", "f:itertools.zip_longest", "f:itertools.cycle",
        "f:itertools.count", "f:itertools.starmap", "f:itertools.takewhile", "f:itertools.dropwhile",
        "f:itertools.pairwise", "f:itertools.batched",
    ],
    "decorators-context-managers": [
        "c:decorators", "c:class decorators", "c:decorators with arguments", "c:stacked decorators",
        "c:context managers", "c:the with statement", "c:async context managers", "c:resource cleanup",
        "d:__enter__", "d:__exit__", "d:__aenter__", "d:__aexit__", "m:contextlib", "f:contextlib.contextmanager",
        "f:contextlib.suppress", "f:contextlib.ExitStack", "f:contextlib.closing", "f:contextlib.redirect_stdout",
        "f:contextlib.nullcontext",
    ],
    "errors": [
        "c:exception chaining", "c:custom exceptions", "c:the exception hierarchy", "c:exception groups",
        "c:try/except/else/finally", "c:bare except clauses", "c:re-raising exceptions", "c:assertions",
        "c:warnings", "c:tracebacks", "c:error codes versus exceptions", "c:the EAFP style", "c:the LBYL style",
        "m:traceback", "f:traceback.format_exc", "m:warnings", "f:warnings.warn", "m:errno", "a:sys.excepthook",
        "d:__traceback__", "d:__cause__", "d:__context__",
    ],
    "modules-packaging": [
        "c:the import system", "c:relative imports", "c:circular imports", "c:namespace packages",
        "c:virtual environments", "c:wheels", "c:editable installs", "c:entry points", "c:dependency pinning",
        "c:pyproject.toml", "c:the module search path", "c:import hooks", "c:lazy imports", "c:vendoring",
        "m:importlib", "f:importlib.import_module", "f:importlib.reload", "m:pkgutil", "m:venv", "m:site",
        "m:zipimport", "a:sys.path", "a:sys.modules", "d:__init__.py", "d:__all__", "d:__name__", "d:__main__",
        "d:__file__", "d:__package__", "d:__spec__",
    ],
    "io-serialization": [
        "c:text versus binary files", "c:file encodings", "c:newline handling", "c:buffered IO",
        "c:serialization", "c:schema validation", "c:memory-mapped files", "c:temporary files", "c:file locking",
        "b:open", "m:io", "f:io.StringIO", "f:io.BytesIO", "m:json", "f:json.dumps", "f:json.loads",
        "f:json.JSONEncoder", "m:pickle", "f:pickle.dumps", "m:csv", "f:csv.DictReader", "f:csv.writer",
        "m:pathlib", "f:pathlib.Path", "f:pathlib.Path.glob", "m:os.path", "f:os.path.join", "f:os.walk",
        "m:shutil", "f:shutil.copytree", "m:tempfile", "f:tempfile.NamedTemporaryFile", "m:zipfile",
        "m:tarfile", "m:gzip", "m:struct", "f:struct.pack", "m:configparser", "m:tomllib", "m:shelve",
        "m:mmap", "m:base64", "m:codecs", "m:xml.etree.ElementTree", "m:fileinput", "m:glob",
    ],
    "concurrency": [
        "c:the GIL", "c:race conditions", "c:deadlocks", "c:thread pools", "c:process pools", "c:event loops",
        "c:coroutines", "c:async generators", "c:task cancellation", "c:backpressure", "c:thread-local storage",
        "c:producer-consumer queues", "c:CPU-bound work", "c:IO-bound work", "c:free-threaded Python",
        "m:threading", "f:threading.Lock", "f:threading.RLock", "f:threading.Event", "f:threading.Condition",
        "f:threading.Semaphore", "m:multiprocessing", "f:multiprocessing.Pool", "f:multiprocessing.Queue",
        "f:multiprocessing.shared_memory", "m:concurrent.futures", "f:concurrent.futures.ThreadPoolExecutor",
        "f:concurrent.futures.ProcessPoolExecutor", "m:asyncio", "f:asyncio.gather", "f:asyncio.wait_for",
        "f:asyncio.TaskGroup", "f:asyncio.Queue", "f:asyncio.Semaphore", "f:asyncio.run", "f:asyncio.create_task",
        "f:asyncio.to_thread", "m:queue", "f:queue.PriorityQueue", "m:subprocess", "f:subprocess.run",
        "f:subprocess.Popen", "m:signal", "m:selectors", "m:sched", "m:contextvars",
    ],
    "internals": [
        "c:reference counting", "c:garbage collection", "c:the bytecode compiler", "c:the CPython interpreter",
        "c:small integer caching", "c:the memory allocator", "c:frame objects", "c:code objects",
        "c:the peephole optimizer", "c:the specializing interpreter", "c:object layout in memory",
        "c:weak references", "c:reference cycles", "c:PyPy", "c:the Python data model",
        "m:gc", "f:gc.collect", "m:dis", "f:dis.dis", "m:weakref", "f:weakref.WeakValueDictionary",
        "f:sys.getrefcount", "f:sys.getsizeof", "f:sys.intern", "m:ast", "f:ast.parse", "f:ast.literal_eval",
        "m:tracemalloc", "m:ctypes", "m:marshal", "b:compile", "b:eval", "b:exec", "b:memoryview",
    ],
    "metaprogramming": [
        "c:metaclasses", "c:descriptors", "c:class creation", "c:monkey patching", "c:dynamic attribute access",
        "c:introspection", "c:code generation", "c:the descriptor protocol", "c:class factories",
        "d:__get__", "d:__set__", "d:__set_name__", "d:__prepare__", "d:__instancecheck__", "d:__subclasshook__",
        "d:__annotations__", "b:type", "b:delattr", "f:types.new_class",
    ],
    "typing": [
        "c:type hints", "c:generics", "c:protocols", "c:structural subtyping", "c:type variables",
        "c:typed dictionaries", "c:literal types", "c:union types", "c:optional types", "c:type narrowing",
        "c:gradual typing", "c:static type checking", "c:runtime type checking", "c:variance", "c:type aliases",
        "m:typing", "f:typing.Protocol", "f:typing.TypedDict", "f:typing.Generic", "f:typing.Callable",
        "f:typing.overload", "f:typing.cast", "f:typing.Final", "f:typing.Literal", "f:typing.Annotated",
        "f:typing.ParamSpec", "f:typing.Self", "f:typing.get_type_hints",
    ],
    "testing-debugging": [
        "c:unit tests", "c:test fixtures", "c:mocking", "c:property-based testing", "c:test coverage",
        "c:integration tests", "c:flaky tests", "c:test doubles", "c:parametrized tests", "c:snapshot testing",
        "c:post-mortem debugging", "c:breakpoints", "c:logging levels", "c:structured logging",
        "m:unittest", "f:unittest.TestCase", "f:unittest.mock.patch", "f:unittest.mock.MagicMock",
        "m:doctest", "m:pdb", "f:pdb.set_trace", "b:breakpoint", "m:logging", "f:logging.getLogger",
        "f:logging.basicConfig", "f:logging.LoggerAdapter", "m:faulthandler", "m:trace",
    ],
    "performance": [
        "c:profiling", "c:memoization", "c:vectorization", "c:algorithmic complexity", "c:memory profiling",
        "c:startup time", "c:string concatenation in loops", "c:attribute lookup cost", "c:local variable lookups",
        "c:C extensions", "c:Cython", "c:JIT compilation", "c:batching", "c:object pooling",
        "m:cProfile", "m:timeit", "f:timeit.timeit", "m:pstats", "f:functools.lru_cache", "f:functools.cache",
        "m:array", "m:perf_counter", "f:time.perf_counter",
    ],
    "web-apis": [
        "c:REST APIs", "c:WSGI", "c:ASGI", "c:HTTP sessions", "c:request timeouts", "c:rate limiting",
        "c:pagination", "c:API versioning", "c:webhooks", "c:idempotent endpoints", "c:CORS",
        "c:JSON web tokens", "c:OAuth flows", "c:WebSockets", "c:server-sent events", "c:GraphQL",
        "m:urllib.parse", "f:urllib.request.urlopen", "m:http.server", "m:http.client", "m:wsgiref",
        "m:socket", "m:ssl", "m:email", "m:smtplib", "m:ipaddress",
    ],
    "databases": [
        "c:database transactions", "c:connection pooling", "c:ORMs", "c:the N+1 query problem", "c:SQL injection",
        "c:database migrations", "c:indexes", "c:isolation levels", "c:optimistic locking", "c:bulk inserts",
        "c:query parameters", "c:database cursors", "c:sharding", "c:read replicas",
        "m:sqlite3", "f:sqlite3.connect", "f:sqlite3.Row", "m:dbm",
    ],
    "architecture": [
        "c:dependency injection", "c:the repository pattern", "c:the singleton pattern", "c:the factory pattern",
        "c:the observer pattern", "c:the strategy pattern", "c:the adapter pattern", "c:plugin architectures",
        "c:hexagonal architecture", "c:event-driven design", "c:message queues", "c:microservices",
        "c:domain-driven design", "c:configuration management", "c:feature flags", "c:caching layers",
        "c:circuit breakers", "c:retries with backoff", "c:idempotency keys", "c:service boundaries",
    ],
    "practices": [
        "c:PEP 8", "c:code review", "c:docstrings", "c:linting", "c:code formatting", "c:type checking in CI",
        "c:semantic versioning", "c:deprecation policies", "c:technical debt", "c:refactoring", "c:naming",
        "c:the Zen of Python", "c:pre-commit hooks", "c:continuous integration", "c:README files",
        "m:pydoc", "m:this",
    ],
    "security": [
        "c:input validation", "c:secrets management", "c:password hashing", "c:pickle security",
        "c:path traversal", "c:command injection", "c:dependency auditing", "c:XML external entities",
        "c:safe deserialization", "c:TLS certificate validation", "c:timing attacks", "c:sandboxing",
        "m:secrets", "f:secrets.token_hex", "m:hashlib", "f:hashlib.sha256", "m:hmac", "f:hmac.compare_digest",
        "f:shlex.quote", "m:random",
    ],
}

ASPECTS = (
    "{t}", "the purpose of {t}", "the performance cost of {t}", "thread safety of {t}", "memory usage of {t}",
    "error handling around {t}", "common pitfalls with {t}", "testing code that relies on {t}",
    "type hints for {t}", "edge cases of {t}", "best practices for {t}", "the internals of {t}",
    "alternatives to {t}", "debugging problems with {t}", "security concerns with {t}", "the history of {t}",
    "backward compatibility of {t}", "the time complexity of {t}", "logging around {t}",
    "the configuration of {t}", "mocking {t} in unit tests", "profiling {t}",
    "serialization of objects from {t}", "the return value of {t}", "the default behaviour of {t}",
    "subclassing {t}", "documenting {t}", "migrating away from {t}", "benchmarking {t}",
    "lazy evaluation in {t}", "resource cleanup with {t}", "concurrency limits of {t}",
    "the caching behaviour of {t}", "exceptions raised by {t}", "the design rationale behind {t}",
    "refactoring code around {t}", "portability of {t} across platforms", "Unicode handling in {t}",
    "very large inputs to {t}", "immutability guarantees of {t}", "idiomatic use of {t}",
    "the public API of {t}", "code review red flags with {t}", "deprecations affecting {t}",
    "observability of {t} in production", "retry logic around {t}", "input validation for {t}",
    "the trade-offs of {t}",
)
CONTEXTS = (
    "", " in a web service", " in a data pipeline", " in a command-line tool", " in a test suite",
    " in a long-running worker", " in library code", " in a Jupyter notebook", " on CPython 3.12",
    " in a Django project", " in an asyncio application", " on a memory-constrained device",
)

# Wordings of one concept X. "{X}" alone is the heading-style title (capitalised).
PARAPHRASES = (
    "What is {x}?",
    "Explain {x}.",
    "{X}",
    "How does {x} work? Give an example.",
    "Describe {x} in Python 3.9+.",
    "Can you explain {x} with a short example?",
    "What do you know about {x}?",
    "Briefly explain {x}.",
    "{X}: explain with an example.",
    "Tell us about {x}.",
    "What is {x}, and why does it matter?",
    "Give an overview of {x}.",
    "Walk me through {x}.",
    "What should every developer know about {x}?",
)
# Spellings that mean the same (data/dedupe.yaml folds them); each wording picks one at random.
SPELLINGS = (
    ("dictionary", "dict"), ("dictionaries", "dicts"), ("the GIL", "the global interpreter lock"),
    ("functions", "funcs"), ("asynchronous", "async"), ("the method resolution order", "the MRO"),
    ("abstract base classes", "ABCs"), ("ORMs", "object relational mappers"), ("parameters", "params"),
    ("memoization", "caching"), ("pitfalls", "gotchas"), ("multithreading", "threading"),
)

CODE_VERBS = ("merges", "deduplicates", "groups", "flattens", "counts", "validates", "parses", "chunks",
              "rotates", "reverses", "sorts", "filters", "batches", "normalises", "compresses", "diffs")
CODE_OBJECTS = ("a list of integers", "nested dictionaries", "log lines", "CSV rows", "JSON records",
                "file paths", "timestamps", "URLs", "email addresses", "the words of a text", "sensor readings",
                "HTTP headers", "version strings", "matrix rows", "IP addresses", "order records")
CODE_CONSTRAINTS = ("", " without extra memory", " in O(n) time", " using a generator", " with itertools",
                    " lazily", " preserving order", " in a single pass", " with type hints", " and explain its complexity")

TIER_NAMES = {1: "Beginner", 2: "Junior", 3: "Mid-level", 4: "Senior"}
TOPIC_TITLES = {t: t.replace("-", " ").title() for t in TERMS}


def render_term(term: str) -> str:
    kind, _, name = term.partition(":")
    if kind == "m":
        return f"the `{name}` module"
    if kind in ("f",):
        return f"`{name}()`"
    if kind == "a":
        return f"`{name}`"
    if kind == "b":
        return f"the built-in `{name}()`"
    if kind == "d":
        return f"`{name}`"
    return name


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- look-alikes -----------------------------------------------------------------------
THINGS = ("users", "orders", "invoices", "files", "records", "events", "products", "employees", "students",
          "log entries", "tickets", "books", "songs", "cities", "transactions", "measurements", "tasks",
          "messages", "packages", "servers", "accounts", "comments", "flights", "recipes", "sensors")
FIELDS = ("age", "price", "name", "date", "size", "score", "length", "priority", "timestamp", "rating",
          "weight", "id", "duration", "population", "salary", "version", "count", "distance")
STRTHINGS = ("file name", "URL", "log line", "user name", "email address", "path", "HTTP header", "SQL query",
             "sentence", "product code", "hostname", "command", "config key", "branch name", "tag")
PREFIXES = ("http", "tmp", "test_", "v2", "data", "api", "log", ".py", ".csv", "admin", "err", "json", "backup",
            "img", "x-", "user", "2024", "draft", "final", "old", "new", "prod", "dev", "main", "cache")
RESOURCES = ("the GIL", "a `threading.Lock`", "an `asyncio.Lock`", "a `multiprocessing.Lock`", "a file handle",
             "a database connection from a pool", "a SQLite cursor", "a socket", "a `memoryview` buffer",
             "an `RLock`", "a `Semaphore` slot", "a temporary file", "a `mmap` region", "a thread pool worker",
             "a lock file", "a Redis lock", "an HTTP connection", "a `shared_memory` block", "a weak reference",
             "a generator frame", "a `Condition` lock", "a `BoundedSemaphore` slot", "a `asyncio.Semaphore` slot",
             "a `ProcessPoolExecutor` worker", "a `queue.Queue` slot", "a `fcntl` lock", "an `flock` lock",
             "a connection from `httpx`", "a `psycopg` connection", "a `zipfile` handle")
RESOURCE_CTX = ("", " in CPython", " during IO", " in a `with` block", " after an exception", " by the interpreter",
                " in a C extension", " under asyncio", " at interpreter shutdown", " in a forked child")
HASH_ROLES = ("dictionary key", "set element", "`functools.lru_cache` argument", "`dict.fromkeys` key",
              "`collections.Counter` key", "key in a JSON object")
HASH_ELEMS = ("", " of integers", " of strings", " of tuples", " of floats", " of None values", " of lists",
              " of frozensets", " of booleans", " of bytes")
CONTAINERS = ("list", "tuple", "deque", "string", "generator", "range", "array", "NumPy array", "file")
SHARED = ("counter", "list", "dictionary", "cache", "queue", "database connection", "logger", "config object",
          "socket", "file handle", "random generator", "numpy array", "session")
CODECS = ("UTF-8", "UTF-16", "Latin-1", "base64", "hex", "ASCII", "cp1252", "punycode", "URL encoding")
DATA = ("bytes from a socket", "a file name", "an HTTP body", "a JSON payload", "a CSV field", "a log line",
        "a command's output", "a database BLOB", "an email header", "a QR code payload")


def _ops(rng: random.Random) -> tuple[str, list[list[str]]]:
    pair = rng.choice((("/", "//"), ("%", "**"), ("+=", "-="), ("<=", ">="), ("<<", ">>"), ("&", "|")))
    a, b = rng.randint(2, 999), rng.randint(2, 97)
    tpl = rng.choice(("What does `{a} {op} {b}` evaluate to?", "What is the result of `{a} {op} {b}` in Python 3?"))
    alt = "`{a} {op} {b}`: what is the result?"
    if pair[0].endswith("="):
        tpl, alt = "What is `x` after `x = {a}; x {op} {b}`?", "After `x = {a}; x {op} {b}`, what is `x`?"
    return f"ops {pair} {a} {b}", [[tpl.format(a=a, b=b, op=op), alt.format(a=a, b=b, op=op)] for op in pair]


def _identity(rng: random.Random) -> tuple[str, list[list[str]]]:
    x, y = rng.sample(("a", "b", "x", "y", "s", "t", "first", "second", "left", "right"), 2)
    things = rng.choice(("small integers", "large integers", "short strings", "empty tuples", "floats",
                         "lists with equal items", "None values", "interned strings", "copies of one dict"))
    tpl = "What does `{x} {op} {y}` return when both are {things}?"
    alt = "For two {things}, what is `{x} {op} {y}`?"
    return f"identity {x} {y} {things}", [[tpl.format(x=x, y=y, op=op, things=things),
                                           alt.format(x=x, y=y, op=op, things=things)] for op in ("==", "is")]


def _order(rng: random.Random) -> tuple[str, list[list[str]]]:
    things, key = rng.choice(THINGS), rng.choice(FIELDS)
    how = rng.choice(("", " with `sorted()`", " in place", " with a key function", " when some values are None",
                      " without a lambda"))
    tpl = "How do you sort a list of {things} by {key} in {o} order{how}?"
    alt = "Sort {things} by {key}, {o}{how}."
    return f"order {things} {key} {how}", [[tpl.format(things=things, key=key, o=o, how=how),
                                            alt.format(things=things, key=key, o=o, how=how)]
                                           for o in ("ascending", "descending")]


def _affix(rng: random.Random) -> tuple[str, list[list[str]]]:
    s, p = rng.choice(STRTHINGS), rng.choice(PREFIXES)
    how = rng.choice(("", " ignoring case", " for every line of a file", " without slicing"))
    tpl = "How do you check whether a {s} {v} with `{p}`{how}?"
    alt = "Check if a {s} {v} with `{p}`{how}."
    return f"affix {s} {p} {how}", [[tpl.format(s=s, p=p, v=v, how=how), alt.format(s=s, p=p, v=v, how=how)]
                                    for v in ("starts", "ends")]


def _released(rng: random.Random) -> tuple[str, list[list[str]]]:
    r, ctx = rng.choice(RESOURCES), rng.choice(RESOURCE_CTX)
    sides = [[f"What is {r}{ctx}?", f"{_cap(r)}{ctx}"], [f"When is {r} released{ctx}?", f"When does {r} get released{ctx}?"]]
    if rng.random() < 0.4:
        sides.append([f"When is {r} acquired{ctx}?", f"When does {r} get acquired{ctx}?"])
    return f"released {r} {ctx}", sides


def _hashable(rng: random.Random) -> tuple[str, list[list[str]]]:
    role, elems = rng.choice(HASH_ROLES), rng.choice(HASH_ELEMS)
    kinds = rng.choice((("list", "tuple"), ("list", "tuple", "set"), ("set", "frozenset"), ("tuple", "set"),
                        ("list", "dict"), ("bytes", "bytearray")))
    tpl, alt = "Can a {k}{e} be used as a {role}?", "Is a {k}{e} allowed as a {role}?"
    return f"hash {role} {elems} {kinds}", [[tpl.format(k=k, e=elems, role=role), alt.format(k=k, e=elems, role=role)]
                                            for k in kinds]


def _extreme(rng: random.Random) -> tuple[str, list[list[str]]]:
    things, key = rng.choice(THINGS), rng.choice(FIELDS)
    pair = rng.choice((("minimum", "maximum"), ("smallest", "largest")))
    tpl, alt = "How do you find the {w} {key} in a list of {things}?", "Find the {w} {key} among {things}."
    return f"extreme {things} {key} {pair}", [[tpl.format(w=w, key=key, things=things), alt.format(w=w, key=key, things=things)]
                                              for w in pair]


def _ends(rng: random.Random) -> tuple[str, list[list[str]]]:
    n, c, things = rng.randint(2, 50), rng.choice(CONTAINERS), rng.choice(THINGS)
    tpl, alt = "How do you get the {w} {n} {things} from a {c}?", "Take the {w} {n} {things} of a {c}."
    return f"ends {n} {c} {things}", [[tpl.format(w=w, n=n, c=c, things=things), alt.format(w=w, n=n, c=c, things=things)]
                                      for w in ("first", "last")]


def _case(rng: random.Random) -> tuple[str, list[list[str]]]:
    s = rng.choice(STRTHINGS)
    where = rng.choice(("in a list", "in a dictionary's keys", "in a CSV column", "read from a file", "in a set", ""))
    how = rng.choice(("", " without a loop", " keeping the original", " with `map()`"))
    tpl = "How do you convert every {s} {where} to {w}{how}?"
    return f"case {s} {where} {how}", [[" ".join(tpl.format(s=s, where=where, w=w, how=how).split())]
                                       for w in ("uppercase", "lowercase")]


def _copy(rng: random.Random) -> tuple[str, list[list[str]]]:
    c, things = rng.choice(("list", "dictionary", "set", "class instance", "dataclass", "nested list")), rng.choice(THINGS)
    why = rng.choice(("", " before mutating it", " in a test", " passed to a function"))
    tpl, alt = "When do you need a {w} copy of a {c} of {things}{why}?", "{W} copy of a {c} of {things}{why}: when is it needed?"
    return f"copy {c} {things} {why}", [[tpl.format(w=w, c=c, things=things, why=why),
                                         alt.format(W=_cap(w), c=c, things=things, why=why)] for w in ("shallow", "deep")]


def _workers(rng: random.Random) -> tuple[str, list[list[str]]]:
    obj = rng.choice(SHARED)
    how = rng.choice(("safely", "without a lock", "with a queue", "without copying", "efficiently", "read-only"))
    where = rng.choice(("", " in a web server", " in a test", " on Windows", " with a timeout"))
    tpl = "How do you share a {obj} between {w} {how}{where}?"
    return f"workers {obj} {how} {where}", [[tpl.format(obj=obj, w=w, how=how, where=where)]
                                            for w in ("threads", "processes")]


def _codec(rng: random.Random) -> tuple[str, list[list[str]]]:
    data, codec = rng.choice(DATA), rng.choice(CODECS)
    how = rng.choice(("", " and handle errors", " without losing data", " in a streaming way"))
    tpl, alt = "How do you {w} {data} with {codec}{how}?", "{W} {data} as {codec}{how}: how?"
    return f"codec {data} {codec} {how}", [[tpl.format(w=w, data=data, codec=codec, how=how),
                                            alt.format(W=_cap(w), data=data, codec=codec, how=how)]
                                           for w in ("encode", "decode")]


def _keys(rng: random.Random) -> tuple[str, list[list[str]]]:
    things, how = rng.choice(THINGS), rng.choice(("in sorted order", "in insertion order", "in reverse", "lazily",
                                                   "while deleting entries", "with their index"))
    kind = rng.choice(("dictionary", "`defaultdict`", "`Counter`"))
    tpl = "How do you iterate over the {w} of a {kind} of {things} {how}?"
    return f"keys {things} {how} {kind}", [[tpl.format(w=w, things=things, how=how, kind=kind)]
                                           for w in ("keys", "values")]


def _quantifier(rng: random.Random) -> tuple[str, list[list[str]]]:
    things, pred = rng.choice(THINGS), rng.choice(("are active", "are expired", "have a name", "are valid",
                                                    "match a regex", "are positive", "are duplicates", "are cached"))
    where = rng.choice(("list", "set", "generator", "tuple"))
    tpl = "How do you check whether {w} {things} in a {where} {pred}?"
    return f"quant {things} {pred} {where}", [[tpl.format(w=w, things=things, pred=pred, where=where)]
                                              for w in ("any", "all")]


LOOKALIKES = (_ops, _identity, _order, _affix, _released, _hashable, _extreme, _ends, _case, _copy, _workers,
              _codec, _keys, _quantifier)


# --- sources -----------------------------------------------------------------------------
@dataclass(frozen=True)
class SourceDef:
    name: str
    fmt: str
    weight: float


SOURCES = (
    SourceDef("synth-tiers", "numbered-tiers", 0.22),
    SourceDef("synth-levels", "numbered-levels", 0.20),
    SourceDef("synth-senior", "numbered-senior", 0.13),
    SourceDef("synth-qa", "qa", 0.20),
    SourceDef("synth-csv", "csv", 0.13),
    SourceDef("synth-json", "json", 0.12),
)

SOURCES_YAML = """\
# Synthetic question lists written by bench/generate.py (seed {seed}, {n} questions). Throwaway.
sources:
  - name: synth-tiers
    file: sources/synth-tiers.txt
    format: numbered
    title: Synthetic numbered list in four tiers, with coding tasks
    tiers: {{"1": 1-beginner, "2": 2-junior, "3": 3-mid, "4": 4-senior}}
    options:
      item: '^\\s*(?P<num>\\d+)\\.\\s+(?P<text>.+)$'
      headings:
        - {{kind: level, pattern: '^\\s*(?P<title>Tier (?P<key>\\d+)\\b.*)$'}}
      separator: '^\\s*-\\s*$'
      code_task: '\\s*\\*\\*\\[CODE\\]\\*\\*\\s*[—–-]?\\s*(?P<task>.*)$'

  - name: synth-levels
    file: sources/synth-levels.txt
    format: numbered
    title: Synthetic list in six levels with sections
    tiers: {{"1": 1-beginner, "2": 2-junior, "3": 3-mid, "4": 4-senior, "5": 4-senior, "6": null}}
    options:
      item: '^\\*\\*Question (?P<num>\\d+):\\*\\*\\s*(?P<text>.+)$'
      headings:
        - {{kind: level, pattern: '^##\\s+(?P<title>Level (?P<key>\\d+)\\b.*)$'}}
        - {{kind: section, pattern: '^###\\s+(?P<title>.+)$'}}
      separator: '^\\s*-{{3,}}\\s*$'

  - name: synth-senior
    file: sources/synth-senior.txt
    format: numbered
    title: Synthetic list by topic x core / deep / scenario
    tiers: {{"Core": 2-junior, "Deep": 3-mid, "Scenario": 4-senior}}
    options:
      item: '^\\s*(?P<num>\\d+)\\.\\s+(?P<text>.+)$'
      headings:
        - {{kind: section, pattern: '^##\\s+(?!#)(?P<title>.+)$'}}
        - {{kind: level, pattern: '^###\\s+(?P<title>(?P<key>Core|Deep|Scenario)\\b.*)$'}}
      separator: '^\\s*-{{3,}}\\s*$'

  - name: synth-qa
    file: sources/synth-qa.txt
    format: qa
    title: Synthetic questions with bullet answers
    options:
      question: '^Q(?P<num>\\d+)\\.\\s*(?P<text>.+)$'

  - name: synth-csv
    file: sources/synth-csv.csv
    format: csv
    title: Synthetic CSV list

  - name: synth-json
    file: sources/synth-json.json
    format: json
    title: Synthetic JSON list
    tiers: {{easy: 1-beginner, medium: 2-junior, hard: 3-mid, expert: 4-senior}}
"""

RECIPE_YAML = """\
# Synthetic benchmark deck written by bench/generate.py (seed {seed}, {n} questions). Throwaway.
deck: Synthetic Interview
slug: {slug}
tag_root: {slug}
data: ../data
sources: [{sources}]
packages: [{{name: {slug}}}]
"""

BULLETS = (
    "{T} is worth knowing before you reach for a third-party package.",
    "Start from the documented behaviour of {t}, then the edge cases.",
    "Measure before optimising anything that involves {t}.",
    "A common mistake is to assume {t} is free; it allocates.",
    "Mention how {t} interacts with exceptions.",
    "Show a five-line example and its output.",
    "Compare it with the obvious alternative and say when each wins.",
    "Note the complexity: usually O(n) in the input size.",
    "In CPython the detail is an implementation choice, not a language guarantee.",
    "Tests should cover the empty input and one very large input.",
    "Type hints document intent; the runtime does not enforce them.",
    "Explain the default, then the keyword arguments that change it.",
    "Good answers name one production incident this prevents.",
    "Under concurrency, say which operations are atomic and which are not.",
    "Keep the public surface small; hide helpers behind a leading underscore.",
    "{T} has been stable since Python 3.8, with small additions later.",
    "Interviewers look for trade-offs, not a definition.",
    "Reach for the standard library first; it is well tested.",
)


@dataclass
class Item:
    """One generated question: its family, text, tier, topic and where it lands."""

    family: str
    text: str
    tier: int
    topic: str
    term: str = ""
    source: str = ""
    number: int = 0
    code_task: str = ""
    answer_seed: int = 0


@dataclass
class Family:
    id: str
    kind: str
    concept: str
    items: list[Item] = field(default_factory=list)
    parts: dict[str, str] | None = None  # term, aspect, context of a concept family


class Generator:
    def __init__(self, n: int, seed: int = SEED) -> None:
        self.n = n
        self.seed = seed
        self.rng = random.Random(f"{seed}-{n}")
        first_topic: dict[str, str] = {}
        for topic, terms in TERMS.items():
            for term in terms:
                first_topic.setdefault(term, topic)  # a term listed under two topics counts once
        self.terms = [(topic, term) for term, topic in first_topic.items()]
        self.used_texts: set[str] = set()
        self.last_parts: dict[str, str] = {}
        self.used_concepts: set[tuple[int, int, int]] = set()
        self.used_tasks: set[tuple[int, int, int]] = set()
        self.used_lookalikes: set[str] = set()
        self.families: list[Family] = []
        self.groups: list[list[str]] = []

    # concepts
    def concept(self) -> tuple[str, str, str]:
        """(noun phrase, topic, term) of a concept not drawn before in this project."""
        rng = self.rng
        for _ in range(1000):
            t = rng.randrange(len(self.terms))
            a = 0 if rng.random() < 0.18 else rng.randrange(1, len(ASPECTS))
            c = 0 if rng.random() < 0.45 else rng.randrange(1, len(CONTEXTS))
            if (t, a, c) not in self.used_concepts:
                break
        else:  # the biased draw is saturated: walk the grid for the next free cell
            t, a, c = next(k for k in ((t, a, c) for t in range(len(self.terms)) for a in range(len(ASPECTS))
                                       for c in range(len(CONTEXTS))) if k not in self.used_concepts)
        self.used_concepts.add((t, a, c))
        topic, term = self.terms[t]
        self.last_parts = {"term": term, "aspect": ASPECTS[a], "context": CONTEXTS[c].strip()}
        return ASPECTS[a].format(t=render_term(term)) + CONTEXTS[c], topic, term

    def coding_task(self) -> str | None:
        for _ in range(50):
            key = (self.rng.randrange(len(CODE_VERBS)), self.rng.randrange(len(CODE_OBJECTS)),
                   self.rng.randrange(len(CODE_CONSTRAINTS)))
            if key not in self.used_tasks:
                self.used_tasks.add(key)
                v, o, c = key
                return f"Write a function that {CODE_VERBS[v]} {CODE_OBJECTS[o]}{CODE_CONSTRAINTS[c]}."
        return None

    def wording(self, template: str, x: str) -> str:
        for long, short in SPELLINGS:
            if long in x and self.rng.random() < 0.5:
                x = x.replace(long, short)
        return template.format(x=x, X=_cap(x))

    def tier(self) -> int:
        return self.rng.choices((1, 2, 3, 4), weights=(25, 30, 28, 17))[0]

    # budget
    def make(self) -> None:
        n, rng = self.n, self.rng
        para_budget = round(n * SHARE_PARAPHRASE)
        look_budget = round(n * SHARE_LOOKALIKE)
        sizes, weights = zip(*FAMILY_SIZES)
        while para_budget >= 2:
            size = min(rng.choices(sizes, weights=weights)[0], para_budget)
            if para_budget - size == 1:
                size += 1 if size < 6 else -1
            x, topic, term = self.concept()
            fam = self.family("paraphrase", x)
            fam.parts = self.last_parts
            tier = self.tier()
            for template in rng.sample(PARAPHRASES, size):
                fam.items.append(Item(fam.id, self.wording(template, x), tier, topic, term))
            para_budget -= size
        makers, misses = list(LOOKALIKES), {m: 0 for m in LOOKALIKES}
        while look_budget >= 2 and makers:
            maker = rng.choice(makers)
            key, sides = maker(rng)
            if key in self.used_lookalikes or any(t.lower() in self.used_texts for side in sides for t in side):
                misses[maker] += 1
                if misses[maker] >= 200:  # this maker's grid is used up at this size
                    makers.remove(maker)
                continue
            misses[maker] = 0
            self.used_lookalikes.add(key)
            self.used_texts.update(t.lower() for side in sides for t in side)
            tier, topic = self.tier(), "basics" if maker in (_ops, _identity) else "data-types"
            if maker in (_released, _workers):
                topic = "concurrency"
            group = []
            for side in sides:
                if look_budget < 1:
                    break
                texts = side[:2] if len(side) > 1 and rng.random() < 0.25 and look_budget >= 2 else side[:1]
                fam = self.family("lookalike", key)
                fam.items.extend(Item(fam.id, t, tier, topic) for t in texts)
                look_budget -= len(texts)
                group.append(fam.id)
            self.groups.append(group)
        remaining = n - sum(len(f.items) for f in self.families)
        for _ in range(remaining):
            task = self.coding_task() if rng.random() < 0.15 else None
            if task:
                fam = self.family("unique", task)
                fam.items.append(Item(fam.id, task, self.tier(), "coding"))
            else:
                x, topic, term = self.concept()
                fam = self.family("unique", x)
                fam.parts = self.last_parts
                fam.items.append(Item(fam.id, self.wording(rng.choice(PARAPHRASES), x), self.tier(), topic, term))
        assert sum(len(f.items) for f in self.families) == n

    def family(self, kind: str, concept: str) -> Family:
        fam = Family(f"{kind[0]}{len(self.families) + 1:06d}", kind, concept)
        self.families.append(fam)
        return fam

    # placement
    def place(self) -> dict[str, list[Item]]:
        rng = self.rng
        names = [s.name for s in SOURCES]
        weights = [s.weight for s in SOURCES]
        by_source: dict[str, list[Item]] = {name: [] for name in names}
        for fam in self.families:
            if len(fam.items) == 1:
                chosen = rng.choices(names, weights=weights)
            else:  # distinct sources, weighted, as far as there are sources
                pool, w, chosen = list(names), list(weights), []
                for _ in fam.items:
                    if not pool:
                        pool, w = list(names), list(weights)
                    i = rng.choices(range(len(pool)), weights=w)[0]
                    chosen.append(pool.pop(i))
                    w.pop(i)
            for item, source in zip(fam.items, chosen):
                item.source = source
                item.answer_seed = rng.randrange(1 << 30)
                if source == "synth-tiers" and rng.random() < 0.08:
                    item.code_task = f"implement `{_ident(rng)}({_ident(rng)})` and test it."
                by_source[source].append(item)
        for items in by_source.values():
            rng.shuffle(items)
        return by_source

    # writers
    def write(self, out: Path) -> dict[str, object]:
        self.make()
        by_source = self.place()
        src = out / "data" / "sources"
        src.mkdir(parents=True, exist_ok=True)
        (out / "decks").mkdir(parents=True, exist_ok=True)
        _write(src / "synth-tiers.txt", self.numbered_tiers(by_source["synth-tiers"]))
        _write(src / "synth-levels.txt", self.numbered_levels(by_source["synth-levels"]))
        _write(src / "synth-senior.txt", self.numbered_senior(by_source["synth-senior"]))
        _write(src / "synth-qa.txt", self.qa(by_source["synth-qa"]))
        _write(src / "synth-csv.csv", self.csv(by_source["synth-csv"]))
        _write(src / "synth-json.json", self.json(by_source["synth-json"]))
        _write(out / "data" / "sources.yaml", SOURCES_YAML.format(seed=self.seed, n=self.n))
        for name in ("dedupe.yaml", "taxonomy.yaml"):
            shutil.copyfile(ROOT / "data" / name, out / "data" / name)
        _write(out / "decks" / f"{SLUG}.yaml", RECIPE_YAML.format(
            seed=self.seed, n=self.n, slug=SLUG, sources=", ".join(s.name for s in SOURCES)))
        truth = self.truth()
        _write(out / "truth.json", json.dumps(truth, ensure_ascii=False, indent=0) + "\n")
        return truth

    def truth(self) -> dict[str, object]:
        return {
            "generator": "bench/generate.py",
            "version": GENERATOR_VERSION,
            "seed": self.seed,
            "questions": self.n,
            "counts": {kind: sum(len(f.items) for f in self.families if f.kind == kind)
                       for kind in ("paraphrase", "lookalike", "unique")},
            "families": [{"id": f.id, "kind": f.kind, "concept": f.concept, **(f.parts or {}),
                          "refs": [_ref(i) for i in f.items]} for f in self.families],
            "distinct_groups": [g for g in self.groups if len(g) > 1],
        }

    def answer(self, item: Item, k: int) -> list[str]:
        rng = random.Random(item.answer_seed)
        t = render_term(item.term) if item.term else "this"
        return [b.format(t=t, T=_cap(t)) for b in rng.sample(BULLETS, k)]

    def numbered_tiers(self, items: list[Item]) -> str:
        lines = ["Synthetic interview questions in four tiers (generated).", ""]
        number = 0
        for tier in (1, 2, 3, 4):
            lines += [f"Tier {tier} — {TIER_NAMES[tier]} — generated", ""]
            for item in (i for i in items if i.tier == tier):
                number += 1
                item.number = number
                task = f" **[CODE]** — {item.code_task}" if item.code_task else ""
                lines.append(f"{number}. {item.text}{task}")
            lines += ["", "-", ""]
        return "\n".join(lines) + "\n"

    def numbered_levels(self, items: list[Item]) -> str:
        lines = ["# Synthetic questions in six levels (generated)", ""]
        number = 0
        for level in range(1, 7):
            chosen = [i for i in items if self._level(i) == level]
            if not chosen:
                continue
            lines += [f"## Level {level}: generated", ""]
            for topic in sorted({i.topic for i in chosen}):
                lines += [f"### {TOPIC_TITLES.get(topic, topic.title())}", ""]
                for item in (i for i in chosen if i.topic == topic):
                    number += 1
                    item.number = number
                    lines += [f"**Question {number}:** {item.text}", ""]
                lines += ["---", ""]
        return "\n".join(lines) + "\n"

    def _level(self, item: Item) -> int:
        # tiers 1-3 keep their level; tier 4 spreads over levels 4, 5 and 6 (6 maps to no tier)
        if item.tier < 4:
            return item.tier
        return 4 + (item.answer_seed % 3)

    def numbered_senior(self, items: list[Item]) -> str:
        lines = ["# Synthetic senior questions by topic (generated)", ""]
        number = 0
        levels = (("Core", (1, 2)), ("Deep", (3,)), ("Scenario", (4,)))
        for topic in sorted({i.topic for i in items}):
            lines += [f"## {TOPIC_TITLES.get(topic, topic.title())}", ""]
            for title, tiers in levels:
                chosen = [i for i in items if i.topic == topic and i.tier in tiers]
                if not chosen:
                    continue
                lines += [f"### {title}"]
                for item in chosen:
                    number += 1
                    item.number = number
                    lines.append(f"{number}. {item.text}")
                lines.append("")
            lines += ["---", ""]
        return "\n".join(lines) + "\n"

    def qa(self, items: list[Item]) -> str:
        lines = ["Synthetic questions with short answers (generated)."]
        for number, item in enumerate(items, 1):
            item.number = number
            lines.append(f"Q{number}. {item.text}")
            for bullet in self.answer(item, 2 + item.answer_seed % 3):
                words = bullet.split()
                if len(words) > 8 and (item.answer_seed >> 3) % 10 == 0:  # a wrapped bullet
                    lines += [f"- {' '.join(words[:6])}", f"  {' '.join(words[6:])}"]
                else:
                    lines.append(f"- {bullet}")
        return "\n".join(lines) + "\n"

    def csv(self, items: list[Item]) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["number", "question", "answer", "tier", "topics", "section"])
        tiers = {1: "1-beginner", 2: "2-junior", 3: "3-mid", 4: "4-senior"}
        for number, item in enumerate(items, 1):
            item.number = number
            has_answer = item.answer_seed % 5 < 3
            answer = " ".join(self.answer(item, 2)) if has_answer else ""
            tier = tiers[item.tier] if item.answer_seed % 7 else ""
            topics = item.topic if item.topic != "coding" and item.answer_seed % 4 == 0 else ""
            writer.writerow([number, item.text, answer, tier, topics, TOPIC_TITLES.get(item.topic, "Coding")])
        return buffer.getvalue()

    def json(self, items: list[Item]) -> str:
        names = {1: "easy", 2: "medium", 3: "hard", 4: "expert"}
        rows = []
        for number, item in enumerate(items, 1):
            item.number = number
            row: dict[str, object] = {"number": number, "question": item.text}
            if item.answer_seed % 2:
                row["answer"] = " ".join(self.answer(item, 3))
            row["tier"] = names[item.tier]
            row["level"] = TIER_NAMES[item.tier]
            rows.append(row)
        return json.dumps({"questions": rows}, ensure_ascii=False, indent=1) + "\n"


def _ident(rng: random.Random) -> str:
    return "_".join(rng.sample(("parse", "merge", "load", "items", "data", "cache", "rows", "path", "key", "value",
                                "count", "window", "batch", "user", "event", "retry", "limit", "chunk"), 2))


def _ref(item: Item) -> str:
    return f"{item.source}#{item.number}"


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")


def parse_size(value: str) -> int:
    value = value.strip().lower()
    if value in SIZES:
        return SIZES[value]
    if value.endswith("k") and value[:-1].isdigit():
        return int(value[:-1]) * 1000
    if value.isdigit():
        return int(value)
    raise ValueError(f"unknown size {value!r} (use 1k, 10k, 100k or a number)")


def size_label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def generate(out: Path, n: int, seed: int = SEED) -> dict[str, object]:
    """Write the synthetic project for n questions to `out` (wiped first if a previous one is there)."""
    out = Path(out)
    if out.exists():
        if not (out / MARKER).exists() and any(out.iterdir()):
            raise SystemExit(f"{out}: exists and is not a generated project; refusing to overwrite")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text(f"generated by bench/generate.py, seed {seed}, {n} questions\n", encoding="utf-8")
    return Generator(n, seed).write(out)


# --- scoring ------------------------------------------------------------------------------
def _pairs(groups) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for refs in groups:
        refs = sorted(refs)
        for i, a in enumerate(refs):
            for b in refs[i + 1:]:
                pairs.add((a, b))
    return pairs


def score(project: Path, catalog: Path | None = None) -> dict[str, object]:
    """Dedup quality of a built synthetic project against its truth.json."""
    project = Path(project)
    truth = json.loads((project / "truth.json").read_text(encoding="utf-8"))
    catalog = catalog or project / "build" / f"{SLUG}.catalog.jsonl"
    notes = [json.loads(line)["refs"] for line in catalog.read_text(encoding="utf-8").splitlines() if line.strip()]
    family_of = {ref: f["id"] for f in truth["families"] for ref in f["refs"]}
    note_of = {ref: i for i, refs in enumerate(notes) for ref in refs}
    true_pairs = _pairs(f["refs"] for f in truth["families"])
    predicted = _pairs(notes)
    correct = len(true_pairs & predicted)
    families_by_id = {f["id"]: f for f in truth["families"]}
    merged_groups = 0
    for group in truth["distinct_groups"]:
        notes_per_family = [{note_of.get(r) for r in families_by_id[fid]["refs"]} for fid in group]
        seen: set[object] = set()
        clash = False
        for s in notes_per_family:
            if seen & s:
                clash = True
            seen |= s
        merged_groups += clash
    def sort_of(ref: str) -> str:
        fam = families_by_id.get(family_of.get(ref, ""))
        if fam is None:
            return "unknown"
        if fam["kind"] == "lookalike":
            return "lookalike"
        return "coding task" if fam["concept"].startswith("Write a function") else "concept"

    def concept_split(ref_a: str, ref_b: str) -> str:
        """How two wrongly joined concepts differ (older truth files lack the parts)."""
        fa, fb = families_by_id[family_of[ref_a]], families_by_id[family_of[ref_b]]
        if "term" not in fa or "term" not in fb:
            return "concept"
        if fa["term"] != fb["term"]:
            return "concept: other term"
        if fa["aspect"] != fb["aspect"]:
            return "concept: same term, other aspect"
        return "concept: same term+aspect, other context"

    wrong_kinds: dict[str, int] = {}  # wrong pairs by what they join: look-alikes, coding tasks, concepts
    for a, b in predicted - true_pairs:
        ka, kb = sort_of(a), sort_of(b)
        kind = ka if ka == kb else "mixed"
        if kind == "concept":
            kind = concept_split(a, b)
        wrong_kinds[kind] = wrong_kinds.get(kind, 0) + 1
    missing = sorted(set(family_of) - set(note_of))
    return {
        "questions": len(family_of),
        "notes": len(notes),
        "true_notes": len(truth["families"]),
        "true_pairs": len(true_pairs),
        "predicted_pairs": len(predicted),
        "precision": correct / len(predicted) if predicted else 1.0,
        "recall": correct / len(true_pairs) if true_pairs else 1.0,
        "wrong_pairs": wrong_kinds,
        "lookalike_groups": len(truth["distinct_groups"]),
        "lookalike_groups_merged": merged_groups,
        "refs_missing_from_build": len(missing),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1k,10k,100k", help="comma-separated: 1k,10k,100k or numbers")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out", help="parent folder of the projects")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--score", type=Path, metavar="PROJECT", help="score a built project against truth.json")
    args = parser.parse_args(argv)
    if args.score:
        print(json.dumps(score(args.score), indent=2))
        return 0
    for value in args.sizes.split(","):
        n = parse_size(value)
        out = args.out / f"synthetic-{size_label(n)}"
        truth = generate(out, n, args.seed)
        print(f"{out}: {n} questions, {len(truth['families'])} families {truth['counts']}, "
              f"{len(truth['distinct_groups'])} look-alike groups")
    return 0


if __name__ == "__main__":
    sys.exit(main())
