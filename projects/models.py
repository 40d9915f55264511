"""Partnerships, interventions, baselines and investment cases (later issues)."""
