"""Which adapter reads which kind of import job, and the national datasets in load order."""

from pathlib import Path

from indicators.importing import Source
from indicators.models import ImportJob


def source_for(job: ImportJob) -> Source:
    """The adapter for a job: uploads use the documented local-data format."""
    if job.kind == "local":
        from indicators.sources.local import LocalFileSource

        return LocalFileSource(
            Path(job.file.path),
            original_name=job.original_name,
            dataset_slug=job.options.get("dataset_slug", ""),
            dataset_name=job.options.get("dataset_name", ""),
            partnership_id=job.partnership_id,
        )
    national = {source.dataset.slug: source for source in national_sources()}
    if job.kind in national:
        return national[job.kind]
    raise ValueError(f"No importer for kind {job.kind!r}")


def national_sources() -> list[Source]:
    """Every real national dataset, in the order load_baseline imports them."""
    from indicators.sources.fuel_poverty import FuelPovertySource
    from indicators.sources.iod import Iod2019Source, Iod2025Source, Wimd2019Source
    from indicators.sources.ons_els import OnsElsSource
    from indicators.sources.sdg import Pm25MortalitySource, WasteSource

    return [
        OnsElsSource(),
        Iod2019Source(),
        Iod2025Source(),
        Wimd2019Source(),
        Pm25MortalitySource(),
        WasteSource(),
        FuelPovertySource(),
    ]
