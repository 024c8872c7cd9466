"""Source parsers: one module per format family, each `parse(lines, spec) -> Parsed`."""
