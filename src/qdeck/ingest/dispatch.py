"""The one place a source's format (config.Format) picks its parser; a parser's failure becomes an InputError."""

from __future__ import annotations

import json
import re
from typing import Callable

import yaml

from qdeck.config import Format, SourceSpec
from qdeck.errors import InputError
from qdeck.ingest.formats import deepdive, markdown, numbered, qa, structured
from qdeck.models import Parsed
from qdeck.parallel import SERIAL, Pool

Parser = Callable[..., Parsed]  # (lines, spec, *, pool) -> Parsed

PARSERS: dict[Format, Parser] = {
    Format.NUMBERED: numbered.parse,
    Format.QA: qa.parse,
    Format.DEEP_DIVE: deepdive.parse,
    Format.CSV: structured.parse_csv,
    Format.YAML: structured.parse_yaml,
    Format.JSON: structured.parse_json,
    Format.MARKDOWN: markdown.parse,
}


def parse_lines(lines: list[str], spec: SourceSpec, pool: Pool = SERIAL) -> Parsed:
    """The source's lines parsed by its format's parser; a wrong option or malformed file is an InputError."""
    try:
        return PARSERS[spec.format](lines, spec, pool=pool)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise InputError(f"source {spec.name!r}: {where}malformed YAML; fix the file", spec.file) from None
    except json.JSONDecodeError as err:
        raise InputError(f"source {spec.name!r}: line {err.lineno}: malformed JSON ({err.msg})", spec.file) from None
    except (KeyError, TypeError, ValueError, IndexError, re.error) as err:
        # A parser option in data/sources.yaml is wrong (bad regex, missing group, ...).
        raise InputError(
            f"source {spec.name!r}: the {spec.format.value} parser cannot use its options ({err}); "
            "check them in data/sources.yaml",
            spec.file,
        ) from None
