"""The config layer: every data file is read here once, checked against its shape, and handed on frozen.

- `yamlfile`: the safe YAML reader (size cap, no aliases or anchors, no duplicate keys);
- `schema`: the shape of each file, declared once (msgspec Structs);
- `shape`: checking data against a shape, with the file's line in every error;
- `recipe`: the source registry and deck recipes;
- `titles`: a deep-dive source's titles file;
- `editorial`, `taxonomy`: the editorial answers and the tag taxonomy (imported from their modules).
"""

from qdeck.config.recipe import DEFAULT_RECIPE_DIR, Recipe, SourceSpec, find_recipe, load_recipe, load_sources
from qdeck.config.schema import Format
from qdeck.config.shape import Checked, Invalid, check, load
from qdeck.config.titles import Titles, load_titles
from qdeck.config.yamlfile import MAX_CONFIG_BYTES, parse_yaml, read_text, read_yaml

__all__ = [
    "DEFAULT_RECIPE_DIR", "Checked", "Format", "Invalid", "check", "MAX_CONFIG_BYTES", "Recipe", "SourceSpec", "find_recipe", "load",
    "load_recipe", "load_sources", "load_titles", "parse_yaml", "read_text", "read_yaml", "Titles",
]
