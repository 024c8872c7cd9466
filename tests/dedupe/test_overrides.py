"""data/overrides.yaml as dedupe reads it: unknown refs are errors, entries for lists left out do not apply."""

from __future__ import annotations

import pytest

from qdeck.dedupe import Overrides
from qdeck.errors import InputError


def test_override_naming_an_unknown_ref_is_an_error(tmp_path):
    path = tmp_path / "overrides.yaml"
    path.write_text("merge:\n  - [tiered-200#3, tiered-200#999]\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"unknown ref\(s\): tiered-200#999"):
        Overrides.load(path, ["tiered-200#3"])


def test_overrides_for_a_list_the_recipe_leaves_out_do_not_apply(tmp_path):
    path = tmp_path / "overrides.yaml"
    path.write_text("merge:\n  - [tiered-200#3, other#9, tiered-200#4]\ntier: {other#9: 1-beginner}\n",
                    encoding="utf-8")
    overrides = Overrides.load(path, ["tiered-200#3", "tiered-200#4"])
    assert overrides.merge == (("tiered-200#3", "tiered-200#4"),) and overrides.tier == {}
