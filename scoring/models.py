"""Scoring runs and score rows (filled in by the scoring issue)."""
