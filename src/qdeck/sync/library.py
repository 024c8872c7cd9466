"""The Anki library, behind one door: importing it, its errors as one line, opening and importing into a collection."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from qdeck.errors import QdeckError
from qdeck.sync.errors import CollectionError
from qdeck.sync.profile import COLLECTION_FILE

# Anki stores the options of every import as the collection's import-screen presets; ours must not replace the user's.
_IMPORT_PRESET_KEYS = ("mergeNotetypes", "updateNotes", "updateNotetypes", "withDeckConfigs", "withScheduling")


def anki_module() -> Any:
    """`anki.collection`, or a QdeckError saying how to install the library."""
    try:
        from anki import collection
    except ImportError:
        raise QdeckError("`qdeck sync` needs the Anki library: pip install anki (ideally the version of your "
                         "Anki desktop)") from None
    return collection


def anki_errors() -> Any:
    """`anki.errors`, once `anki_module` has checked the library is there."""
    anki_module()
    from anki import errors

    return errors


def library_schema(workspace: Path) -> int:
    """The schema the installed anki library works in: it upgrades whatever it opens to this one.

    It makes a scratch collection in `workspace` to find out, so a sync asks once and keeps the answer.
    """
    anki = anki_module()
    with tempfile.TemporaryDirectory(prefix="probe-", dir=workspace) as tmp, temp_files_in(workspace):
        col = anki.Collection(os.path.join(tmp, COLLECTION_FILE))
        try:
            return col.db.scalar("SELECT ver FROM col")
        finally:
            col.close()


@contextmanager
def anki_failure(what: str, path: Path) -> Iterator[None]:
    """Any exception of the Anki library becomes one line: what failed, on which file, and that nothing changed."""
    try:
        yield
    except QdeckError:
        raise
    except anki_errors().AnkiException as err:
        reason = " ".join(str(err).split()) or type(err).__name__
        full = any(sign in reason for sign in ("DiskFull", "disk is full", "No space left", "os error 28"))
        fix = "free some space on that disk and try again" if full else "check the collection opens in Anki"
        raise CollectionError(f"the Anki library {what} ({reason}); nothing was changed; {fix}", path) from None


@contextmanager
def temp_files_in(folder: Path) -> Iterator[None]:
    """Point the Anki library's temporary files (its importer unpacks the package there) at `folder`.

    The library reads TMPDIR when it needs a file, so a full TMPDIR cannot fail a sync and a kill
    leaves nothing outside the workspace. The process environment is put back afterwards.
    """
    keys = ("TMPDIR", "TEMP", "TMP")
    saved = {k: os.environ.get(k) for k in keys}
    os.environ.update({k: str(folder) for k in keys})
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def open_collection(work: Path, original: Path) -> Any:
    """Open the working copy with the library; its errors become one clear line about the user's file."""
    with anki_failure("cannot open it", original):
        return anki_module().Collection(str(work))


def _import_options() -> Any:
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageUpdateCondition

    if_newer = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
    # Fixed, not the user's presets: a sync must follow the same identity rules on every machine.
    return ImportAnkiPackageOptions(merge_notetypes=False, update_notes=if_newer, update_notetypes=if_newer,
                                    with_scheduling=False, with_deck_configs=False)


def import_package(col: Any, package: Path) -> Any:
    """Import the package exactly as Anki's import screen would, leaving the user's import presets alone."""
    anki = anki_module()
    marks = ",".join("?" * len(_IMPORT_PRESET_KEYS))
    saved = col.db.all(f"SELECT key, usn, mtime_secs, val FROM config WHERE key IN ({marks})", *_IMPORT_PRESET_KEYS)
    request = anki.ImportAnkiPackageRequest(package_path=str(package), options=_import_options())
    log = col.import_anki_package(request).log
    col.db.execute(f"DELETE FROM config WHERE key IN ({marks})", *_IMPORT_PRESET_KEYS)
    col.db.executemany("INSERT INTO config (key, usn, mtime_secs, val) VALUES (?, ?, ?, ?)", saved)
    return log
