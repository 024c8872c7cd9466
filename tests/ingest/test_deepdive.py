"""The deep-dive parser on the real page, on a small golden case, and on arbitrary text."""

from __future__ import annotations

import dataclasses
import json
import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qdeck.config import load_titles
from qdeck.errors import InputError
from qdeck.ingest.formats import deepdive
from tests.helpers import ROOT

SOURCE = ROOT / "data" / "sources" / "deep-dive-71.txt"
TITLES = ROOT / "data" / "deep-dive-71.questions.yaml"
CASES = ROOT / "tests" / "cases" / "deepdive"
# The fields the golden file pins; new Question fields elsewhere do not break it.
GOLDEN_FIELDS = (
    "ref", "number", "text", "line", "section", "tests", "answer", "red_flag", "follow_up_of", "level", "tier",
)  # fmt: skip


def spec(titles: Path, name: str = "deep-dive-71") -> SimpleNamespace:
    """A source spec as the config layer hands it to the parser: the titles file read and checked."""
    return SimpleNamespace(name=name, titles=load_titles(titles))


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return read_lines(SOURCE)


@pytest.fixture(scope="module")
def parsed(lines):
    return deepdive.parse(lines, spec(TITLES))


@pytest.fixture(scope="module")
def answers(parsed):
    return [q for q in parsed.questions if q.follow_up_of is None]


@pytest.fixture(scope="module")
def by_ref(parsed):
    return {q.ref: q for q in parsed.questions}


def covered(result) -> list[int]:
    return [*result.consumed, *result.heading_lines, *(s.line for s in result.skipped)]


def code_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)\n```$", markdown, flags=re.DOTALL | re.MULTILINE)


# --- the real page --------------------------------------------------------------------


def test_counts(parsed, answers):
    assert len(answers) == 71
    assert len(parsed.questions) - len(answers) == 209
    assert parsed.warnings == ()


def test_answers_are_numbered_in_file_order(answers):
    assert [q.ref for q in answers] == [f"deep-dive-71#{n}" for n in range(1, 72)]
    assert [q.number for q in answers] == [str(n) for n in range(1, 72)]
    assert [q.line for q in answers] == sorted(q.line for q in answers)
    assert all(q.tier is None and q.level is None for q in answers)


def test_follow_ups_belong_to_their_answer(parsed, by_ref):
    counts: dict[str, int] = {}
    for q in parsed.questions:
        if q.follow_up_of is None:
            continue
        counts[q.follow_up_of] = counts.get(q.follow_up_of, 0) + 1
        n = q.follow_up_of.split("#")[1]
        assert q.ref == f"{q.follow_up_of}.{counts[q.follow_up_of]}"
        assert q.number == f"{n}.{counts[q.follow_up_of]}"
        assert q.line > by_ref[q.follow_up_of].line
        assert q.text and not q.text.startswith(("“", '"')) and not q.text.endswith(("”", "“"))
    # Answers 40, 43, 45 and 50 list two follow-ups; all others list three.
    assert {ref for ref, count in counts.items() if count == 2} == {
        f"deep-dive-71#{n}" for n in (40, 43, 45, 50)
    }
    assert set(counts.values()) == {2, 3}


def test_answer_one(by_ref):
    first = by_ref["deep-dive-71#1"]
    assert first.line == 13
    assert first.section == "Core Language & Data Structures"
    assert first.text == "How does Python manage memory?"
    assert first.tests.startswith("Whether you understand memory at a systems level")
    assert first.tests.endswith("OOM kills at 3 AM.")
    assert first.red_flag.startswith("“Python handles memory automatically")
    assert first.red_flag.endswith("war stories about memory.")
    code = code_blocks(first.answer)[0]
    assert code.startswith("import sys\n\na = []  # refcount = 1\n")
    assert "a = []  # refcount = 1" in first.answer.splitlines()
    assert "\nReference Counting Example:\n\n```python\nimport sys\n" in first.answer
    assert "workers.\n\nReference Counting Example:" in first.answer


def test_answer_one_body_markdown(by_ref):
    body = by_ref["deep-dive-71#1"].answer.split("\n\n")
    assert body[0].splitlines()[0].startswith("1. Private Heap:")
    assert body[0].splitlines()[2].startswith("3. Object-Specific Allocators:")
    assert body[2].startswith("- Reference Counting is immediate")
    code = code_blocks(by_ref["deep-dive-71#1"].answer)
    assert len(code) == 3
    assert "    def __init__(self):\n        self.ref = None" in code[1]  # indentation kept


