"""factory_boy factories for the indicator catalogue."""

import factory

from indicators.models import Dataset, Indicator


class DatasetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dataset
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"local-dataset-{n}")
    name = factory.Sequence(lambda n: f"Local dataset {n}")
    publisher = "Test partnership"
    is_local = True


class IndicatorFactory(factory.django.DjangoModelFactory):
    """A local percentage indicator (0 to 100) by default."""

    class Meta:
        model = Indicator
        django_get_or_create = ("slug",)

    dataset = factory.SubFactory(DatasetFactory)
    slug = factory.Sequence(lambda n: f"local-indicator-{n}")
    name = factory.Sequence(lambda n: f"Local indicator {n}")
    source_key = factory.SelfAttribute("slug")
    unit = "%"
    measure = "Percentage"
    polarity = "lower_better"
    min_value = 0.0
    max_value = 100.0
