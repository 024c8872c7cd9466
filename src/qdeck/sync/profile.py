"""Find the collection a sync works on: a named file or profile folder, or a profile in Anki's own data folder."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Mapping

from qdeck.errors import QdeckError
from qdeck.sync.errors import CollectionError

COLLECTION_FILE = "collection.anki2"


def anki_base(env: Mapping[str, str], platform: str = sys.platform) -> Path:
    """The folder Anki keeps its profiles in, as Anki itself finds it from the environment `env`
    (ANKI_BASE overrides, as in Anki). The only place a sync reads Anki's environment variables.

    >>> anki_base({"ANKI_BASE": "/srv/anki", "XDG_DATA_HOME": "/data"}).as_posix()
    '/srv/anki'
    >>> anki_base({"XDG_DATA_HOME": "/data"}, platform="linux").as_posix()
    '/data/Anki2'
    >>> anki_base({"APPDATA": "/roaming"}, platform="win32").as_posix()
    '/roaming/Anki2'
    """
    if env.get("ANKI_BASE"):
        return Path(env["ANKI_BASE"]).expanduser()
    if platform == "win32":
        return Path(env.get("APPDATA") or Path.home() / "AppData" / "Roaming") / "Anki2"
    if platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Anki2"
    return Path(env.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "Anki2"


def profiles(base: Path) -> list[str]:
    """The profile folders under an Anki2 folder (those holding a collection)."""
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / COLLECTION_FILE).is_file())


def find_collection(path: str | None, profile: str | None, *, env: Mapping[str, str]) -> Path:
    """The collection file named by --collection (a file or a profile folder) or by --profile, looked up in
    the Anki folder that the environment `env` names (see `anki_base`)."""
    if path is not None and profile is not None:
        raise QdeckError("give --collection or --profile, not both")
    if path is None and profile is None:
        base = anki_base(env)
        known = ", ".join(profiles(base)) or "none found"
        raise QdeckError(f"name the collection: --collection PATH or --profile NAME (profiles in {base}: {known})")
    if profile is not None:
        base = anki_base(env)
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
