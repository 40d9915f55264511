"""ONS geography: places, their hierarchy over time, code changes, comparators and boundaries."""

from django.db import models
from django.db.models import Q


class AreaType(models.TextChoices):
    """The kind of statistical area, read from the first three characters of its GSS code."""

    UK = "uk", "United Kingdom"
    COUNTRY = "country", "Country"
    REGION = "region", "Region"
    COMBINED_AUTHORITY = "combined_authority", "Combined authority"
    METROPOLITAN_COUNTY = "metropolitan_county", "Metropolitan county"
    COUNTY = "county", "County"
    UNITARY = "unitary", "Unitary authority"
    METROPOLITAN_DISTRICT = "metropolitan_district", "Metropolitan district"
    LONDON_BOROUGH = "london_borough", "London borough"
    DISTRICT = "district", "Non-metropolitan district"
    WELSH_UNITARY = "welsh_unitary", "Welsh principal area"
    SCOTTISH_COUNCIL = "scottish_council", "Scottish council area"
    NI_DISTRICT = "ni_district", "Northern Ireland district"
    LSOA = "lsoa", "Lower layer super output area"


class Level(models.TextChoices):
    """Levels people filter by; a unitary authority is at both council tiers."""

    COUNTRY = "country", "Country"
    REGION = "region", "Region"
    COMBINED_AUTHORITY = "combined_authority", "Combined authority"
    UPPER_TIER = "upper_tier", "Upper-tier authority"
    LOWER_TIER = "lower_tier", "Lower-tier authority"
    SMALL_AREA = "small_area", "Small area"


class Nation(models.TextChoices):
    ENGLAND = "E", "England"
    WALES = "W", "Wales"
    SCOTLAND = "S", "Scotland"
    NORTHERN_IRELAND = "N", "Northern Ireland"
    UK = "K", "United Kingdom"


class RuralUrbanClass(models.TextChoices):
    """mySociety's composite rural-urban classification (open substitute for ONS RUC)."""

    URBAN = "urban", "Urban"
    URBAN_WITH_RURAL = "urban_with_rural", "Urban with rural areas"
    RURAL = "rural", "Rural"
    SPARSE_AND_RURAL = "sparse_and_rural", "Sparse and rural"


class PlaceQuerySet(models.QuerySet["Place"]):
    def valid_in(self, year: int) -> "PlaceQuerySet":
        """Places that existed at some point in the given year."""
        return self.filter(
            Q(start_year__isnull=True) | Q(start_year__lte=year),
            Q(end_year__isnull=True) | Q(end_year__gte=year),
        )

    def current(self) -> "PlaceQuerySet":
        return self.filter(end_year__isnull=True)

    def at_level(self, level: str) -> "PlaceQuerySet":
        return self.filter(level_q(level))

    def councils(self) -> "PlaceQuerySet":
        return self.filter(Q(is_upper_tier=True) | Q(is_lower_tier=True))


def level_q(level: str) -> Q:
    """A filter for one level: tiers are flags because a unitary sits at both."""
    match level:
        case Level.UPPER_TIER:
            return Q(is_upper_tier=True)
        case Level.LOWER_TIER:
            return Q(is_lower_tier=True)
        case Level.COUNTRY:
            return Q(area_type=AreaType.COUNTRY)
        case Level.REGION:
            return Q(area_type=AreaType.REGION)
        case Level.COMBINED_AUTHORITY:
            return Q(area_type=AreaType.COMBINED_AUTHORITY)
        case Level.SMALL_AREA:
            return Q(area_type=AreaType.LSOA)
    raise ValueError(f"Unknown level {level!r}; expected one of {', '.join(Level.values)}.")


