"""qdeck.repair.segment: the pruned search finds exactly the steps of the full search."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qdeck.ingest.formats.qa import answer_of
from qdeck.repair.bounds import NAME_CEILING, Bounds
from qdeck.repair.code_spans import CodeSpans
from qdeck.repair.edges import Edges
from qdeck.repair.names import name_terms
from qdeck.repair.prose import Chunks, piece_score
from qdeck.repair.prose_ends import ProseEnds
from qdeck.repair.segment import best_score, segment
from qdeck.repair.units import Unit, make_unit, raw_units
from qdeck.repair.vocabulary import top_zipf
from qdeck.repair.weights import (
    CODE_CAMEL_BONUS, CODE_SNAKE_BONUS, MAX_REGION_CHARS, ZIPF_SHIFT,
)

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "data" / "sources" / "answered-200.txt"


def _units_of(lines: list[str]) -> list[Unit]:
    """The units `repair_answer` would search for these answer lines."""
    units = (make_unit(code_first, text) for code_first, text in raw_units(lines))
    return [unit for unit in units if unit.region and len(unit.region) <= MAX_REGION_CHARS]


def _source_units() -> list[Unit]:
    answers: list[list[str]] = []
    for line in SOURCE.read_text(encoding="utf-8").splitlines():
        if re.match(r"Q\d+\. ", line):
            answers.append([])
        elif answers:
            answers[-1].append(line)
    units: list[Unit] = []

    def collect(lines: list[str]) -> list[str]:
        units.extend(_units_of(lines))
        return []

    for lines in answers:
        answer_of(lines, collect)  # as the qa parser splits off fenced code first
    return units


# Glued text: English words, Python names (known, made up, snake, camel, dunder), operators,
# brackets and sentence ends, joined the way the scrape joins them.
FRAGMENTS = st.one_of(
    st.sampled_from([
        "pass", "is", "a", "the", "returns", "None", "if", "truthy", "else", "and", "or", "not",
        "sys.argv", "lists", "argparse", "click", "typer", "with", "open(path, mode)", "as", "f",
        "__init__", "__pycache__", "self", "cls", "x_y", "FooBar", "FooBar_BazQux", "MAX_SIZE",
        "utf8", "setuptools", "placeholder", "continue", "skips", "break", "for", "in", "vs",
        "(", ")", "[", "]", "{", "}", ",", ";", ":", ".", "...", "!", "?", "-", "--cov", "==",
        "+=", "*", "**", "|", "&", "/", "dist/*", "'s'", '"q"', "1.2+", "3.9", "e.g.,", "i.e.",
        "def f(a, /, b):", "lambda x: x", "x = 1", "[]", "()", "n(next)", "+or+=",
    ]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC_019.(", min_size=1, max_size=12),
)
JOINS = st.sampled_from(["", "", " ", " ", "\n", ". ", ".", ", ", ".- ", " - "])


@st.composite
def glued_answers(draw) -> list[str]:
    pieces = draw(st.lists(st.tuples(FRAGMENTS, JOINS), min_size=1, max_size=30))
    return "".join(fragment + join for fragment, join in pieces).split("\n")


SLOW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _bounds(unit: Unit) -> tuple[Bounds, CodeSpans, Edges]:
    text = unit.region
    spans, edges = CodeSpans(text), Edges(text)
    return Bounds(text, unit.forced, spans, edges, Chunks.of(text),
                  ProseEnds(text, unit.forced)), spans, edges


def assert_bounds_hold(unit: Unit) -> None:
    """Every code span the bounds list scores at most its bound, names and prose pieces too."""
    bounds, spans, edges = _bounds(unit)
    text = unit.region
    for start, ends in enumerate(bounds.code_ends):
        if not ends:
            continue
        bound_of = dict(ends)
        for end, score in spans.scores(start, max(bound_of)):
            if end in bound_of and score is not None:
                assert score + edges.cost(start, end) <= bound_of[end], (text, start, end)
    for match in re.finditer(r"[A-Za-z_][A-Za-z0-9_]*", text):
        name = match.group()
        for after_dot in (False, True):
            assert sum(name_terms(name, after_dot, False, after_dot)) <= NAME_CEILING
    for piece in text.split():
        assert piece_score(piece)[0] <= 0.0  # the prose bound stops on this


def assert_pruning_is_exact(unit: Unit) -> None:
    """The pruned search finds the full search's steps, with its own guesses and with the
    tightest floor there is, the optimum itself (where an unsound bound shows at once)."""
    try:
        full = segment(unit, prune=False)
    except ValueError:  # no segmentation at all: the pruned search must agree
        with pytest.raises(ValueError):
            segment(unit)
        return
    assert segment(unit) == full, unit.region
    assert segment(unit, floor=best_score(unit)) == full, unit.region


def test_pruned_search_matches_the_full_search_on_every_unit_of_the_source():
    units = _source_units()
    assert len(units) > 250
    for unit in units:
        assert_pruning_is_exact(unit)


@SLOW
@given(glued_answers())
def test_pruned_search_matches_the_full_search_on_glued_text(lines):
    for unit in _units_of(lines):
        assert_pruning_is_exact(unit)


@SLOW
@given(glued_answers())
def test_bounds_are_never_below_the_scores_on_glued_text(lines):
    for unit in _units_of(lines):
        assert_bounds_hold(unit)


def test_bounds_are_never_below_the_scores_on_the_source():
    for unit in _source_units()[::7]:  # a spread sample: the full check scores every span
        assert_bounds_hold(unit)


def test_the_name_ceiling_is_above_the_best_name_there_can_be():
    # The best name: two CamelCase parts of the commonest word joined by "_" ("TheThe_TheThe").
    camel = 2 * (top_zipf() - ZIPF_SHIFT) + CODE_CAMEL_BONUS
    assert 2 * camel + CODE_SNAKE_BONUS <= NAME_CEILING
    assert sum(name_terms("TheThe_TheThe", False, False, False)) <= NAME_CEILING
