"""Upper bounds of code span scores and of the best completion from each position of a region.

The pruned search (see `segment`) skips every state and code span that cannot reach the
optimum.  It needs, per position, a number no real completion beats; this module works it
out in one backward pass over a relaxed search: a state forgets whether its bullet has said
a word (as if it had) and which kind of bullet break it may take (as if either), and a code
span's score is bounded from tables instead of computed.  What a span's score is made of
(see `CodeSpans`), and how the bound treats each term:
- names: by the same per-name costs, except that no name is checked for English glued to
  it (the bound takes the better of glued and not), and a name cut by the span's end is
  priced at `NAME_CEILING` where the span cannot beat a shorter one from its start anyway;
- top-level commas before any quote, unbalanced brackets, a sentence end inside, spaces:
  as the score counts them;
- sentence punctuation at the end: only where no span ending there can end in "...";
- symbol runs, a glued "or", a gloss: left out (they only lower a score);
- the parser's verdict: assumed to accept the span unless a cheap sign says it cannot (an
  unmatched bracket, a lone name, two plain names in a row, an odd quote, a trailing comma).
A bound is a sum in another order than the score's, so each carries `BOUND_SLACK`.
"""

from __future__ import annotations

from collections import deque
from typing import Iterable, Optional

from qdeck.repair.code_spans import CodeSpans
from qdeck.repair.edges import Edges
from qdeck.repair.parse import ALL_KEYWORDS
from qdeck.repair.prose import Chunks, piece_score
from qdeck.repair.prose_ends import ProseEnds
from qdeck.repair.shapes import NAME_CHARS, NAME_STARTS
from qdeck.repair.weights import (
    BOUND_SLACK, BULLET_BREAK, CODE_BAD_EDGE, CODE_PARSES, CODE_PARSES_PER_TOKEN,
    CODE_PUNCTUATION_ONLY, CODE_SPACE, CODE_SPACE_UNPARSED, CODE_TOP_LEVEL_COMMA,
    CODE_UNBALANCED, HOPELESS_CODE, MAX_CODE_CHARS, MAX_PROSE_CHARS, NEW_CODE_SPAN,
)

NEVER = float("-inf")  # the bound of a state with no way on
# Above any name's terms: two CamelCase parts of English humps joined by "_" score 2 * (2 *
# (7.73 - 9) + 2.0) + 1.5 = 0.42 at most ("the" has the top zipf, 7.73); the rest is lower.
NAME_CEILING = 0.5
_SPACE, _QUOTE, _COMMA, _NAME = 1, 2, 3, 4  # kinds of characters a span's scan tells apart


def _prefix(flags: Iterable[int]) -> list[int]:
    """Running counts: counts[i] is the sum of the first i flags."""
    counts = [0]
    for flag in flags:
        counts.append(counts[-1] + flag)
    return counts


