"""Anki packages: the note type, cards rendered from notes, writing, reading and diffing .apkg files."""

from qdeck.anki.diff import DiffReport, NoteChange, diff_packages
from qdeck.anki.markdown import code_block, inline, mark_code, markdown
from qdeck.anki.notetype import (
    BACK,
    FIELD_NAMES,
    FIELDS,
    FRONT,
    MODEL_ID,
    MODEL_NAME,
    TEMPLATE_ID,
    TEMPLATE_NAME,
    FieldSpec,
    css,
    notetype_fingerprint,
    notetype_spec,
    schema_fingerprint,
)
from qdeck.anki.read import MAX_COLLECTION_BYTES, MAX_ENTRIES, PackageContents, PackageNote, PackageNotetype, read_apkg
from qdeck.anki.render import (
    RED_FLAG_LABEL,
    TESTS_LABEL,
    Renderer,
    answer_block,
    content_hash,
    render_fields,
    status_notice,
)
from qdeck.anki.write import DECK_ID, RETIRED_DECK, write_apkg

__all__ = [
    "BACK", "DECK_ID", "FIELDS", "FIELD_NAMES", "FRONT", "MAX_COLLECTION_BYTES", "MAX_ENTRIES", "MODEL_ID",
    "MODEL_NAME", "RED_FLAG_LABEL", "RETIRED_DECK", "TEMPLATE_ID", "TEMPLATE_NAME", "TESTS_LABEL", "DiffReport",
    "FieldSpec", "NoteChange", "Renderer", "PackageContents", "PackageNote", "PackageNotetype", "answer_block",
    "code_block", "content_hash", "css", "diff_packages", "inline",
    "mark_code", "markdown", "notetype_fingerprint", "notetype_spec", "read_apkg", "render_fields",
    "schema_fingerprint", "status_notice", "write_apkg",
]
