"""The config layer on its own: the safe YAML reader and shape checks with the file's line."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qdeck.config import load, read_yaml
from qdeck.config.schema import OverridesFile, SourcesFile
from qdeck.errors import InputError, LockError


def write(tmp_path, text, name="f.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_plain_yaml_reads_as_data(tmp_path):
    path = write(tmp_path, "a: [1, two]\nb: {c: null}\n")
    assert read_yaml(path) == {"a": [1, "two"], "b": {"c": None}}


def test_a_key_given_twice_is_refused_at_its_line(tmp_path):
    path = write(tmp_path, "a: 1\nb: 2\na: 3\n")
    with pytest.raises(InputError, match=r"line 3: malformed YAML \(the key 'a' is given twice\)"):
        read_yaml(path)


def test_anchors_are_refused_unless_allowed(tmp_path):
    path = write(tmp_path, "a: &x [1, 2]\nb: *x\n")
    with pytest.raises(InputError, match=r"line 1: YAML anchor `x`"):
        read_yaml(path)
    assert read_yaml(path, aliases=True) == {"a": [1, 2], "b": [1, 2]}


def test_the_size_cap_and_the_error_class_are_the_callers(tmp_path):
    # the identity lock reads with its own cap and reports LockError
    path = write(tmp_path, "a: 1\n" + "# pad\n" * 100)
    assert read_yaml(path, max_bytes=10_000) == {"a": 1}
    with pytest.raises(LockError, match="larger than 100 bytes"):
        read_yaml(path, max_bytes=100, error=LockError)


def test_an_endless_file_is_read_no_further_than_the_cap(tmp_path):
    started = time.perf_counter()
    with pytest.raises(InputError, match="larger than"):
        read_yaml(Path("/dev/zero"))
    assert time.perf_counter() - started < 1


def test_a_mapping_value_error_names_its_key_and_line(tmp_path):
    path = write(tmp_path, "canonical:\n  a#1: Fine?\n  a#2: [not, text]\n")
    with pytest.raises(InputError, match=r"line 3: canonical\.a#2: expected a non-empty text, got a list"):
        load(path, OverridesFile)


def test_a_missing_key_names_the_entry(tmp_path):
    path = write(tmp_path, "sources:\n  - name: a\n    format: qa\n")
    with pytest.raises(InputError, match=r"line 2: sources\[0\]: missing the required key `file`"):
        load(path, SourcesFile)


@settings(max_examples=40, deadline=None)
@given(value=st.one_of(st.integers(), st.booleans(), st.lists(st.text(max_size=3), max_size=3),
                       st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)))
def test_any_wrong_value_is_one_input_error_never_a_crash(tmp_path_factory, value):
    import yaml

    path = tmp_path_factory.mktemp("c") / "overrides.yaml"
    path.write_text(yaml.safe_dump({"tier": {"a#1": "x"}, "merge": [value]}), encoding="utf-8")
    try:
        load(path, OverridesFile)
    except InputError as err:
        assert "\n" not in str(err) and str(err).startswith(f"{path}: line ")


def test_a_billion_laughs_is_refused_in_well_under_a_second(tmp_path):
    from tests.test_bad_input import BOMB

    path = write(tmp_path, BOMB)
    started = time.perf_counter()
    with pytest.raises(InputError, match="YAML anchor"):
        read_yaml(path)
    assert time.perf_counter() - started < 0.1