class Bounds:
    """Per position of a region, upper bounds of what the search can still gain from there.

    `after_code[p]`: the best completion of a state at p where code ended (prose follows);
    `before_code[p]`: of a state at p where code must follow, before the span's opening cost;
    `code_ends[p]`: (end, bound of code score + edge cost) of the code spans from p.
    """

    def __init__(self, text: str, forced: set[int], spans: CodeSpans, edges: Edges,
                 chunks: Chunks, prose_ends: ProseEnds) -> None:
        self.text, self.forced, self.spans, self.edges = text, forced, spans, edges
        self.chunks, self.prose_ends = chunks, prose_ends
        size = self.size = len(text)
        self._span_tables()
        self._name_tables()
        self.after_code = [NEVER] * (size + 1)
        self.before_code = [NEVER] * (size + 1)
        self.code_ends: list[list[tuple[int, float]]] = [[] for _ in range(size + 1)]
        self.after_code[size] = 0.0  # a final state: what is left is at most 0
        self._backward()

    # --- tables -------------------------------------------------------------------------

    def _span_tables(self) -> None:
        text, size, word = self.text, self.size, self.spans.word
        self.spaces = _prefix(ch.isspace() for ch in text)
        self.parens = _prefix((ch == "(") - (ch == ")") for ch in text)
        self.brackets = _prefix((ch == "[") - (ch == "]") for ch in text)
        self.braces = _prefix((ch == "{") - (ch == "}") for ch in text)
        self.depth = _prefix((ch in "([{") - (ch in ")]}") for ch in text)
        self.bracketed = _prefix(ch in "()[]{}" for ch in text)
        doubles = _prefix(ch == '"' for ch in text)
        singles = _prefix(ch == "'" for ch in text)
        # a span with an odd number of either quote never parses
        self.quote_parity = [d % 2 + 2 * (s % 2) for d, s in zip(doubles, singles)]
        # ... nor one ending in "," or ";": then its parse key matches no start's parity
        self.parse_key = [-1 if e and text[e - 1] in ",;" else parity
                          for e, parity in enumerate(self.quote_parity)]
        self.char_kind = [_SPACE if ch.isspace() else _QUOTE if ch in "'\"" else
                          _COMMA if ch in ",;" else _NAME if ch in NAME_CHARS else 0
                          for ch in text]
        self.before_space = [e < size and text[e].isspace() for e in range(size + 1)]
        # sentence ends ".!?" followed by a space, counted at the punctuation
        self.sentence_ends = _prefix(ch in ".!?" and i + 1 < size and text[i + 1].isspace()
                                     for i, ch in enumerate(text))
        # tokens the parse bonus counts: word runs and single other characters
        self.tokens = _prefix((not word[i] and not ch.isspace())
                              + (word[i] and (i == 0 or not word[i - 1]))
                              for i, ch in enumerate(text))
        # a span ending at e certainly ends in sentence punctuation
        self.end_terms = [0.0] * (size + 1)
        for e in range(1, size + 1):
            last = text[e - 1]
            if last in ",;" or (last == "." and (e < 3 or text[e - 3:e] != "...")):
                self.end_terms[e] = CODE_BAD_EDGE
        # where the scan of code spans stops, as `_code_moves` stops it
        self.sentence_stop = [size + 1] * (size + 2)
        self.list_stop = [False] * (size + 1)
        for e in range(size, 0, -1):
            self.sentence_stop[e - 1] = self.sentence_stop[e]
            if text[e - 1].isspace():
                if text[e - 2:e] in (". ", "! ", "? ") and text[e - 3:e - 1] != "..":
                    self.sentence_stop[e - 1] = e
                self.list_stop[e] = text[e - 2:e] in (", ", "; ")
        # the first end, from each start on, of a span that may hold a shell word (-m, dist/)
        self.shell_end = [size + 1] * (size + 1)
        slash = size + 1  # the first "/" at or after i, before a space
        for i in range(size - 1, -1, -1):
            here = size + 1
            if text[i].isspace():
                if text[i + 1:i + 2] == "-" and text[i + 2:i + 3].isascii() \
                        and text[i + 2:i + 3].isalpha():
                    here = i + 3
                elif text[i + 1:i + 3] == "--" and text[i + 3:i + 4].isascii() \
                        and text[i + 3:i + 4].isalpha():
                    here = i + 4
                here = min(here, slash)
                slash = size + 1
            elif text[i] == "/":
                slash = i + 1
            self.shell_end[i] = min(here, self.shell_end[i + 1])
        # two plain names in a row ("script name"), which never parse: latest start by end
        self.pair_start = [-1] * (size + 1)
        runs, start = [], None
        for i in range(size + 1):
            inside = i < size and word[i]
            if inside and start is None:
                start = i
            elif not inside and start is not None:
                runs.append((start, i))
                start = None
        for (a1, j1), (a2, j2) in zip(runs, runs[1:]):
            if a1 >= 1 and j2 < size and text[j1] == " " and a2 == j1 + 1 \
                    and text[a1 - 1] not in "'\"" and self._plain(a1, j1) and self._plain(a2, j2):
                self.pair_start[j2 + 1] = max(self.pair_start[j2 + 1], a1)
        for e in range(1, size + 1):
            self.pair_start[e] = max(self.pair_start[e], self.pair_start[e - 1])

    def _plain(self, first: int, end: int) -> bool:
        return self.text[first] in NAME_STARTS and self.text[first:end] not in ALL_KEYWORDS

    def _name_tables(self) -> None:
        """Name costs by run of name characters: whole runs and runs cut by a span's end."""
        text, size, spans = self.text, self.size, self.spans
        name_from = spans.name_from
        self.run_id = [-1] * (size + 1)
        starts: list[int] = []
        ends: list[int] = []
        for i, ch in enumerate(text):
            if ch in NAME_CHARS:
                if i == 0 or text[i - 1] not in NAME_CHARS:
                    starts.append(i)
                    ends.append(i)
                ends[-1] = i + 1
                self.run_id[i] = len(starts) - 1
        self.run_starts, self.run_ends = starts, ends
        # whole runs after a span's start (their neighbours are the text's own)
        self.whole = [0.0]
        for r0, r1 in zip(starts, ends):
            first = name_from[r0]
            cost = 0.0
            if first != -1 and first < r1 and r1 < size:
                cost = sum(spans.name_cost(max(0, first - 2), first, r1, r1 + 1, True))
            self.whole.append(self.whole[-1] + cost)
        self.runs_ended = [0] * (size + 1)  # runs ending before e - 1
        self.runs_from = [0] * (size + 1)   # index of the first run starting at p + 2 or later
        number = 0
        for e in range(size + 1):
            while number < len(ends) and ends[number] <= e - 1:
                number += 1
            self.runs_ended[e] = number
        number = 0
        for p in range(size + 1):
            while number < len(starts) and starts[number] < p + 2:
                number += 1
            self.runs_from[p] = number
        # names_to[e]: the whole runs before e - 1, a run cut by the span's end (when it starts
        # at p + 2 or later) and the span's last character (see `end_terms`)
        self.names_to = [0.0] * (size + 1)
        for e in range(1, size + 1):
            cut = 0.0
            if text[e - 1] in NAME_CHARS:
                first = name_from[starts[self.run_id[e - 1]]]
                if first != -1 and first <= e - 1:
                    cut = sum(spans.name_cost(max(0, first - 2), first, e, e, True))
            self.names_to[e] = self.whole[self.runs_ended[e]] + cut + self.end_terms[e]

    # --- the backward pass ----------------------------------------------------------------

    def _backward(self) -> None:
        text, size = self.text, self.size
        ends = self.prose_ends
        candidates = ends.candidates
        follow = [NEVER] * (size + 1)   # best of what may follow prose ending at a candidate
        value = [NEVER] * (size + 1)    # follow + the prose score up to it, from its chunk on
        window: deque[int] = deque()    # candidates past the head chunk, best last
        entering = len(candidates) - 1
        candidate = set(candidates)
        forced = self.forced
        for p in range(size - 1, -1, -1):
            if p == 0 or p in forced or not text[p - 1].isspace() or text[p - 2] in ".!?":
                self._code_bound(p)  # elsewhere no state may start code (see `_extend_code`)
            if not text[p].isspace() and p > 0 and not text[p - 1].isspace():
                # where code may have ended (it ends glued to what follows)
                head_end = self.chunks.ends[self.chunks.index[p]]
                last = min(ends.forced_after[p] - 1, p + MAX_PROSE_CHARS)
                while entering >= 0 and candidates[entering] > head_end:
                    c = candidates[entering]
                    while window and value[window[0]] <= value[c]:
                        window.popleft()
                    window.appendleft(c)
                    entering -= 1
                while window and window[-1] > last:
                    window.pop()
                self.after_code[p] = self._prose_bound(p, head_end, last, follow, window, value)
            if p in candidate:
                glued = ends.glued[p]
                follow[p] = self._follow(p, ends.penalty[p] if glued else None, ends.after[p])
                chunk = self.chunks.index[p - 1]
                tail = piece_score(text[self.chunks.starts[chunk]:p])[0]
                value[p] = self.chunks.score_prefix[chunk] + tail + follow[p]

    def _follow(self, end: int, penalty: Optional[float], after: str) -> float:
        """Bound of what may follow prose that ends at `end`, as `_extend_prose` allows."""
        if end == self.size:
            return 0.0
        best = NEVER
        if penalty is not None:
            opening = 0.0 if end in self.forced else NEW_CODE_SPAN
            best = penalty + opening + self.before_code[end]
        if after == "glued":
            best = max(best, BULLET_BREAK + self.before_code[end])
        elif after == "space":
            best = max(best, BULLET_BREAK + self.before_code[end + 1])
        return best

    def _prose_bound(self, p: int, head_end: int, last: int, follow: list[float],
                     window: deque[int], value: list[float]) -> float:
        text, chunks, ends = self.text, self.chunks, self.prose_ends
        limit = ends.forced_after[p]
        best = next(chunks.prose_from(text, p, [limit]))[0]
        if limit < self.size:
            best += self._follow(limit, ends.penalty[limit], ends.after[limit])
        if window:
            first = chunks.index[p]
            head = piece_score(text[p:head_end])[0] - chunks.score_prefix[first + 1]
            best = max(best, head + value[window[-1]])
        inside = ends.candidates_between(p, min(head_end, last))
        for c in sorted(inside, key=follow.__getitem__, reverse=True):
            if follow[c] <= best:
                break  # a piece of prose never scores above 0, so no later one can win
            score = piece_score(text[p:c])[0] + follow[c]
            if score > best:
                best = score
        return best + BOUND_SLACK

    def _code_bound(self, p: int) -> None:
        """`code_ends[p]` and `before_code[p]`: the spans `_code_moves` may yield from p."""
        text, size = self.text, self.size
        if text[p].isspace():
            return
        spans, edges = self.spans, self.edges
        after_code, depth, char_kind = self.after_code, self.depth, self.char_kind
        spaces, parens, brackets, braces = self.spaces, self.parens, self.brackets, self.braces
        names_to, end_terms, parse_key = self.names_to, self.end_terms, self.parse_key
        sentence_ends, pair_start, tokens_to = self.sentence_ends, self.pair_start, self.tokens
        list_stop, before_space = self.list_stop, self.before_space
        end_bits = edges.end_bits
        edge_terms = [edges.penalty[edges.start_bits[p] | bits] for bits in range(16)]
        limit = min(size, p + MAX_CODE_CHARS, self.prose_ends.forced_after[p],
                    self.sentence_stop[p] - 1)
        # The run of name characters the span starts in (or right after its first character):
        # until it ends, the span's names are the one it cuts; after, the table's.
        head = self.run_id[p] if text[p] in NAME_CHARS else \
            self.run_id[p + 1] if p + 1 < size and text[p + 1] in NAME_CHARS else -1
        head_first, head_end, head_cost = -1, p, 0.0
        if head != -1:
            head_end = self.run_ends[head]
            head_first = spans.name_from[max(self.run_starts[head], p)]
            if head_first != -1 and head_first < head_end < size:
                head_cost = sum(spans.name_cost(p, head_first, head_end, head_end + 1, True))
        names_from = self.whole[self.runs_from[p]] - head_cost
        lone_name = text[p] in NAME_STARTS  # a span of one name proves nothing to the parser
        # a span starting with "." (not "...") never parses; nor one with an odd quote
        quotes_p = -2 if text[p] == "." and text[p:p + 3] != "..." else self.quote_parity[p]
        tokens_from = tokens_to[p] - (1 if spans.word[p] and p > 0 and spans.word[p - 1] else 0)
        shell_end = self.shell_end[p]
        depth_p, spaces_p, sentence_p = depth[p], spaces[p], sentence_ends[p]
        parens_p, brackets_p, braces_p = parens[p], brackets[p], braces[p]
        bracketed, bracketed_p = self.bracketed, self.bracketed[p]
        punctuation_to = edges.punctuation_to[p]
        commas, quoted = 0, False
        best, last, moves = NEVER, 0.0, self.code_ends[p]
        for e in range(p + 1, limit + 1):
            kind = char_kind[e - 1]
            if kind:
                if kind == _SPACE:
                    if list_stop[e] and depth[e] <= depth_p:
                        break
                    if last < HOPELESS_CODE:
                        break
                    continue
                if kind == _QUOTE:
                    quoted = True
                elif kind == _COMMA and not quoted and depth[e - 1] <= depth_p:
                    commas += 1
            may_parse = parse_key[e] == quotes_p and pair_start[e] <= p
            cut_name = False  # the span ends inside the head run: its name is priced last
            if e <= head_end:
                score = end_terms[e]
                if kind == _NAME:
                    if lone_name:
                        may_parse = False
                    cut_name = head_first != -1 and head_first < e
            else:
                score = names_to[e] - names_from
            if bracketed[e] != bracketed_p:  # else it holds no bracket to be unmatched
                imbalance = abs(parens[e] - parens_p) + abs(brackets[e] - brackets_p) \
                    + abs(braces[e] - braces_p)
                if imbalance:
                    score += CODE_UNBALANCED * imbalance
                    may_parse = False
            if commas:
                score += CODE_TOP_LEVEL_COMMA * commas
            if sentence_ends[e - 1] > sentence_p:
                score += CODE_BAD_EDGE
            gaps = spaces[e] - spaces_p
            if gaps:
                fluent = may_parse or shell_end <= e
                score += gaps * (CODE_SPACE if fluent else CODE_SPACE_UNPARSED)
            if may_parse:
                tokens = tokens_to[e] - tokens_from
                if tokens >= 3:
                    score += CODE_PARSES + CODE_PARSES_PER_TOKEN * min(tokens - 1, 10)
            score += BOUND_SLACK
            if before_space[e]:
                last = score + NAME_CEILING if cut_name else score
                continue
            if e == p + 1:
                score += edges.bound(p, e)
            else:
                score += edge_terms[end_bits[e]]
                if e <= punctuation_to:
                    score += CODE_PUNCTUATION_ONLY
            if cut_name:
                if score + NAME_CEILING + after_code[e] > best:  # else the ceiling will do
                    score += sum(spans.name_cost(p, head_first, e, e, True))
                else:
                    score += NAME_CEILING
            last = score
            moves.append((e, score))
            if score + after_code[e] > best:
                best = score + after_code[e]
        self.before_code[p] = best
