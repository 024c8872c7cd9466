"""Apply a build straight to a user's Anki collection: their study, tags and edits kept, filtered decks by tier."""

from __future__ import annotations

import shutil
from dataclasses import replace
from functools import cache, partial
from pathlib import Path
from typing import Sequence

from qdeck.anki import write_apkg
from qdeck.config import Recipe
from qdeck.errors import OutputError, QdeckError
from qdeck.sync import guards, library
from qdeck.sync import workspace as staging
from qdeck.sync.apply import apply
from qdeck.sync.errors import CollectionError
from qdeck.sync.filtered import FILTERED_KINDS, TIER_TITLES, filtered_kinds
from qdeck.settings import Runtime
from qdeck.sync.profile import COLLECTION_FILE, find_collection, profiles
from qdeck.sync.report import FilteredDeckResult, SyncReport

__all__ = [
    "FILTERED_KINDS", "TIER_TITLES", "CollectionError", "FilteredDeckResult", "SyncReport",
    "find_collection", "profiles", "sync",
]


def sync(recipe: Recipe, collection: Path, *, dry_run: bool = False, suspend_retired: bool = False,
         filtered: Sequence[str] = ("tier",), out_dir: Path = Path("build"), now: int | None = None,
         rt: Runtime | None = None) -> SyncReport:
    """Build the deck, then apply it to an Anki collection as one all-or-nothing change.

    The work happens on a copy in the collection's workspace (`workspace.workspace`); only a copy the
    library closed cleanly, intact and at the schema the user's Anki had, replaces the user's file, in
    one atomic rename, after a checked backup next to it. Any error before that, or a kill at any
    point, leaves the user's file exactly as it was. A dry run writes
    no build output (like `qdeck build --check`) and never replaces the file.
    """
    from qdeck.pipeline import build

    kinds = filtered_kinds(filtered)
    collection = Path(collection)
    guards.check_header(collection)
    with staging.workspace(collection) as folder:
        library_schema = cache(partial(library.library_schema, folder))  # a scratch collection: make it once
        with guards.held(collection, library_schema):
            pass  # refuse an unusable collection before building anything; the lock is not held while building
        result = build(recipe, out_dir=out_dir, check=dry_run, now=now, rt=rt or Runtime())
        if not result.notes:
            raise QdeckError("the build has no notes; nothing to sync")
        with guards.held(collection, library_schema) as schema:
            stamp = staging.file_stamp(collection)
            work, package = folder / COLLECTION_FILE, folder / "qdeck-sync.apkg"
            try:
                shutil.copyfile(collection, work)
            except OSError as err:
                raise OutputError(f"cannot copy the collection into {folder.name} ({err.strerror or err}); nothing "
                                  "was changed; check the folder has free space", collection) from None
            write_apkg(result.notes, package, deck_name=recipe.deck, notetype_mod=result.notetype_mod)
            with library.temp_files_in(folder):
                col = library.open_collection(work, collection)
                try:
                    with library.anki_failure("failed while applying the build", collection):
                        report = apply(col, package, recipe, result.notes, kinds=kinds,
                                       suspend_retired=suspend_retired)
                finally:
                    # The way Anki's own "Downgrade & Quit" closes: a schema 11 file goes back to schema 11.
                    with library.anki_failure("could not close the working copy", collection):
                        col.close(downgrade=schema == guards.SCHEMA_LEGACY)
            guards.check_result(work, schema)
            report = replace(report, collection=collection, dry_run=dry_run, schema=schema, build=result.summary)
            if dry_run:
                return report
            backup = staging.backup(collection, folder)
        staging.swap(work, collection, stamp)  # after the lock is released: Windows cannot rename over an open file
    return replace(report, backup=backup)
