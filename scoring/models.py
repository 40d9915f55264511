"""Scoring runs and their score rows: derived data, always recomputable."""

from django.db import models

from scoring.engine import BANDS

BAND_LABELS = {band.key: band.label for band in BANDS}


class RunStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    STARTED = "started", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ScoringRun(models.Model):
    """One computation of a framework version with one method over the current data."""

    framework_version = models.ForeignKey(
        "frameworks.FrameworkVersion", on_delete=models.PROTECT, related_name="runs"
    )
    method_id = models.CharField(max_length=64, db_index=True)
    method_settings = models.JSONField()
    releases = models.JSONField(default=list, help_text="Dataset release ids the run read")
    inputs_hash = models.CharField(max_length=64, db_index=True)
    status = models.CharField(
        max_length=8, choices=RunStatus.choices, default=RunStatus.PENDING, db_index=True
    )
    is_current = models.BooleanField(default=False, db_index=True)
    scope = models.CharField(max_length=20, default="councils", help_text="councils or small_areas")
    periods = models.JSONField(default=list)
    counts = models.JSONField(default=dict)
    timings = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Run {self.pk} {self.framework_version} {self.method_id} {self.status}"


class Score(models.Model):
    """A node's 0-10 score for a place, period and reference set, with what explains it.

    Score, driver and flag rows are derived data written in bulk by the scoring service,
    which checks every reference first: no per-row foreign-key triggers, and only the
    composite indexes the reads use (each leads with the run).
    """

    run = models.ForeignKey(
        ScoringRun,
        on_delete=models.CASCADE,
        related_name="scores",
        db_constraint=False,
        db_index=False,
    )
    place = models.ForeignKey(
        "places.Place",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    node_key = models.CharField(max_length=120)
    year = models.PositiveSmallIntegerField(help_text="Scoring year: latest data up to it")
    reference_set = models.CharField(max_length=40, help_text="e.g. E-upper_tier-2023")
    level = models.CharField(max_length=12)
    score = models.FloatField(null=True)
    uncapped = models.FloatField(null=True)
    z = models.FloatField(null=True)
    band = models.CharField(max_length=12, blank=True)
    rank = models.PositiveIntegerField(null=True)
    rank_of = models.PositiveIntegerField(null=True)
    coverage_present = models.PositiveSmallIntegerField(default=0)
    coverage_expected = models.PositiveSmallIntegerField(default=0)
    indicator_coverage = models.FloatField(null=True, help_text="Share of the subtree's slots")
    score_low = models.FloatField(null=True, help_text="5th percentile under alternatives")
    score_high = models.FloatField(null=True, help_text="95th percentile under alternatives")
    rank_low = models.FloatField(null=True)
    rank_high = models.FloatField(null=True)
    band_agreement = models.FloatField(null=True, help_text="Share of alternatives, same band")
    robust = models.BooleanField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["run", "place", "year"], name="score_run_place"),
            models.Index(
                fields=["run", "node_key", "year", "reference_set"], name="score_run_node"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.place_id} {self.node_key} {self.year}: {self.score}"

    @property
    def band_label(self) -> str:
        return BAND_LABELS.get(self.band, "")


class ScoreDriver(models.Model):
    """How much one indicator moved one node's score for one place and year."""

    run = models.ForeignKey(
        ScoringRun,
        on_delete=models.CASCADE,
        related_name="drivers",
        db_constraint=False,
        db_index=False,
    )
    place = models.ForeignKey(
        "places.Place",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    reference_set = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    node_key = models.CharField(max_length=120)
    level = models.CharField(max_length=12)
    slot_key = models.CharField(max_length=120)
    indicator_key = models.CharField(max_length=160)
    value = models.FloatField(null=True, help_text="The indicator's value used")
    data_period_start = models.DateField(null=True)
    data_period_end = models.DateField(null=True)
    z = models.FloatField(null=True)
    weight = models.FloatField(null=True)
    cap_factor = models.FloatField(null=True)
    contribution = models.FloatField(null=True, help_text="Points of the node's 0-10 score")
    contribution_uncapped = models.FloatField(null=True)
    score = models.FloatField(null=True)
    score_uncapped = models.FloatField(null=True)

    class Meta:
        indexes = [models.Index(fields=["run", "place", "year"], name="driver_run_place")]

    def __str__(self) -> str:
        return f"{self.place_id} {self.year} {self.slot_key} → {self.node_key}"


class ScoreFlag(models.Model):
    """A weak indicator hidden by an average above it (the index's masking problem)."""

    run = models.ForeignKey(
        ScoringRun,
        on_delete=models.CASCADE,
        related_name="flags",
        db_constraint=False,
        db_index=False,
    )
    place = models.ForeignKey(
        "places.Place",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    reference_set = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    slot_key = models.CharField(max_length=120)
    indicator_key = models.CharField(max_length=160)
    value = models.FloatField(null=True)
    z = models.FloatField(null=True)
    z_threshold = models.FloatField(null=True)
    bottom_decile = models.BooleanField(default=False)
    significantly_below = models.BooleanField(default=False)
    hidden_by = models.CharField(max_length=120, help_text="The node whose score hides it")
    hidden_by_level = models.CharField(max_length=12)
    hidden_by_score = models.FloatField(null=True)

    class Meta:
        indexes = [models.Index(fields=["run", "place", "year"], name="flag_run_place")]

    def __str__(self) -> str:
        return f"{self.place_id} {self.year} {self.slot_key} hidden by {self.hidden_by}"
