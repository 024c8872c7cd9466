"""The judgment store (data/judgments.yaml): load it strictly, save it atomically, resolve it
against today's questions and fold it into the dedupe overrides."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable, Sequence

from qdeck import config
from qdeck.config import Invalid, read_text
from qdeck.config.shape import convert
from qdeck.config.blockyaml import read_block_yaml
from qdeck.config.schema import JudgmentsFile
from qdeck.dedupe import Overrides, natural_key
from qdeck.errors import InputError
from qdeck.files import write_atomic
from qdeck.models import Question
from qdeck.review.overrides_file import flow

VERDICTS = ("same", "related", "different")
FILE_NAME = "judgments.yaml"
MAX_JUDGMENTS_BYTES = 16 << 20  # a judgment is ~200 bytes: room for tens of thousands
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*#[0-9][0-9.]*$")
_HEADER = """\
# Merge decisions made by hand (`qdeck review`): two refs, the two question texts as they were
# judged, the verdict and an optional note. `same` puts the two questions on one note; `related`
# and `different` keep them apart. A judgment follows its questions when a list is edited or
# renumbered (by the judged text); one whose question is gone is reported by `qdeck build`.
"""


@dataclass(frozen=True)
class Judgment:
    """One decision on a pair of questions, as judged."""

    refs: tuple[str, str]
    questions: tuple[str, str]
    verdict: str
    note: str = ""

    @property
    def key(self) -> frozenset[str]:
        return frozenset(self.refs)


def check_ref(ref: str, where: str, path: Path) -> str:
    """A ref as `<source>#<number>`, or one line saying which entry holds a bad one."""
    if not isinstance(ref, str) or not _REF.match(ref):
        raise InputError(f"{where}: {ref!r} is not a ref (`<source>#<number>`)", path)
    return ref


def check_verdict(verdict: object, where: str, path: Path) -> str:
    if verdict not in VERDICTS:
        raise InputError(f"{where}: verdict {verdict!r} is not one of {', '.join(VERDICTS)}", path)
    return str(verdict)


def load(path: Path) -> tuple[Judgment, ...]:
    """The judgments in `path` (none when the file does not exist); any malformed entry is an error
    naming its line (the shape is config.schema.JudgmentsFile)."""
    if not path.exists():
        return ()
    text = read_text(path, what="the judgments file", max_bytes=MAX_JUDGMENTS_BYTES)
    written = _read_as_written(text)
    if written is not None:
        return written
    return config.load(path, JudgmentsFile, build=_judgments, what="the judgments file", empty=JudgmentsFile(),
                       max_bytes=MAX_JUDGMENTS_BYTES)


def _read_as_written(text: str) -> tuple[Judgment, ...] | None:
    """The judgments, read fast when the text is exactly what `dump` writes for them (see
    config.blockyaml); None for any other text, which PyYAML reads with line numbers for its errors."""
    data = read_block_yaml(text)
    if data is None:
        return None
    try:
        judgments = _judgments(convert(data, JudgmentsFile))
    except Invalid:
        return None
    return judgments if dump(judgments) == text else None


def _judgments(raw: JudgmentsFile) -> tuple[Judgment, ...]:
    found: dict[frozenset[str], Judgment] = {}
    for i, entry in enumerate(raw.judgments):
        a, b = entry.refs
        if a == b:
            raise Invalid(("judgments", i, "refs"), f"a question cannot be judged against itself ({a})")
        judgment = Judgment((a, b), entry.questions, entry.verdict, entry.note)
        if judgment.key in found:
            raise Invalid(("judgments", i), f"{a} and {b} are judged twice; keep one entry")
        found[judgment.key] = judgment
    return tuple(found.values())


def dump(judgments: Iterable[Judgment]) -> str:
    """The file's text: a header, then one entry per pair in ref order (stable diffs).

    >>> print(dump([Judgment(("b#2", "a#1"), ("What is X?", "X: why?"), "same")]), end="")  # doctest: +ELLIPSIS
    # Merge decisions ...
    judgments:
    - refs: [b#2, a#1]
      questions:
      - What is X?
      - 'X: why?'
      verdict: same
    """
    ordered = sorted(judgments, key=lambda j: sorted(map(natural_key, j.refs)))
    lines = [_HEADER.rstrip("\n"), "judgments:" if ordered else "judgments: []"]
    for j in ordered:
        lines += [f"- refs: [{flow(j.refs[0])}, {flow(j.refs[1])}]", "  questions:",
                  *(f"  - {flow(text)}" for text in j.questions), f"  verdict: {j.verdict}"]
        if j.note:
            lines.append(f"  note: {flow(j.note)}")
    return "\n".join(lines) + "\n"


def save(path: Path, judgments: Iterable[Judgment]) -> bool:
    return write_atomic(path, dump(judgments).encode("utf-8"), what="judgments file")


def put(judgments: Sequence[Judgment], new: Judgment) -> tuple[Judgment, ...]:
    """The judgments with `new` in place of any earlier judgment of the same pair."""
    return tuple(j for j in judgments if j.key != new.key) + (new,)


# ---------------------------------------------------------------------- following questions


def text_still_similar(old: str, new: str) -> bool:
    """The hook for (c): a question reworded in place, by the identity stage's own measure."""
    from qdeck.identity import UNCERTAIN, text_similarity

    return text_similarity(old, new) >= UNCERTAIN


@dataclass(frozen=True)
class Resolved:
    """A judgment and the refs it applies to today (None when a question is gone)."""

    judgment: Judgment
    refs: tuple[str, str] | None
    how: tuple[str, str] = ("", "")  # per side: "", "moved" (other ref, same text), "edited", "gone"

    def describe(self) -> str:
        j = self.judgment
        pair = f"{j.refs[0]} ~ {j.refs[1]} ({j.verdict})"
        if self.refs is None:
            gone = [f"{ref} {text!r}" for ref, text, how in zip(j.refs, j.questions, self.how) if how == "gone"]
            return f"judgment {pair} no longer applies: gone: {'; '.join(gone)}"
        moves = [f"{old} -> {new}" if how == "moved" else f"{old} reworded"
                 for old, new, how in zip(j.refs, self.refs, self.how) if how]
        return f"judgment {pair} follows its questions: {', '.join(moves)}"


def resolve(judgments: Iterable[Judgment], questions: Sequence[Question],
            similar: Callable[[str, str], bool] = text_still_similar) -> list[Resolved]:
    """Where each judged question is now: (a) its ref if the text is unchanged, else (b) the one
    ref anywhere with exactly that text, else (c) its ref if the text is still similar, else gone."""
    text_of = {q.ref: q.text for q in questions}
    refs_of: dict[str, list[str]] = {}
    for q in questions:
        refs_of.setdefault(q.text, []).append(q.ref)
    out = []
    for j in judgments:
        sides = []
        for ref, text in zip(j.refs, j.questions):
            if text_of.get(ref) == text:
                sides.append((ref, ""))
            elif len(refs_of.get(text, ())) == 1:
                sides.append((refs_of[text][0], "moved"))
            elif ref in text_of and similar(text, text_of[ref]):
                sides.append((ref, "edited"))
            else:
                sides.append((None, "gone"))
        (a, how_a), (b, how_b) = sides
        refs = (a, b) if a is not None and b is not None and a != b else None
        if a is not None and a == b:
            how_a = how_b = "gone"  # both sides landed on one question: the pair no longer exists
        out.append(Resolved(j, refs, (how_a, how_b)))
    return out


def apply(overrides: Overrides, resolved: Iterable[Resolved]) -> Overrides:
    """`same` becomes a merge, `related` and `different` a split, next to the maintainers' own."""
    merge, split = list(overrides.merge), list(overrides.split)
    for r in resolved:
        if r.refs is not None:
            (merge if r.judgment.verdict == "same" else split).append(r.refs)
    return replace(overrides, merge=tuple(merge), split=tuple(split))


def notices(resolved: Iterable[Resolved]) -> list[str]:
    """One line per judgment that moved, was reworded, or no longer applies."""
    return [r.describe() for r in resolved if any(r.how)]


def conflicts(resolved: Sequence[Resolved]) -> list[str]:
    """`same` judgments that chain two questions judged apart onto one note."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for r in resolved:
        if r.refs is not None and r.judgment.verdict == "same":
            a, b = map(find, r.refs)
            if a != b:
                parent[b] = a
    return [f"judgments conflict: {r.refs[0]} and {r.refs[1]} are judged {r.judgment.verdict} but `same` "
            "judgments join them; the merge wins, change one of them"
            for r in resolved if r.refs is not None and r.judgment.verdict != "same"
            and find(r.refs[0]) == find(r.refs[1])]
