"""qdeck.repair: bullets and inline code restored from the scraped answered-200 list."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qdeck.repair import repair_answer, repair_question

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "cases" / "repair" / "answered-sample.yaml"
SOURCE = ROOT / "data" / "sources" / "answered-200.txt"


# --- The examples from the issue, exactly ------------------------------------------

def test_code_first_bullets_glued_after_sentences():
    lines = [
        "passis a no-op placeholder.continueskips to next loop iteration.breakexits the nearest loop.- Use",
        "passin stubs,continuefor filtering,breakfor termination.",
    ]
    assert repair_answer(lines) == [
        "`pass` is a no-op placeholder.",
        "`continue` skips to next loop iteration.",
        "`break` exits the nearest loop.",
        "Use `pass` in stubs, `continue` for filtering, `break` for termination.",
    ]


def test_line_break_marks_the_first_code_of_a_prose_bullet():
    lines = [
        "- Compiler transforms AST to bytecode (",
        ".pyc). - Python Virtual Machine executes bytecode.",
        "- Compiled bytecode cached in",
        "__pycache__for reuse.",
    ]
    assert repair_answer(lines) == [
        "Compiler transforms AST to bytecode (`.pyc`).",
        "Python Virtual Machine executes bytecode.",
        "Compiled bytecode cached in `__pycache__` for reuse.",
    ]


def test_dotted_names_and_packages_glued_to_verbs():
    lines = [
        "sys.argvlists script name and arguments.argparseprovides structured parsing and validation.- Libraries like",
        "clickandtyperadd higher-level ergonomics.",
    ]
    assert repair_answer(lines) == [
        "`sys.argv` lists script name and arguments.",
        "`argparse` provides structured parsing and validation.",
        "Libraries like `click` and `typer` add higher-level ergonomics.",
    ]


def test_multi_token_code_and_one_letter_names():
    lines = ["A and BreturnsBifAtruthy, elseA.A or BreturnsAif truthy, elseB.- Enables guard expressions."]
    assert repair_answer(lines) == [
        "`A and B` returns `B` if `A` truthy, else `A`.",
        "`A or B` returns `A` if truthy, else `B`.",
        "Enables guard expressions.",
    ]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["- Avoid", "from module import *for clarity."], ["Avoid `from module import *` for clarity."]),
        (["- Syntax differs by brackets (", "[]vs())."], ["Syntax differs by brackets (`[]` vs `()`)."]),
        (["- Support set algebra operations (", "|,&,-)."], ["Support set algebra operations (`|`, `&`, `-`)."]),
        (["- Use", "with open(path, mode) as fto ensure closure."],
         ["Use `with open(path, mode) as f` to ensure closure."]),
        (["- Example:", "def func(a, /, b, *, c): ...."], ["Example: `def func(a, /, b, *, c): ...`."]),
    ],
)
def test_patterns_named_in_the_issue(lines, expected):
    assert repair_answer(lines) == expected


def test_plain_bullets_pass_through():
    lines = ["- Interpreted execution eases debugging.", "- Dynamic typing infers types at runtime."]
    assert repair_answer(lines) == ["Interpreted execution eases debugging.", "Dynamic typing infers types at runtime."]


def test_empty_and_blank_input():
    assert repair_answer([]) == []
    assert repair_answer(["", "   "]) == []


def test_windows_line_ends_and_existing_backticks_survive():
    assert repair_answer(["- Mixing tabs and spaces raises\r", "TabError.\r"]) == [
        "Mixing tabs and spaces raises `TabError`."
    ]
    assert repair_answer(["- Use `pass` in stubs."]) == ["Use `pass` in stubs."]


# --- The hand-verified golden sample -------------------------------------------------

def _golden_cases() -> list[dict]:
    return yaml.safe_load(GOLDEN.read_text(encoding="utf-8"))


def test_golden_sample_is_big_and_spread_over_the_file():
    numbers = [int(re.match(r"Q(\d+)\.", case["question"]).group(1)) for case in _golden_cases()]
    assert len(numbers) >= 40
    assert min(numbers) <= 10 and max(numbers) >= 190
    assert len({number // 25 for number in numbers}) == 8  # every quarter-hundred is sampled


def test_golden_raw_lines_are_the_source_lines():
    source = SOURCE.read_text(encoding="utf-8")
    for case in _golden_cases():
        block = "\n".join([case["question"], *case["raw"]])
        assert block in source, case["question"]


@pytest.mark.parametrize("case", _golden_cases(), ids=lambda case: case["question"].split(".")[0])
def test_golden_sample(case):
    assert repair_answer(case["raw"]) == case["expected"]


# --- Never raise, never lose text -----------------------------------------------------

def _visible(text: str) -> str:
    return "".join(text.split()).replace("`", "")


def assert_no_loss(lines: list[str], bullets: list[str]) -> None:
    """Every non-space input character survives in order; only "- " markers may go."""
    joined = "\n".join(lines)
    pattern = "".join(
        "-?" if char == "-" and (index + 1 == len(joined) or joined[index + 1].isspace())
        else re.escape(char)
        for index, char in enumerate(joined)
        if not char.isspace() and char != "`"
    )
    out = _visible("".join(bullets))
    assert re.fullmatch(pattern, out), f"text lost or invented: {lines!r} -> {bullets!r}"


WORDS = st.sampled_from([
    "pass", "is", "a", "no-op", "placeholder.", "sys.argv", "lists", "and", "or", "A", "B",
    "__init__", "for", "returns", "None", "(", ")", ",", ".", "- ", "-", ":", "==", "*", "**",
    "typing.Any", "with", "open(path)", "as", "f", "to", "[]", "vs", "()", "`", "x_y", "Foo",
    "héllo", "日本", "'s'", "\"q\"", "1.2+", "e.g.,", "\t",
])
GLUE = st.sampled_from(["", " ", "\n", ". ", ".", ".- ", " - "])


@st.composite
def scraped_answers(draw) -> list[str]:
    """Answer-like text: known fragments glued the way the scrape glues them."""
    pieces = draw(st.lists(st.tuples(WORDS, GLUE), max_size=25))
    text = "".join(word + glue for word, glue in pieces)
    return text.split("\n")


SLOW = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(scraped_answers())
def test_no_loss_on_scraped_looking_text(lines):
    assert_no_loss(lines, repair_answer(lines))


@SLOW
@given(st.lists(st.text(max_size=60), max_size=4))
def test_no_loss_on_any_text(lines):
    bullets = repair_answer(lines)
    assert all(isinstance(bullet, str) and bullet == bullet.strip() and bullet for bullet in bullets)
    assert_no_loss(lines, bullets)


def test_no_loss_on_the_whole_source():
    text = SOURCE.read_text(encoding="utf-8").splitlines()
    answers: list[list[str]] = []
    for line in text:
        if re.match(r"Q\d+\. ", line):
            answers.append([])
        elif answers:
            answers[-1].append(line)
    assert len(answers) == 200
    for lines in answers:
        assert_no_loss(lines, repair_answer(lines))


# --- Questions -------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ('What is the purpose of if __name__ == "__main__":?',
         'What is the purpose of `if __name__ == "__main__":`?'),
        ("When to use collections.defaultdict vs dict.setdefault?",
         "When to use `collections.defaultdict` vs `dict.setdefault`?"),
        ("What is the difference between == and is?", "What is the difference between `==` and `is`?"),
        ("How does *args and **kwargs work?", "How does `*args` and `**kwargs` work?"),
        ("How do sorted and .sort() differ?", "How do `sorted` and `.sort()` differ?"),
        ("How do bytearray and bytes differ?", "How do `bytearray` and `bytes` differ?"),
        ("Explain bisect module usage.", "Explain `bisect` module usage."),
        ("Explain __init__.py role.", "Explain `__init__.py` role."),
        ("How does functools.cache differ from lru_cache?",
         "How does `functools.cache` differ from `lru_cache`?"),
        # Plain-word keywords and English-looking names are left alone on purpose.
        ("How does pass differ from continue and break?", "How does pass differ from continue and break?"),
        ("How does map, filter, reduce compare to comprehensions?",
         "How does map, filter, reduce compare to comprehensions?"),
        ("Explain tuple characteristics and uses.", "Explain tuple characteristics and uses."),
        ("How does __call__ enable callable objects?", "How does `__call__` enable callable objects?"),
        ("What is method resolution order (MRO)?", "What is method resolution order (MRO)?"),
        ("How to debug memory leaks?", "How to debug memory leaks?"),
    ],
)
def test_repair_question(question, expected):
    assert repair_question(question) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_repair_question_only_adds_backticks(text):
    out = repair_question(text)
    if "`" not in text:
        assert out.replace("`", "") == text
