"""The config layer reads a deep-dive titles file once and hands the parser a frozen, checked object."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from qdeck.config import Format, load_sources, load_titles
from qdeck.errors import InputError
from tests.helpers import ROOT


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_real_titles_file_is_read_with_spaces_squeezed():
    titles = load_titles(ROOT / "data" / "deep-dive-71.questions.yaml")
    assert len(titles.by_number) == 71 and sorted(titles.by_number) == list(range(1, 72))
    assert all(text == " ".join(text.split()) and text.endswith("?") for text in titles.by_number.values())
    with pytest.raises(TypeError):
        titles.by_number[1] = "changed"  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        titles.path = Path("elsewhere")  # type: ignore[misc]


def test_the_registry_hands_a_deep_dive_source_its_titles():
    specs = load_sources(ROOT / "data" / "sources.yaml")
    deep = [spec for spec in specs.values() if spec.format is Format.DEEP_DIVE]
    assert [spec.name for spec in deep] == ["deep-dive-71"]
    assert deep[0].titles == load_titles(ROOT / "data" / "deep-dive-71.questions.yaml")
    assert all(spec.titles is None for spec in specs.values() if spec.format is not Format.DEEP_DIVE)


@pytest.mark.parametrize(
    "text",
    [
        "1: [unclosed\n",  # invalid YAML
        "- a list\n- of titles\n",  # not a mapping
        "one: What?\n",  # key is not a number
        "1: 42\n",  # title is not text
        "1: What?\n'1': Again?\n",  # the same answer twice
    ],
)
def test_unusable_titles_file_is_an_input_error(tmp_path, text):
    titles = write(tmp_path, "t.yaml", text)
    with pytest.raises(InputError) as err:
        load_titles(titles)
    assert err.value.path == titles
    assert "\n" not in str(err.value)


def test_missing_or_unreadable_titles_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_titles(tmp_path / "absent.yaml")
    with pytest.raises(InputError, match="cannot read"):
        load_titles(tmp_path)  # a folder, not a file
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("1: Qu\xe9?\n".encode("latin-1"))
    with pytest.raises(InputError, match="cannot read"):
        load_titles(latin1)


def test_an_empty_titles_file_has_no_titles(tmp_path):
    assert dict(load_titles(write(tmp_path, "t.yaml", "# nothing yet\n")).by_number) == {}
