"""Every parser, on arbitrary text: it never crashes and never drops a non-blank line silently."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from qdeck.config import load_recipe, load_sources
from qdeck.ingest.formats import numbered, qa, structured
from qdeck.normalize import normalize, normalize_block, normalize_text
from tests.helpers import ROOT

SPECS = load_sources(ROOT / "data" / "sources.yaml")

# Lines that look like the real formats half the time, so the parsers' branches all run.
_shapes = st.one_of(
    st.text(max_size=60),
    st.from_regex(r"\s{0,2}\d{1,3}\. [^\n]{0,40}", fullmatch=True),
    st.from_regex(r"\*\*Question \d{1,3}:\*\* [^\n]{0,40}", fullmatch=True),
    st.from_regex(r"Q\d{1,3}\. [^\n]{0,40}", fullmatch=True),
    st.from_regex(r"#{2,3} [^\n]{0,20}", fullmatch=True),
    st.from_regex(r"(Tier|Level) \d [^\n]{0,20}", fullmatch=True),
    st.sampled_from(["-", "---", "<br>", "{#anchor}", "", "   ", "- a bullet", "**[CODE]** — task"]),
)
_lines = st.lists(_shapes.map(lambda s: s.replace("\n", " ").replace("\r", " ")), max_size=40)


def accounted(parsed, lines: list[str]) -> None:
    nonblank = {i for i, line in enumerate(lines, 1) if line.strip()}
    covered = set(parsed.consumed) | set(parsed.heading_lines) | {s.line for s in parsed.skipped}
    assert nonblank == covered
    assert len(parsed.consumed) + len(parsed.heading_lines) + len(parsed.skipped) == len(nonblank)


@pytest.mark.parametrize("name", ["tiered-200", "senior-180", "levels-415"])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=_lines)
def test_numbered_parsers_account_for_every_line(name, lines):
    accounted(numbered.parse(lines, SPECS[name]), lines)


@settings(max_examples=60, deadline=None)
@given(lines=_lines)
def test_qa_parser_with_scrape_repair_accounts_for_every_line(lines):
    accounted(qa.parse(lines, SPECS["answered-200"]), lines)


@settings(max_examples=150, deadline=None)
@given(lines=_lines)
def test_csv_parser_never_crashes(lines):
    structured.parse_csv(lines, SPECS["tiered-200"])


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=200))
def test_normalizing_twice_changes_nothing(text):
    once = normalize_text(text)
    assert normalize_text(once) == once
    block = normalize_block(text)
    assert normalize_block(block) == block


def test_normalizing_the_catalog_twice_changes_nothing():
    from qdeck.pipeline import read_catalog

    questions = list(read_catalog(load_recipe(ROOT / "decks" / "python-interview.yaml")).questions)
    assert normalize(questions) == questions


@settings(max_examples=500)
@given(st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=60)
       | st.text(alphabet="ab &;#x27amp<>\r\n\t\x00\x1b\x7f", max_size=30))
def test_fix_encoding_skips_ftfy_only_where_ftfy_changes_nothing(text):
    import ftfy

    from qdeck.normalize import fix_encoding

    assert fix_encoding(text) == ftfy.fix_text(text, normalization="NFC")


# Markdown lines in the shapes GitHub lists use, fences and headings included.
_markdown_shapes = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"#{1,4} (Q?\d{1,2}[.:)] )?[^\n]{0,30}\??", fullmatch=True),
    st.from_regex(r"(\*\*)?(Q)?\d{1,2}[.)] [^\n]{0,30}\?(\*\*)?( [^\n]{0,20})?", fullmatch=True),
    st.from_regex(r" {0,6}([-*+]|\d\.) [^\n]{0,30}", fullmatch=True),
    st.from_regex(r" {0,4}(```|~~~)[a-z]{0,6}", fullmatch=True),
    st.from_regex(r"(> )?(\*\*Ans:\*\*|Answer:|\| a \| b \||\|---\|---\|) [^\n]{0,20}", fullmatch=True),
    st.sampled_from(["---", "<details>", "<summary>Answer</summary>", "![x](y.png)", "[top](#top)",
                     "", "    indented code", "1. [What?](#what)"]),
)
_markdown_lines = st.lists(_markdown_shapes.map(lambda s: s.replace("\n", " ").replace("\r", " ")), max_size=40)


@settings(max_examples=300, deadline=None)
@given(lines=_markdown_lines)
@example(lines=["## 1. Q?", "~~~py", "```", "x", "~~~", "after"])  # ``` as code in a ~~~ block
@example(lines=["## 1. What?", "> ## Note", "text"])  # a heading quoted in an answer
def test_markdown_parser_accounts_for_every_line_and_keeps_headings_and_fences_out_of_answers(lines):
    import re

    from qdeck.config import Format, SourceSpec
    from qdeck.ingest.formats import markdown

    spec = SourceSpec(name="md", file=ROOT / "list.md", format=Format.MARKDOWN)
    parsed = markdown.parse(lines, spec)
    accounted(parsed, lines)
    headings = {line.strip() for i, line in enumerate(lines, 1) if i in parsed.heading_lines}
    for q in parsed.questions:
        fences, outside = 0, []
        for line in q.answer.split("\n"):
            if line.startswith("```"):
                fences += 1
            elif fences % 2 == 0:
                outside.append(line)
        assert fences % 2 == 0, q.answer  # every code block in an answer is closed
        assert not any(re.match(r"#{1,6}\s", line) for line in outside), q.answer
        assert not any(line.strip() in headings for line in outside if line.strip()), q.answer
    assert len({q.ref for q in parsed.questions}) == len(parsed.questions)


def test_a_structured_row_takes_a_tier_the_taxonomy_lists(tmp_path):
    """A row's tier slug counts only when the taxonomy beside the registry lists it."""
    from qdeck.config import Format, SourceSpec

    spec = load_recipe(ROOT / "decks" / "python-interview.yaml").sources[0]
    assert spec.known_tiers == ("1-beginner", "2-junior", "3-mid", "4-senior")  # data/taxonomy.yaml
    lines = ["question,answer,tier", "What is a list?,A sequence.,2-junior", "What is a set?,Unique items.,5-guru"]
    csv_spec = SourceSpec(name="rows", file=tmp_path / "rows.csv", format=Format.CSV, known_tiers=spec.known_tiers)
    assert [q.tier for q in structured.parse_csv(lines, csv_spec).questions] == ["2-junior", None]
    bare = SourceSpec(name="rows", file=tmp_path / "rows.csv", format=Format.CSV)
    assert [q.tier for q in structured.parse_csv(lines, bare).questions] == [None, None]
