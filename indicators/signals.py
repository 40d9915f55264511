"""Signals other apps may listen to (derived data only, per our conventions)."""

from django.dispatch import Signal

# Sent after a new dataset release has been committed; kwargs: dataset_slug, release_id.
release_imported = Signal()
