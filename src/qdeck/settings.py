"""Every environment variable and folder qdeck reads, resolved once (by the CLI) into one frozen object.

The library never reads `os.environ` or the working directory on its own: a caller builds a
`Settings` (the CLI with `Settings.from_environ()`, a test with the values it wants) and hands its
parts down. A variable that is set but empty counts as unset, as in most Unix tools.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from qdeck.cache import OFF, Cache
from qdeck.errors import InputError
from qdeck.parallel import SERIAL, Pool, Show

MODEL_NAME = "all-MiniLM-L6-v2"  # the one embedding model qdeck knows (see qdeck.dedupe.embed)
MODEL_FOLDER = f"models/{MODEL_NAME}"  # beside the project, where `qdeck model fetch` puts it
CACHE_FOLDER = "build/.cache"  # beside the default output, so `make clean` removes it


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the platform has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@dataclass(frozen=True)
class Settings:
    """Where qdeck keeps things and how many processes it uses.

    `cache_dir` None turns the cache off. `anki_base` is the folder Anki keeps its profiles in.
    """

    workers: int = 1
    cache_dir: Path | None = None
    model_dir: Path = Path(MODEL_FOLDER)
    anki_base: Path = field(default_factory=lambda: anki_base({}))

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None, *, cwd: Path | None = None,
                     platform: str = sys.platform, home: Path | None = None) -> Settings:
        """Read QDECK_WORKERS, QDECK_NO_CACHE, QDECK_CACHE_DIR, QDECK_MODEL_DIR and ANKI_BASE once.

        Relative folders are resolved against `cwd` (the working directory when None). The cache
        lives in `build/.cache` unless QDECK_CACHE_DIR names another folder.

        >>> s = Settings.from_environ({"QDECK_WORKERS": "3", "QDECK_NO_CACHE": "1"}, cwd=Path("/p"), home=Path("/h"),
        ...                           platform="linux")
        >>> s.workers, s.cache_dir, s.model_dir.as_posix(), s.anki_base.as_posix()
        (3, None, '/p/models/all-MiniLM-L6-v2', '/h/.local/share/Anki2')
        """
        env = dict(os.environ if environ is None else environ)
        cwd = Path.cwd() if cwd is None else cwd
        home = Path.home() if home is None else home

        def folder(value: str) -> Path:
            path = Path(value).expanduser()
            return path if path.is_absolute() else cwd / path

        cache_dir = None
        if not env.get("QDECK_NO_CACHE"):
            cache_dir = folder(env.get("QDECK_CACHE_DIR") or CACHE_FOLDER)
        return cls(
            workers=_workers(env.get("QDECK_WORKERS", "")),
            cache_dir=cache_dir,
            model_dir=folder(env.get("QDECK_MODEL_DIR") or MODEL_FOLDER),
            anki_base=anki_base(env, platform, home),
        )


@dataclass(frozen=True)
class Runtime:
    """What a run uses besides its recipe: the cache, the worker pool (with its watcher), the model folder.

    The library's default is the plainest run: no cache, one process, nobody watching.
    """

    cache: Cache = OFF
    pool: Pool = SERIAL
    model_dir: Path = Path(MODEL_FOLDER)

    @classmethod
    def of(cls, settings: Settings, show: Show | None = None, *, read_only: bool = False) -> Runtime:
        cache = OFF if settings.cache_dir is None else Cache(settings.cache_dir, read_only=read_only)
        return cls(cache, Pool(settings.workers, show), settings.model_dir)


def _workers(value: str) -> int:
    """QDECK_WORKERS as a count of processes; unset means every available core.

    >>> _workers("2"), _workers("") == available_cores()
    (2, True)
    """
    value = value.strip()
    if not value:
        return available_cores()
    if not value.isdigit() or int(value) < 1:
        raise InputError(f"QDECK_WORKERS={value!r} is not a count of processes; set it to 1 or more, or unset it")
    return int(value)


def anki_base(env: Mapping[str, str], platform: str = sys.platform, home: Path | None = None) -> Path:
    """The folder Anki keeps its profiles in, found as Anki finds it (ANKI_BASE overrides, as in Anki).

    >>> anki_base({"ANKI_BASE": "/srv/anki", "XDG_DATA_HOME": "/data"}).as_posix()
    '/srv/anki'
    >>> anki_base({"XDG_DATA_HOME": "/data"}, platform="linux").as_posix()
    '/data/Anki2'
    >>> anki_base({"APPDATA": "/roaming"}, platform="win32").as_posix()
    '/roaming/Anki2'
    """
    home = Path.home() if home is None else home
    if env.get("ANKI_BASE"):
        return Path(env["ANKI_BASE"]).expanduser()
    if platform.startswith("win"):
        return Path(env.get("APPDATA") or home / "AppData" / "Roaming") / "Anki2"
    if platform == "darwin":
        return home / "Library" / "Application Support" / "Anki2"
    return Path(env.get("XDG_DATA_HOME") or home / ".local" / "share") / "Anki2"
