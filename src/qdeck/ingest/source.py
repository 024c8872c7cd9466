"""Read one source file's text, or say in one line what is wrong with it and what to do."""

from __future__ import annotations

from qdeck.config import SourceSpec
from qdeck.errors import InputError


def read_text(spec: SourceSpec) -> str:
    """The source's text, or an InputError that says what is wrong and what to do."""
    path = spec.file
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            f"source {spec.name!r}: file not found; fix `file:` in data/sources.yaml or add the file", path
        ) from None
    except OSError as err:
        raise InputError(f"source {spec.name!r}: cannot read the file ({err.strerror})", path) from None
    if not raw.strip():
        raise InputError(f"source {spec.name!r}: the file is empty; add questions or remove the source", path)
    if b"\x00" in raw:
        raise InputError(f"source {spec.name!r}: not a text file (it holds NUL bytes); point `file:` at a text list", path)
    try:
        return raw.decode(spec.encoding).removeprefix("\ufeff")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError(
            f"source {spec.name!r}: line {line} is not valid {spec.encoding}; "
            "re-save it as UTF-8 or set `encoding:` (e.g. cp1252) for it in data/sources.yaml",
            path,
        ) from None
    except LookupError:
        raise InputError(f"source {spec.name!r}: unknown encoding {spec.encoding!r}", path) from None