class Place(models.Model):
    """A statistical area identified by its GSS code, with its parents at each level.

    A unitary, metropolitan district or London borough is its own upper tier
    (``upper_tier`` points at itself), so "the county of X" is always ``X.upper_tier``.
    """

    code = models.CharField(primary_key=True, max_length=9, help_text="GSS code")
    name = models.CharField(max_length=120, db_index=True)
    area_type = models.CharField(max_length=32, choices=AreaType.choices, db_index=True)
    nation = models.CharField(max_length=1, choices=Nation.choices, db_index=True)
    is_upper_tier = models.BooleanField(default=False, db_index=True)
    is_lower_tier = models.BooleanField(default=False, db_index=True)
    start_year = models.PositiveSmallIntegerField(null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Last year the code was in use; empty if current."
    )

    country = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="region_members"
    )
    combined_authority = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="ca_members"
    )
    upper_tier = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lower_tier_members",
        help_text="County of a district; itself for a unitary authority.",
    )
    lower_tier = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="small_areas",
        help_text="The council a small area (LSOA) lies in.",
    )

    rural_urban_class = models.CharField(
        max_length=20, choices=RuralUrbanClass.choices, blank=True, db_index=True
    )
    share_highly_rural = models.FloatField(null=True, blank=True)
    share_rural = models.FloatField(null=True, blank=True)
    share_urban = models.FloatField(null=True, blank=True)
    cluster_global = models.CharField(max_length=1, blank=True)
    cluster_economic = models.CharField(max_length=1, blank=True)
    cluster_demographic = models.CharField(max_length=1, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(null=True, blank=True)
    area_km2 = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    register_code = models.CharField(
        max_length=4, blank=True, help_text="mySociety / ISO 3166-2:GB three-letter code"
    )
    is_core_city = models.BooleanField(default=False)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        indexes = [
            models.Index(fields=["area_type", "end_year"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_current(self) -> bool:
        return self.end_year is None

    @property
    def is_unitary(self) -> bool:
        return self.is_upper_tier and self.is_lower_tier

    @property
    def levels(self) -> list[str]:
        found = []
        if self.is_upper_tier:
            found.append(Level.UPPER_TIER.value)
        if self.is_lower_tier:
            found.append(Level.LOWER_TIER.value)
        for level, area_type in (
            (Level.COUNTRY, AreaType.COUNTRY),
            (Level.REGION, AreaType.REGION),
            (Level.COMBINED_AUTHORITY, AreaType.COMBINED_AUTHORITY),
            (Level.SMALL_AREA, AreaType.LSOA),
        ):
            if self.area_type == area_type:
                found.append(level.value)
        return found


class ChangeType(models.TextChoices):
    MERGER = "merger", "Merged into a new area"
    NEW_CODE = "new_code", "Same area, new code"
    NEW_GEOGRAPHY = "new_geo", "Joined a new area (e.g. a combined authority)"
    TERMINATION = "termination", "Abolished, no single successor"


class CodeChange(models.Model):
    """One row of the ONS code-change table: how an old code maps (or not) to a new one."""

    old_code = models.CharField(max_length=9, db_index=True)
    old_name = models.CharField(max_length=120)
    new_code = models.CharField(max_length=9, blank=True, db_index=True)
    new_name = models.CharField(max_length=120, blank=True)
    change_type = models.CharField(max_length=16, choices=ChangeType.choices)
    year = models.PositiveSmallIntegerField(help_text="Year the change took effect")

    class Meta:
        ordering = ["year", "old_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["old_code", "new_code", "change_type", "year"], name="unique_code_change"
            )
        ]

    def __str__(self) -> str:
        return f"{self.old_code} → {self.new_code or '—'} ({self.change_type}, {self.year})"


class NeighbourKind(models.TextChoices):
    GLOBAL = "global", "Overall (ONS global)"
    ECONOMIC = "economic", "Economic"
    DEMOGRAPHIC = "demographic", "Demographic"


class SimilarArea(models.Model):
    """ONS 'similar areas' (Explore Local Statistics), the open alternative to CIPFA."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="similar_areas")
    neighbour = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=NeighbourKind.choices)
    rank = models.PositiveSmallIntegerField(help_text="1 = most similar")

    class Meta:
        ordering = ["place", "kind", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["place", "kind", "rank"], name="unique_neighbour_rank"),
            models.UniqueConstraint(
                fields=["place", "kind", "neighbour"], name="unique_neighbour_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.place_id} {self.kind} #{self.rank}: {self.neighbour_id}"


class Boundary(models.Model):
    """A place's outline for one boundary year, as a GeoJSON geometry in WGS84."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="boundaries")
    year = models.PositiveSmallIntegerField()
    layer = models.CharField(max_length=8, help_text="Source layer: ctry, rgn, cauth, utla, ltla")
    geometry = models.JSONField()

    class Meta:
        ordering = ["place", "year"]
        constraints = [
            models.UniqueConstraint(fields=["place", "year", "layer"], name="unique_boundary"),
        ]

    def __str__(self) -> str:
        return f"{self.place_id} {self.layer} {self.year}"


class PlaceName(models.Model):
    """A lower-cased name variant that identifies a council (mySociety's name lookup)."""

    name = models.CharField(max_length=200, unique=True)
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="names")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} → {self.place_id}"


class SourceLoad(models.Model):
    """Which version of a source file set has been loaded, so a re-run can skip it."""

    source = models.CharField(max_length=64, unique=True)
    checksum = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now=True)
    summary = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.source} @ {self.checksum[:12]}"
