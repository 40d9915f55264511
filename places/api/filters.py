import django_filters
from django.db.models import Q

from places.models import Level, Place, RuralUrbanClass
from places.selectors import geography_year


class PlaceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Name contains, or exact GSS code")
    level = django_filters.ChoiceFilter(choices=Level.choices, method="filter_level")
    region = django_filters.CharFilter(field_name="region_id", label="Region GSS code")
    upper_tier = django_filters.CharFilter(field_name="upper_tier_id", label="County GSS code")
    rural_urban_class = django_filters.ChoiceFilter(choices=RuralUrbanClass.choices)
    year = django_filters.NumberFilter(
        method="filter_year", label="Only places in use in this year (default: the geography year)"
    )
    include_retired = django_filters.BooleanFilter(
        method="filter_noop", label="Include retired codes (ignores year)"
    )

    class Meta:
        model = Place
        fields = [
            "area_type",
            "nation",
            "cluster_global",
            "cluster_economic",
            "cluster_demographic",
            "is_core_city",
        ]

    @property
    def qs(self):
        queryset = super().qs
        data = self.form.cleaned_data if self.form.is_valid() else {}
        if not data.get("include_retired") and data.get("year") is None:
            queryset = queryset.valid_in(geography_year())
        return queryset

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(code__iexact=value) | Q(name__icontains=value))

    def filter_level(self, queryset, name, value):
        return queryset.at_level(value)

    def filter_year(self, queryset, name, value):
        return queryset.valid_in(int(value))

    def filter_noop(self, queryset, name, value):
        return queryset
