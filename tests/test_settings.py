"""Settings: every environment variable qdeck reads, resolved once; a bad value is one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from qdeck.errors import InputError
from qdeck.settings import MODEL_NAME, Runtime, Settings, anki_base, available_cores
from tests.helpers import run_cli


def test_defaults_are_resolved_against_the_given_folder():
    s = Settings.from_environ({}, cwd=Path("/proj"), home=Path("/home/u"), platform="linux")
    assert s.workers == available_cores()
    assert s.cache_dir == Path("/proj/build/.cache")
    assert s.model_dir == Path("/proj/models") / MODEL_NAME
    assert s.anki_base == Path("/home/u/.local/share/Anki2")


def test_every_variable_is_read():
    env = {"QDECK_WORKERS": "3", "QDECK_CACHE_DIR": "c", "QDECK_MODEL_DIR": "/m", "ANKI_BASE": "/a"}
    s = Settings.from_environ(env, cwd=Path("/proj"))
    assert (s.workers, s.cache_dir, s.model_dir, s.anki_base) == (3, Path("/proj/c"), Path("/m"), Path("/a"))
    assert Settings.from_environ({"QDECK_NO_CACHE": "1", "QDECK_CACHE_DIR": "c"}, cwd=Path("/p")).cache_dir is None
    assert Settings.from_environ({"QDECK_NO_CACHE": ""}, cwd=Path("/p")).cache_dir is not None, "empty is unset"


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_a_bad_worker_count_is_an_input_error(value):
    with pytest.raises(InputError, match="QDECK_WORKERS"):
        Settings.from_environ({"QDECK_WORKERS": value}, cwd=Path("/p"))


def test_anki_base_is_found_as_anki_finds_it():
    home = Path("/h")
    assert anki_base({"ANKI_BASE": "/a", "XDG_DATA_HOME": "/x"}, "linux", home) == Path("/a")
    assert anki_base({"XDG_DATA_HOME": "/x"}, "linux", home) == Path("/x/Anki2")
    assert anki_base({}, "linux", home) == Path("/h/.local/share/Anki2")
    assert anki_base({"APPDATA": "/roaming"}, "win32", home) == Path("/roaming/Anki2")
    assert anki_base({}, "win32", home) == Path("/h/AppData/Roaming/Anki2")
    assert anki_base({"XDG_DATA_HOME": "/x"}, "darwin", home) == Path("/h/Library/Application Support/Anki2")


def test_a_runtime_carries_the_settings():
    rt = Runtime.of(Settings(workers=2, cache_dir=Path("/c")), read_only=True)
    assert (rt.pool.workers, rt.cache.folder, rt.cache.read_only) == (2, Path("/c"), True)
    assert not Runtime.of(Settings(cache_dir=None)).cache.on


def test_the_cli_reports_a_bad_setting_on_one_line(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("QDECK_WORKERS", "lots")
    result = run_cli(capsys, "build", "--quiet", "--out", str(tmp_path))
    assert (result.code, result.out) == (2, "")
    assert result.err.splitlines() == [
        "qdeck: error: QDECK_WORKERS='lots' is not a count of processes; set it to 1 or more, or unset it"]
    assert list(tmp_path.iterdir()) == [], "nothing written"
