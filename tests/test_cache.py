"""The parse cache: what goes in comes out, a damaged or foreign entry is only a miss, read-only adds nothing."""

from __future__ import annotations

from qdeck.cache import OFF, Cache
from qdeck.config import load_recipe
from qdeck.ingest import parse_source
from tests.helpers import ROOT


def _parsed():
    spec = load_recipe(ROOT / "decks" / "python-interview.yaml").sources[0]
    return parse_source(spec).parsed


def test_a_stored_parse_comes_back_equal(tmp_path):
    cache, parsed = Cache(tmp_path), _parsed()
    key = cache.key_of("some source", 1)
    assert cache.load_parsed(key) is None
    cache.store_parsed(key, parsed)
    assert cache.load_parsed(key) == parsed
    assert cache.key_of("some source", 2) != key, "every part is in the key"


def test_a_damaged_entry_is_a_miss(tmp_path):
    cache = Cache(tmp_path)
    cache.store_parsed("k", _parsed())
    [entry] = tmp_path.iterdir()
    entry.write_bytes(entry.read_bytes()[:100])
    assert cache.load_parsed("k") is None
    cache.store_object("o", {"a": 1})
    assert cache.load_object("o") == {"a": 1}
    (tmp_path / "object-o.pickle").write_bytes(b"not a pickle")
    assert cache.load_object("o") is None


def test_read_only_and_off_write_nothing(tmp_path):
    Cache(tmp_path).reading_only().store_parsed("k", _parsed())
    OFF.store_stamp("s", {"a": 1})
    assert list(tmp_path.iterdir()) == [] and OFF.load_stamp("s") is None and not OFF.on


def test_a_stamp_keeps_its_data_and_a_non_dict_is_a_miss(tmp_path):
    cache = Cache(tmp_path)
    cache.store_stamp("build", {"inputs": "x"})
    assert cache.load_stamp("build") == {"inputs": "x"}
    cache.store_stamp("list", [1, 2])  # type: ignore[arg-type]
    assert cache.load_stamp("list") is None
