"""Every parser, on arbitrary text: it never crashes and never drops a non-blank line silently."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qdeck.config import load_recipe, load_sources
from qdeck.formats import numbered, qa, structured
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
