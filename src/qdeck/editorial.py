"""Editorial answers on the cards: attach them by GUID, warn when they drift, check their code."""

from __future__ import annotations

import doctest
import warnings
from dataclasses import replace
from typing import Callable, Iterable, Iterator, Sequence

from qdeck.config.editorial import Editorial, EditorialAnswer, fences
from qdeck.errors import InputError
from qdeck.identity import text_similarity
from qdeck.models import Answer, Note

_PYTHON = ("python", "py", "pycon", "")


def python_examples(answer: str) -> Iterator[tuple[str, bool]]:
    """(code, is a >>> session) for every Python block of an answer, in order.

    >>> list(python_examples("- x\\n\\n```python\\n>>> 1 + 1\\n2\\n```\\n\\n```bash\\nls\\n```"))
    [('>>> 1 + 1\\n2\\n', True)]
    """
    for lang, body in fences(answer):
        if lang in _PYTHON:
            yield body, body.lstrip().startswith(">>>")


def check_examples(entry: EditorialAnswer) -> list[str]:
    """What is wrong with an answer's code: blocks that do not compile, sessions that fail.

    Sessions run as doctests, in order, in one namespace per answer, with ELLIPSIS.
    """
    problems: list[str] = []
    names: dict[str, object] = {"__name__": f"editorial:{entry.guid}"}
    for number, (code, session) in enumerate(python_examples(entry.answer), 1):
        label = f"{entry.guid} block {number}"
        if not session:
            try:
                compile(code, label, "exec")
            except SyntaxError as err:
                problems.append(f"{label}: does not compile ({err.msg}, line {err.lineno})")
            continue
        test = doctest.DocTestParser().get_doctest(code, names, label, str(entry.file), 0)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        report: list[str] = []
        with warnings.catch_warnings():  # an example may show a DeprecationWarning on purpose
            warnings.simplefilter("ignore")
            runner.run(test, out=report.append, clear_globs=False)
        names.update(test.globs)  # a later block may use what an earlier one defined
        if runner.failures:
            problems.append(f"{label}: doctest failed\n{''.join(report)}")
    return problems


# ---------------------------------------------------------------------- on the card

EDITORIAL_SOURCE = "editorial"  # the answer block's source; its label is the file's title
DRIFTED = 0.5  # a question this unlike the one the answer was written against gets a warning


def attach(editorial: Editorial, root: str) -> Callable[[Note, tuple[str, ...]], Note]:
    """The identity stage's last touch: a note whose GUID has an editorial answer shows it.

    A note no list answers gets it as its answer (and loses `answer::none`); a note a list has
    answered since keeps the editorial answer as a later block, until a maintainer removes it.
    A note that absorbed merged notes and has no editorial answer of its own takes theirs: the
    one written for the question closest to its own.
    """
    none_tag = f"{root}::answer::none"

    def finish(note: Note, absorbed: tuple[str, ...]) -> Note:
        entry = editorial.get(note.guid)
        if entry is None:
            inherited = [e for e in map(editorial.get, absorbed) if e is not None]
            if not inherited:
                return note
            entry = max(inherited, key=lambda e: (text_similarity(e.question, note.question), e.guid))
        block = Answer(EDITORIAL_SOURCE, entry.answer, title=entry.title)
        if note.answers or note.answer.strip():
            return replace(note, answers=(*note.answers, block))
        return replace(note, answer=entry.answer, answers=(block,), tags=tuple(t for t in note.tags if t != none_tag))

    return finish


def editorial_notices(editorial: Editorial, notes: Sequence[Note], known: Iterable[str], *,
                      namespace: str, fresh: bool) -> list[str]:
    """Warnings about this deck's editorial answers (GUIDs `namespace:…`; other decks' are not its).

    An answer for a GUID the lock never had is an error, unless the lock is new (`fresh`): a deck
    built without the committed lock mints new GUIDs, and the answers then apply to no note.
    """
    known = set(known)
    mine = [e for e in editorial.answers.values() if e.guid.startswith(f"{namespace}:")]
    unknown = [e for e in mine if e.guid not in known]
    if unknown and fresh:
        return [f"{len(unknown)} editorial answers apply to no note: the lock is new, so every GUID is "
                "new; build with the committed lock to keep them"]
    for entry in unknown:
        raise InputError(f"{entry.guid} is no note's GUID (never in the lock); fix the guid or remove "
                         "its answer", entry.file)
    lines = []
    by_guid = {n.guid: n for n in notes}
    for entry in mine:
        note = by_guid.get(entry.guid)
        if note is not None and note.status == "merged":
            continue  # its answer went with it to the note it joined
        if note is None or note.status != "active":
            lines.append(f"editorial answer for a retired note: {entry.guid} ({entry.question})")
            continue
        similarity = max(text_similarity(entry.question, text) for text in (note.question, *note.variants))
        if similarity < DRIFTED:
            lines.append(f"editorial answer written for another question? {entry.guid}: "
                         f"\"{entry.question}\" → \"{note.question}\" (similarity {similarity:.2f})")
        if not entry.beside_list and any(a.source != EDITORIAL_SOURCE for a in note.answers):
            lines.append(f"editorial answer beside a list's answer now: {entry.guid} ({note.question}); "
                         "remove it from data/editorial/, or mark it `beside_list: true` to keep both")
    return lines
