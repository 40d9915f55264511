"""The index's tree and bespoke frameworks (filled in by the scoring and framework issues)."""