def test_follow_up_one_one(by_ref):
    follow = by_ref["deep-dive-71#1.1"]
    assert follow.follow_up_of == "deep-dive-71#1"
    assert follow.text.startswith("Your Celery worker’s memory grows")
    assert follow.text.endswith("What’s happening?")
    assert "arena fragmentation" in follow.answer
    assert by_ref["deep-dive-71#1.3"].answer == ""


def test_follow_up_with_a_wrong_closing_quote(by_ref):
    # The page closes this one with an opening quote: “...code?“
    follow = by_ref["deep-dive-71#65.3"]
    assert follow.text.endswith("in production code?")
    assert follow.answer == ""


def test_nested_parentheses_stay_in_the_hint(by_ref):
    assert by_ref["deep-dive-71#4.1"].answer == (
        "Yes: class X(A, B) and class Y(B, A) then class Z(X, Y) creates an inconsistent MRO."
    )


def test_sections_and_headings(parsed, by_ref):
    assert parsed.heading_lines == (11, 409, 746, 1062, 1336, 1469, 1633, 1887, 2259)
    assert by_ref["deep-dive-71#11"].section == "Advanced OOP"
    assert by_ref["deep-dive-71#30"].section == "Backend & Web (Django/FastAPI)"
    assert by_ref["deep-dive-71#30.1"].section == "Backend & Web (Django/FastAPI)"
    assert by_ref["deep-dive-71#71"].section == "Advanced Patterns & Production Python"


def test_page_boilerplate_is_skipped(parsed):
    assert [(s.line, s.text) for s in parsed.skipped] == [
        (1, "Skip to main content"),
        (3, "Documentation Index"),
        (5, "Fetch the complete documentation index at: https://resources.devweekends.com/llms.txt"),
        (7, "Use this file to discover all available pages before exploring further."),
        (9, "Python Interview Questions (100+ Deep Dive Q&A)"),
    ]


def test_every_nonblank_line_is_accounted_for(lines, parsed):
    nonblank = [i for i, line in enumerate(lines, 1) if line.strip()]
    assert sorted(covered(parsed)) == nonblank  # each line once, none left out


def _alnum(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z_]", "", text)


def test_no_text_is_lost_or_invented(lines, parsed, answers):
    """Letters and digits of each answer's lines reappear in its fields, in order."""
    starts = sorted([q.line for q in answers] + list(parsed.heading_lines) + [len(lines) + 1])
    follow_ups = [q for q in parsed.questions if q.follow_up_of]
    for q in answers:
        end = next(s for s in starts if s > q.line)
        source = _alnum(" ".join(lines[q.line - 1 : end - 1]))
        body = "\n".join(line for line in q.answer.splitlines() if not line.startswith("```"))
        mine = [f for f in follow_ups if f.follow_up_of == q.ref]
        rebuilt = _alnum(
            "Answer: What interviewers are really testing:"
            + q.tests
            + body
            + ("Red flag answer:" + q.red_flag if q.red_flag else "")
            + "Follow-up:"
            + "".join(f"{f.number.split('.')[1]}. {f.text} {f.answer}" for f in mine)
        )
        assert rebuilt == source, q.ref


def test_glued_labels_get_their_own_paragraph(by_ref, answers):
    for q in answers:
        assert "Follow-up" not in q.answer + q.red_flag, q.ref
        assert "Red flag answer" not in q.answer, q.ref
        assert "What interviewers" not in q.answer, q.ref
    paragraphs = by_ref["deep-dive-71#4"].answer.split("\n\n")
    assert "MRO Resolution: D -> B -> C -> A -> object" in paragraphs
    assert any(p.startswith("Why super() matters here: super() does not") for p in paragraphs)
    assert by_ref["deep-dive-71#24"].tests.endswith("Everything between awaits is atomic.")
    assert by_ref["deep-dive-71#24"].answer.startswith("await means: “Pause execution")
    assert by_ref["deep-dive-71#27"].answer.startswith("asyncio.gather — runs multiple awaitables")


def test_dotted_names_are_not_split(by_ref):
    assert "- threading.Thread can achieve true parallelism for the first time." in by_ref["deep-dive-71#66"].answer
    assert "(Status.ACTIVE == 2 is True)" in by_ref["deep-dive-71#19"].answer


