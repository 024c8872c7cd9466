"""The ingest stage: read every declared source file and parse it into questions with provenance.

- `stage`: the stage itself (`ingest`, `parse_source`, `SourceResult`), with the cache and length checks;
- `source`: reading one source file's text;
- `dispatch`: the parser each `config.Format` uses;
- `formats/`: the parsers, one module (or package) per format.
"""

from qdeck.ingest.dispatch import PARSERS, parse_lines
from qdeck.ingest.source import read_text
from qdeck.ingest.stage import SourceResult, ingest, length_warnings, parse_source

__all__ = ["PARSERS", "SourceResult", "ingest", "length_warnings", "parse_lines", "parse_source", "read_text"]
