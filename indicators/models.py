"""The indicator catalogue, dataset releases, observations with provenance, import jobs."""

from django.conf import settings
from django.db import models

from indicators.periods import PERIOD_TYPES, period_label
from partnerships.models import Owned


class Polarity(models.TextChoices):
    HIGHER_IS_BETTER = "higher_better", "Higher is better"
    LOWER_IS_BETTER = "lower_better", "Lower is better"
    NEUTRAL = "neutral", "Neither (context)"


class Dataset(Owned):
    """A publication that is released over time (an ONS series, IoD, a partnership's file)."""

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=200)
    publisher = models.CharField(max_length=200, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    licence = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    is_local = models.BooleanField(
        default=False, help_text="Loaded by a partnership rather than a national release."
    )

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class DatasetRelease(models.Model):
    """One edition of a dataset. The newest is current; older ones stay for reproducibility."""

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="releases")
    label = models.CharField(max_length=120, help_text="e.g. snapshot date or edition")
    released_on = models.DateField(null=True, blank=True)
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the files imported")
    files = models.JSONField(default=list)
    is_current = models.BooleanField(default=True, db_index=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    row_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["dataset", "-imported_at"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "checksum"], name="unique_release_content"),
            models.UniqueConstraint(
                fields=["dataset"],
                condition=models.Q(is_current=True),
                name="one_current_release_per_dataset",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset.slug} {self.label}"


class Indicator(models.Model):
    """A measure with everything needed to read it honestly."""

    slug = models.SlugField(max_length=160, unique=True)
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="indicators")
    name = models.CharField(max_length=300)
    source_key = models.CharField(
        max_length=300, help_text="The indicator's name or column in the source file"
    )
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=120, blank=True)
    measure = models.CharField(max_length=200, blank=True)
    polarity = models.CharField(max_length=16, choices=Polarity.choices, default=Polarity.NEUTRAL)
    source_organisation = models.CharField(max_length=200, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    licence = models.CharField(max_length=200, blank=True)
    geography_levels = models.JSONField(default=list, blank=True)
    period_type = models.CharField(max_length=20, blank=True)
    decimal_places = models.PositiveSmallIntegerField(default=1)
    caveats = models.TextField(blank=True)
    release_date = models.DateField(null=True, blank=True)
    min_value = models.FloatField(null=True, blank=True, help_text="Smallest possible value")
    max_value = models.FloatField(null=True, blank=True, help_text="Largest possible value")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "source_key"], name="unique_source_key")
        ]

    def __str__(self) -> str:
        return self.name


class ObservationStatus(models.TextChoices):
    NORMAL = "", "Published"
    SUPPRESSED = "suppressed", "Suppressed or not available"
    PROVISIONAL = "provisional", "Provisional"
    ESTIMATED = "estimated", "Estimated"
    UNRELIABLE = "unreliable", "Low reliability"


class Observation(models.Model):
    """An indicator's value for a place and a period, from one dataset release and line."""

    # An append-only fact table written only by the import pipeline, which checks every
    # reference before writing. Database-level foreign keys would add a deferred trigger
    # per row (most of the cost of a multi-million-row COPY), and the composite indexes
    # below already lead with each reference, so neither constraints nor extra indexes.
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    place = models.ForeignKey(
        "places.Place",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    release = models.ForeignKey(
        DatasetRelease,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    period_start = models.DateField()
    period_end = models.DateField()
    period_type = models.CharField(max_length=20, choices=list(PERIOD_TYPES.items()))
    value = models.FloatField(null=True, blank=True)
    lower_ci = models.FloatField(null=True, blank=True)
    upper_ci = models.FloatField(null=True, blank=True)
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=ObservationStatus.choices, blank=True)
    note = models.CharField(max_length=500, blank=True)
    source_file = models.PositiveSmallIntegerField(
        default=0, help_text="Which of the release's files (index into release.files)"
    )
    source_line = models.PositiveIntegerField(help_text="Line in the source file (1 = header)")

    class Meta:
        # The pipeline rejects a second (indicator, place, period) in one release before
        # writing, so no unique index has to be maintained on every insert.
        indexes = [
            models.Index(fields=["indicator", "place", "period_start"], name="obs_indicator_place"),
            models.Index(fields=["place", "indicator"], name="obs_place_indicator"),
            models.Index(fields=["release"], name="obs_release"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.place_id} {self.period_label}: {self.value}"

    @property
    def period_label(self) -> str:
        return period_label(self.period_start, self.period_end, self.period_type)

    @property
    def source_file_name(self) -> str:
        """The file this value came from (needs ``release`` loaded)."""
        files = self.release.files or []
        return files[self.source_file] if self.source_file < len(files) else ""


class ImportStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    RUNNING = "running", "Running"
    DONE = "done", "Imported"
    UNCHANGED = "unchanged", "Already imported, nothing changed"
    REJECTED = "rejected", "Rejected, nothing written"
    FAILED = "failed", "Failed, nothing written"


class ImportJob(models.Model):
    """One attempt to import a file: progress while running, the full report after."""

    dataset = models.ForeignKey(
        Dataset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=40, help_text="Importer used (e.g. local, ons-els)")
    partnership = models.ForeignKey(
        "partnerships.Partnership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The partnership whose local data this is (empty for national releases)",
    )
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=12, choices=ImportStatus.choices, default=ImportStatus.PENDING, db_index=True
    )
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    rows_accepted = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    report = models.JSONField(default=dict, blank=True)
    release = models.ForeignKey(
        DatasetRelease, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import {self.pk} {self.kind} {self.status}"

    @property
    def percent_done(self) -> int | None:
        if not self.rows_total:
            return None
        return min(100, round(100 * self.rows_done / self.rows_total))