def test_code_that_follows_a_sentence_is_still_code(by_ref):
    assert code_blocks(by_ref["deep-dive-71#25"].answer)[0].startswith("balance = 100\n\nasync def withdraw")
    assert code_blocks(by_ref["deep-dive-71#44"].answer)[0].startswith("a = [1, 2, 3]\nb = [1, 2, 3]\na == b")
    assert "chunk[0] = ord('h') # Modifies original data!" in code_blocks(by_ref["deep-dive-71#62"].answer)[0]


def test_tables_stay_prose(by_ref):
    assert "\n\nSerializationManual_asdict().model_dump(), .model_dump_json()\n\n" in by_ref["deep-dive-71#20"].answer


def test_titles_are_questions(answers):
    texts = [q.text for q in answers]
    assert len(set(texts)) == 71
    assert all(t.endswith("?") and not t.startswith("(untitled") for t in texts)


# --- titles file ----------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


PAGE = ["Answer:What interviewers are really testing: X.", "Answer:Y."]


def test_missing_title_gets_a_placeholder_and_a_warning(tmp_path):
    titles = write(tmp_path, "t.yaml", "# titles\n1: What is X?\n7: Unused?\n")
    result = deepdive.parse(PAGE, spec(titles, name="page"))
    assert [q.text for q in result.questions] == ["What is X?", "(untitled answer 2)"]
    assert [q.ref for q in result.questions] == ["page#1", "page#2"]
    assert len(result.warnings) == 2
    assert "page#2" in result.warnings[0] and "t.yaml" in result.warnings[0]
    assert "title 7" in result.warnings[1]


def test_a_spec_without_titles_is_an_input_error():
    with pytest.raises(InputError, match="titles"):
        deepdive.parse(PAGE, SimpleNamespace(name="page", titles=None))


# --- golden case ----------------------------------------------------------------------


def golden(result) -> dict:
    return {
        "questions": [{k: getattr(q, k) for k in GOLDEN_FIELDS} for q in result.questions],
        "skipped": [dataclasses.asdict(s) for s in result.skipped],
        "heading_lines": list(result.heading_lines),
        "consumed": list(result.consumed),
        "warnings": list(result.warnings),
    }


def test_golden_case():
    """Glued Follow-up:, a missing red flag, code with blank lines, a wrapped follow-up.

    Set QDECK_UPDATE_GOLDEN=1 to rewrite the expected file after a deliberate change.
    """
    result = deepdive.parse(read_lines(CASES / "sample.txt"), spec(CASES / "sample.questions.yaml", "sample"))
    expected_path = CASES / "sample.expected.json"
    if os.environ.get("QDECK_UPDATE_GOLDEN"):
        expected_path.write_text(json.dumps(golden(result), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert golden(result) == json.loads(expected_path.read_text(encoding="utf-8"))


# --- arbitrary text -------------------------------------------------------------------

FRAGMENTS = [
    "",
    "   ",
    "Answer:",
    "Answer:What interviewers are really testing: X.Y:",
    "Answer:What interviewers are really testing: Follow-up:",
    "1. Section",
    "12. Another Section",
    "Red flag answer: “No.”Follow-up:",
    "Follow-up:",
    "Follow-up: “Inline?” (hint)",
    "  1. “Question?” (hint (nested))",
    "  2. “Unclosed",
    "more hint text)",
    "“Bare question?”",
    "  • bullet.Glued label:",
    "•",
    "  3. numbered",
    "Example:",
    "import sys",
    "x = 1",
    "print(x)",
    "    indented",
    "\tcode",
    "# comment",
    "@decorator",
    "objectWhy this: works",
    "atomic.await means: x",
    "Status.ACTIVE and asyncio.TaskGroup.Then",
    "(",
    ")",
    "...",
]
LINES = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40)), max_size=40)


@pytest.fixture(scope="module")
def sample_titles(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("titles") / "titles.yaml"
    path.write_text("1: First?\n3: Third?\n", encoding="utf-8")
    return path


@settings(max_examples=300, deadline=None)
@given(page=LINES)
def test_arbitrary_text_never_raises_and_loses_nothing(sample_titles, page):
    result = deepdive.parse(page, spec(sample_titles, name="any"))
    nonblank = [i for i, line in enumerate(page, 1) if line.strip()]
    assert sorted(covered(result)) == nonblank
    refs = [q.ref for q in result.questions]
    assert len(refs) == len(set(refs))
    parents = {q.ref for q in result.questions if q.follow_up_of is None}
    assert all(q.follow_up_of in parents for q in result.questions if q.follow_up_of)
    assert all(q.line in result.consumed for q in result.questions)
    assert all(q.text and q.text == " ".join(q.text.split()) for q in result.questions)
