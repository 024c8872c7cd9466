"""Check the editorial answers' code: every Python block compiles, every >>> session passes."""

from __future__ import annotations

import doctest
import warnings
from typing import Iterator

from qdeck.config.editorial import EditorialAnswer, fences

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
