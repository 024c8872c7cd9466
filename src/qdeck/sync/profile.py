"""Find the collection a sync works on: a named file or profile folder, or a profile in Anki's own data folder."""

from __future__ import annotations

from pathlib import Path

from qdeck.errors import QdeckError
from qdeck.sync.errors import CollectionError

COLLECTION_FILE = "collection.anki2"


def profiles(base: Path) -> list[str]:
    """The profile folders under an Anki2 folder (those holding a collection)."""
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / COLLECTION_FILE).is_file())


def find_collection(path: str | None, profile: str | None, *, base: Path) -> Path:
    """The collection file named by --collection (a file or a profile folder) or by --profile, looked up in
    `base`, the folder Anki keeps its profiles in (`Settings.anki_base`)."""
    if path is not None and profile is not None:
        raise QdeckError("give --collection or --profile, not both")
    if path is None and profile is None:
        known = ", ".join(profiles(base)) or "none found"
        raise QdeckError(f"name the collection: --collection PATH or --profile NAME (profiles in {base}: {known})")
    if profile is not None:
        if not (base / profile).is_dir():
            known = ", ".join(profiles(base)) or "none"
            raise CollectionError(f"no Anki profile {profile!r} here (profiles: {known}); set ANKI_BASE if Anki "
                                  "keeps its data elsewhere", base)
        target = base / profile / COLLECTION_FILE
    else:
        target = Path(path).expanduser()
        if target.is_dir():
            target = target / COLLECTION_FILE
    if not target.is_file():
        raise CollectionError("no Anki collection here; name a collection.anki2 file or the profile folder "
                              "holding it", target)
    return target
