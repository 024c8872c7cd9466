"""Find the best code/prose segmentation of a unit by dynamic programming over positions."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product
from typing import Optional

from qdeck.repair.bounds import NEVER, Bounds
from qdeck.repair.code_spans import CodeSpans
from qdeck.repair.edges import Edges
from qdeck.repair.prose import Chunks
from qdeck.repair.prose_ends import ProseEnds
from qdeck.repair.units import Unit
from qdeck.repair.weights import (
    BULLET_BREAK, BULLET_WITHOUT_WORDS, HOPELESS_CODE, MAX_CODE_CHARS, NEW_CODE_SPAN,
    PRUNE_MARGIN,
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
    prose_ends: ProseEnds = field(init=False)

    def __post_init__(self) -> None:
        self.prose_ends = ProseEnds(self.text, self.forced)

    @classmethod
    def of(cls, unit: Unit) -> "_Search":
        text = unit.region
        return cls(text, unit.forced, unit.code_first, Chunks.of(text), CodeSpans(text), Edges(text))

    def opening(self, kind: str, position: int) -> Optional[float]:
        """What opening a code span at `position` after a state of `kind` costs; None if none may open."""
        if kind == "B" or position in self.forced:
            return 0.0
        if kind == "P" and (position == 0 or self.text[position - 1].isspace()):
            return None  # the space before code was removed, so code never follows a space
        return NEW_CODE_SPAN

    def relax(self, state: _State, score: float, back: tuple) -> None:
        current = self.best.get(state)
        if current is None or score > current[0]:
            self.best[state] = (score, back)

    def next_forced(self, position: int) -> int:
        return self.prose_ends.forced_after[position]


def _code_moves(search: _Search, position: int, wanted: Optional[set[int]] = None,
                ) -> list[tuple[int, float, float]]:
    """(end, code score, edge cost) of every code span that may start at `position`.

    The same for every state at `position`, so it is worked out once per position.  With
    `wanted`, only of the spans ending there: the scan stops at the last of them, and scores
    only them and the spans before a space (which tell whether the span became hopeless).
    """
    text = search.text
    size = len(text)
    if position >= size or text[position].isspace():
        return []
    limit = min(size, position + MAX_CODE_CHARS, search.next_forced(position))
    scored = None
    if wanted is not None:
        limit = min(limit, max(wanted))
        scored = wanted | {end for end in range(position + 1, limit)
                           if text[end].isspace() and not text[end - 1].isspace()}
    moves = []
    depth = 0
    last = 0.0  # score of the span up to the previous character
    for end, score in search.spans.scores(position, limit, scored):
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
        if score is not None:  # None: an end not wanted
            last = score
            moves.append((end, last, search.edges.cost(position, end)))
    return moves


def _extend_code(search: _Search, state: _State, score: float,
                 moves: list[tuple[int, float, float]]) -> None:
    position, kind, first, words = state
    opening = search.opening(kind, position)
    if opening is None:
        return
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


def segment(unit: Unit, prune: bool = True, floor: Optional[float] = None) -> list[Step]:
    """Best sequence of code/prose/break steps covering the unit's region.

    `prune=False` searches without the bounds of `Bounds`: slower, and the same steps.
    `floor`, a score the best segmentation is known to reach (see `best_score`), replaces
    the pruned search's guesses; if nothing reaches it, there is no segmentation.
    """
    search = _Search.of(unit)
    if prune:
        bounds = Bounds(search.text, unit.forced, search.spans, search.edges, search.chunks,
                        search.prose_ends)
        # A guess of the optimum's floor, lowered while no final clears it: then the best
        # final found is a real path's score, which the optimum clears.
        guess = bounds.before_code[0] - PRUNE_MARGIN if floor is None else floor
        while True:
            _expand(search, unit, skip_dominated=True, bounds=bounds, floor=guess)
            top = max((score for score, _ in _finals(search)), default=NEVER)
            if top >= guess or guess == NEVER or floor is not None:
                break
            guess = top
        if top < guess:
            raise ValueError("no segmentation reaches the floor")
    else:
        _expand(search, unit, skip_dominated=True)
    steps = _winner(search, skip_dominated=True)
    # Skipping dominated states, or states and spans below the floor, leaves every score and
    # back pointer of the winning path as it was; only equal final scores are chosen by the
    # order states were first reached, which skipping can change, so that rare case is
    # searched again in full.
    if steps is None:
        _expand(search, unit, skip_dominated=False)
        steps = _winner(search, skip_dominated=False)
    return steps  # type: ignore[return-value]


def best_score(unit: Unit) -> float:
    """The score of the best segmentation, by the full search (what `segment` maximises)."""
    search = _Search.of(unit)
    _expand(search, unit, skip_dominated=False)
    finals = _finals(search)
    if not finals:
        raise ValueError("no segmentation")
    return max(score for score, _ in finals)


def _expand(search: _Search, unit: Unit, skip_dominated: bool,
            bounds: Optional[Bounds] = None, floor: float = NEVER) -> None:
    """The search itself, from scratch: the best score and back pointer of every state.

    With `bounds`, a state or code span is skipped when its bound falls below `floor`.
    """
    search.best.clear()
    search.best[(0, "B", True, not unit.code_first)] = (0.0, None)
    if bounds is not None:
        _pruned_pass(search, bounds, floor, skip_dominated)
    else:
        _full_pass(search, skip_dominated)


def _finals(search: _Search) -> list[tuple[float, _State]]:
    size = len(search.text)
    finals = []
    for state, (score, _) in search.best.items():
        if state[0] == size and state[1] in "PC":
            needs_words = not state[2]  # bullets split off must say something
            finals.append((score + (BULLET_WITHOUT_WORDS if needs_words and not state[3]
                                    else 0.0), state))
    return finals


def _winner(search: _Search, skip_dominated: bool) -> Optional[list[Step]]:
    """The steps to the best final; None if skipping dominated states left it to a tie."""
    finals = _finals(search)
    if not finals:
        raise ValueError("no segmentation")  # repair_answer falls back
    top = max(score for score, _ in finals)
    if skip_dominated and sum(score == top for score, _ in finals) > 1:
        return None
    best = search.best
    state = max(finals, key=lambda item: item[0])[1]
    steps: list[Step] = []
    while best[state][1] is not None:
        previous, action, begin = best[state][1]
        steps.append((action, begin, state[0]))
        state = previous
    steps.reverse()
    return steps


def _live_states(search: _Search, position: int, skip_dominated: bool) -> list[tuple[_State, float]]:
    """The states at `position` in the order they are expanded, dominated ones left out."""
    best = search.best
    states = []
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
        states.append((state, score))
    return states


def _pruned_pass(search: _Search, bounds: Bounds, floor: float, skip_dominated: bool) -> None:
    """Expand states in position order, skipping states and code spans below `floor`."""
    text = search.text
    after_code, before_code = bounds.after_code, bounds.before_code
    for position in range(len(text) + 1):
        live = []
        top = NEVER  # the best of the code-starting states, with their opening cost
        for state, score in _live_states(search, position, skip_dominated):
            kind = state[1]
            if kind == "C":
                if score + after_code[position] >= floor:
                    live.append((state, score))
                continue
            opening = search.opening(kind, position)
            if opening is None:
                continue
            if score + opening + before_code[position] >= floor:
                live.append((state, score))
                top = max(top, score + opening)
        if not live:
            continue
        wanted: Optional[set[int]] = None
        if top > NEVER:  # some state here may open code: only the spans that can reach the floor
            wanted = {end for end, bound in bounds.code_ends[position] if top + bound + after_code[end] >= floor}
        _step_from(search, position, live, wanted)


def _full_pass(search: _Search, skip_dominated: bool) -> None:
    """Expand every state in position order (every step moves forward, so that settles it)."""
    for position in range(len(search.text) + 1):
        _step_from(search, position, _live_states(search, position, skip_dominated))


def _step_from(search: _Search, position: int, states: list[tuple[_State, float]],
            wanted: Optional[set[int]] = None) -> None:
    """Take every step on from `states` at `position`; code spans only to `wanted` ends when given."""
    code_moves: Optional[list[tuple[int, float, float]]] = None
    prose_moves: Optional[list[_ProseMove]] = None
    for state, score in states:
        if state[1] == "C":
            if prose_moves is None:
                prose_moves = _prose_moves(search, position)
            _extend_prose(search, state, score, prose_moves)
        else:
            if code_moves is None:
                code_moves = _code_moves(search, position, wanted) if wanted is None or wanted else []
            _extend_code(search, state, score, code_moves)


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


