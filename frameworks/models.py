"""Outcome frameworks: the index's tree and (later) bespoke ones, versioned.

A framework's structure is stored per version, so scores always point at the exact tree
they were computed with; an edit makes a new version.
"""

from django.conf import settings
from django.db import models

from partnerships.models import Owned


class Framework(Owned):
    key = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    source = models.TextField(blank=True, help_text="Where the structure comes from")
    is_index = models.BooleanField(
        default=False, help_text="A published index (the baseline), not a partnership's own"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class FrameworkVersion(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    definition = models.JSONField(help_text="The declarative definition this version was made from")
    checksum = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["framework", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "version"], name="unique_framework_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.framework.key} v{self.version}"


class NodeLevel(models.TextChoices):
    HEADLINE = "headline", "Headline element"
    DOMAIN = "domain", "Domain"
    SUBDOMAIN = "subdomain", "Subdomain"
    INDICATOR = "indicator", "Indicator slot"


class FrameworkNode(models.Model):
    """A node of one version's tree; indicator slots name the real indicator filling them."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="nodes")
    key = models.CharField(max_length=120)
    parent_key = models.CharField(max_length=120, blank=True)
    level = models.CharField(max_length=12, choices=NodeLevel.choices)
    label = models.CharField(max_length=300)
    position = models.PositiveIntegerField(default=0)
    description = models.TextField(blank=True)
    indicator = models.ForeignKey(
        "indicators.Indicator",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="framework_slots",
    )
    derived_key = models.CharField(
        max_length=120, blank=True, help_text="A derived measure (e.g. an equality gap) instead"
    )
    polarity = models.SmallIntegerField(default=1, help_text="+1 higher is better, -1 lower")
    weight = models.FloatField(
        default=1.0, help_text="Relative weight among its siblings (the index uses 1 for all)"
    )
    transform = models.CharField(max_length=8, default="none")
    stands_in_for = models.CharField(max_length=300, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="unique_node_key_in_version")
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.key}"

    @property
    def has_data(self) -> bool:
        return self.level != NodeLevel.INDICATOR or bool(self.indicator_id or self.derived_key)
