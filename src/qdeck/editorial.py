"""Read the editorial answers: short answers written for this deck, keyed by note GUID."""

from __future__ import annotations

import doctest
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping

from qdeck.config import read_yaml
from qdeck.errors import InputError

# Fenced blocks in the answers' markdown subset; only Python ones are checked.
_FENCE = re.compile(r"^```([\w+-]*)\n(.*?)^```[ \t]*$", re.S | re.M)
_PYTHON = ("python", "py", "pycon", "")
_KEYS = {"guid", "question", "answer"}


@dataclass(frozen=True)
class EditorialAnswer:
    """One answer written for one note, with the question it was written against."""

    guid: str
    question: str
    answer: str
    file: Path
    title: str


@dataclass(frozen=True)
class Editorial:
    """Every editorial answer of a recipe, by GUID."""

    answers: Mapping[str, EditorialAnswer]

    def get(self, guid: str) -> EditorialAnswer | None:
        return self.answers.get(guid)


def load_editorial(folder: Path) -> Editorial:
    """Read every `*.yaml` in `folder`: a mapping with `title` and a list of `answers`."""
    answers: dict[str, EditorialAnswer] = {}
    for path in sorted(folder.glob("*.yaml")):
        raw = read_yaml(path, what="the editorial answers")
        if not isinstance(raw, dict) or set(raw) != {"title", "answers"}:
            raise InputError("expected a mapping with exactly `title:` and `answers:`", path)
        title, entries = raw["title"], raw["answers"]
        if not isinstance(title, str) or not title.strip() or not isinstance(entries, list):
            raise InputError("`title:` must be text and `answers:` a list", path)
        for number, entry in enumerate(entries, 1):
            if not isinstance(entry, dict) or set(entry) != _KEYS or \
                    not all(isinstance(entry[k], str) and entry[k].strip() for k in _KEYS):
                raise InputError(f"answer {number} needs exactly `guid`, `question` and `answer`, "
                                 "each non-empty text", path)
            guid = entry["guid"]
            if guid in answers:
                raise InputError(f"answer {number}: {guid} has an answer already in "
                                 f"{answers[guid].file.name}; keep one", path)
            unbalanced = entry["answer"].count("```") != 2 * len(_FENCE.findall(entry["answer"]))
            if unbalanced:
                raise InputError(f"answer {number} ({guid}): a ``` fence is not closed", path)
            answers[guid] = EditorialAnswer(guid, entry["question"].strip(), entry["answer"].strip(),
                                            path, title.strip())
    return Editorial(answers)


def python_examples(answer: str) -> Iterator[tuple[str, bool]]:
    """(code, is a >>> session) for every Python block of an answer, in order.

    >>> list(python_examples("- x\\n\\n```python\\n>>> 1 + 1\\n2\\n```\\n\\n```bash\\nls\\n```"))
    [('>>> 1 + 1\\n2\\n', True)]
    """
    for lang, body in _FENCE.findall(answer):
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
