"""Find the best code/prose segmentation of a unit by dynamic programming over positions."""

from __future__ import annotations

from bisect import bisect_right
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
    prose_ends: "_ProseEnds" = field(init=False)

    def __post_init__(self) -> None:
        self.prose_ends = _ProseEnds(self.text, self.forced)

    def relax(self, state: _State, score: float, back: tuple) -> None:
        current = self.best.get(state)
        if current is None or score > current[0]:
            self.best[state] = (score, back)

    def next_forced(self, position: int) -> int:
        return self.prose_ends.forced_after[position]


class _ProseEnds:
    """Where prose may end in a region and what may follow, worked out once per region.

    Whether prose may end before code, or end a bullet, depends on the end alone (and on
    whether it is the next line break), so every start reads the same table.
    """

    def __init__(self, text: str, forced: set[int]) -> None:
        size = len(text)
        self.forced_after = [size] * (size + 1)  # the first line break after each position
        later = size
        for position in range(size, -1, -1):
            self.forced_after[position] = later
            if position in forced:
                later = position
        self.penalty: list[float] = [0.0] * (size + 1)  # if code follows prose ending here
        self.glued = [False] * (size + 1)               # code may follow without a line break
        self.after = [""] * (size + 1)                  # "glued" / "space": may end a bullet
        self.candidates: list[int] = []                 # ends some prose may stop at, ascending
        for end in range(1, size):
            ends_sentence = text[end - 1] in ".!?"
            period = ends_sentence and not ABBREVIATION.search(text[max(0, end - 4):end])
            self.penalty[end] = PROSE_PERIOD_BEFORE_CODE if period else 0.0
            self.glued[end] = not text[end - 1].isspace() and not text[end].isspace()
            if ends_sentence:
                self.after[end] = "glued" if not text[end].isspace() else \
                    "space" if text[end] == " " and end + 1 < size else ""
            if self.glued[end] or self.after[end]:
                self.candidates.append(end)
        self.size = size

    def steps(self, position: int) -> list[tuple[int, Optional[float], str]]:
        """(end, penalty if code may follow or None, bullet end) of prose from `position`."""
        limit = self.forced_after[position]
        last = min(limit - 1, position + MAX_PROSE_CHARS)  # below the line break: by the table
        candidates = self.candidates
        low, high = bisect_right(candidates, position), bisect_right(candidates, last)
        penalty, glued, after = self.penalty, self.glued, self.after
        steps = [(end, penalty[end] if glued[end] else None, after[end])
                 for end in candidates[low:high]]
        # Prose may always run on to the next line break or the end (penalty even unglued).
        steps.append((limit, None, "") if limit == self.size else
                     (limit, penalty[limit], after[limit]))
        return steps


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
    steps = search.prose_ends.steps(position)
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
    steps = _search(unit, skip_dominated=True)
    # Skipping dominated states leaves every score and back pointer of the winning path as it
    # was; only equal final scores are chosen by the order states were first reached, which
    # skipping can change, so that rare case is searched again in full.
    return steps if steps is not None else _search(unit, skip_dominated=False)  # type: ignore[return-value]


def _search(unit: Unit, skip_dominated: bool) -> Optional[list[Step]]:
    """The search itself; None if skipping dominated states left the winner to a tie."""
    text = unit.region
    search = _Search(text, unit.forced, unit.code_first, Chunks.of(text),
                     CodeSpans(text), Edges(text))
    start: _State = (0, "B", True, not unit.code_first)
    best = search.best
    best[start] = (0.0, None)
    size = len(text)
    # Every step moves forward, so visiting positions in order settles each state.
    for position in range(size + 1):
        code_moves: Optional[list[tuple[int, float, float]]] = None
        prose_moves: Optional[list[_ProseMove]] = None
        for kind, first, words in product("BPC", (True, False), (True, False)):
            state = (position, kind, first, words)
            if state not in best:
                continue
            score = best[state][0]
            if skip_dominated and not words:
                twin = best.get((position, kind, first, True))
                if twin is not None and twin[0] > score:
                    # The same state with a prose word already said, and a better score: every
                    # path on from here does better from there, so none from here can win.
                    continue
            if kind == "C":
                if prose_moves is None:
                    prose_moves = _prose_moves(search, position)
                _extend_prose(search, state, score, prose_moves)
            else:
                if code_moves is None:
                    code_moves = _code_moves(search, position)
                _extend_code(search, state, score, code_moves)
    finals = []
    for state, (score, _) in best.items():
        if state[0] == size and state[1] in "PC":
            needs_words = not state[2]  # bullets split off must say something
            finals.append((score + (BULLET_WITHOUT_WORDS if needs_words and not state[3]
                                    else 0.0), state))
    if not finals:
        raise ValueError("no segmentation")  # repair_answer falls back
    top = max(score for score, _ in finals)
    if skip_dominated and sum(score == top for score, _ in finals) > 1:
        return None
    state = max(finals, key=lambda item: item[0])[1]
    steps: list[Step] = []
    while best[state][1] is not None:
        previous, action, begin = best[state][1]
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


