"""Factor data: sources, parsing, the on-disk cache and the shipped snapshot."""
