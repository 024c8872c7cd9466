"""Find the best code/prose segmentation of a unit by dynamic programming over positions."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product
from typing import Optional

from qdeck.repair.code_spans import CodeSpans
from qdeck.repair.edges import Edges
from qdeck.repair.prose import Chunks
from qdeck.repair.shapes import ABBREVIATION
from qdeck.repair.units import Unit
from qdeck.repair.weights import (
    BULLET_BREAK, BULLET_WITHOUT_WORDS, HOPELESS_CODE, MAX_CODE_CHARS, MAX_PROSE_CHARS,
    NEW_CODE_SPAN, PROSE_PERIOD_BEFORE_CODE,
)

# A DP state: (position, what ended there, still in the unit's first bullet,
# current bullet has a prose word).  Kinds: "B" = a bullet (re)starts and code
# must follow, "P" = prose ended and code follows, "C" = code ended.
_State = tuple[int, str, bool, bool]
Step = tuple[str, int, int]  # (action, start, end)


@dataclass
class _Search:
    """One unit's search: the region, its scorers, and the best score of each state so far."""

    text: str
    forced: set[int]
    code_first: bool
    chunks: Chunks
    spans: CodeSpans
    edges: "Edges"
    best: dict = field(default_factory=dict)

    def relax(self, state: _State, score: float, back: tuple) -> None:
        current = self.best.get(state)
        if current is None or score > current[0]:
            self.best[state] = (score, back)

    def next_forced(self, position: int) -> int:
        later = [f for f in self.forced if f > position]
        return min(later) if later else len(self.text)


def _code_moves(search: _Search, position: int) -> list[tuple[int, float, float]]:
    """(end, code score, edge cost) of every code span that may start at `position`.

    The same for every state at `position`, so it is worked out once per position.
    """
    text = search.text
    size = len(text)
    if position >= size or text[position].isspace():
        return []
    limit = min(size, position + MAX_CODE_CHARS, search.next_forced(position))
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
            if char.isspace() and last < HOPELESS_CODE:
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
    opening = 0.0 if kind == "B" or position in search.forced else NEW_CODE_SPAN
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
    ends = range(position + 1, min(limit, position + MAX_PROSE_CHARS) + 1)
    if limit > position + MAX_PROSE_CHARS:
        ends = [*ends, limit]  # prose may still run on to the next line break or the end
    steps: list[tuple[int, Optional[float], str]] = []
    for end in ends:
        if end == size:
            steps.append((end, None, ""))
            continue
        ends_sentence = text[end - 1] in ".!?"
        penalty = None
        if end == limit or (not text[end - 1].isspace() and not text[end].isspace()):
            period = ends_sentence and not ABBREVIATION.search(text[max(0, end - 4):end])
            penalty = PROSE_PERIOD_BEFORE_CODE if period else 0.0
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
        closing = BULLET_BREAK + (0.0 if now_words else BULLET_WITHOUT_WORDS)
        if after == "glued" and code_bullet:
            search.relax((end, "B", False, False), score + gain + closing,
                         (state, "break", position))
        elif after == "space" and not code_bullet:
            search.relax((end + 1, "B", False, False), score + gain + closing,
                         (state, "break-space", position))


def segment(unit: Unit) -> list[Step]:
    """Best sequence of code/prose/break steps covering the unit's region."""
    text = unit.region
    search = _Search(text, unit.forced, unit.code_first, Chunks.of(text),
                     CodeSpans(text), Edges(text))
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
            finals.append((score + (BULLET_WITHOUT_WORDS if needs_words and not state[3]
                                    else 0.0), state))
    if not finals:
        raise ValueError("no segmentation")  # repair_answer falls back
    state = max(finals, key=lambda item: item[0])[1]
    steps: list[Step] = []
    while search.best[state][1] is not None:
        previous, action, begin = search.best[state][1]
        steps.append((action, begin, state[0]))
        state = previous
    steps.reverse()
    return steps


def bullets_from_steps(text: str, steps: list[Step]) -> list[list[tuple[str, str]]]:
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


