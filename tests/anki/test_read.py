"""Reading packages back: what was written comes back; what cannot be read is one InputError."""

from __future__ import annotations

import zipfile

import pytest

from qdeck.anki import MODEL_ID, read_apkg, render_fields, write_apkg
from qdeck.errors import InputError
from tests.anki.helpers import identified


def test_read_apkg_returns_what_was_written(tmp_path):
    notes, _, _ = identified()
    write_apkg(notes, tmp_path / "d.apkg", deck_name="D")
    read = {n.guid: n for n in read_apkg(tmp_path / "d.apkg").notes}
    for note in notes:
        assert read[note.guid].fields == render_fields(note)
        assert read[note.guid].tags == note.tags and read[note.guid].mod == note.mod
        assert read[note.guid].notetype_id == MODEL_ID


def test_read_apkg_errors_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_apkg(tmp_path / "nope.apkg")
    (tmp_path / "junk.apkg").write_bytes(b"not a zip")
    with pytest.raises(InputError, match="not a readable"):
        read_apkg(tmp_path / "junk.apkg")
    with zipfile.ZipFile(tmp_path / "new.apkg", "w") as archive:
        archive.writestr("collection.anki21b", b"zstd")
    with pytest.raises(InputError, match="legacy-format"):
        read_apkg(tmp_path / "new.apkg")
