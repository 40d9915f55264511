"""Seed the demo: two Norfolk partnerships with overlapping places, real organisations,
people in every role, a local indicator loaded through the import pipeline, the Healthy
housing framework built from catalogue indicators, two shared outcomes, and its scores.

Idempotent: running it again changes nothing that is already there. It refuses to run
under the production settings (it creates accounts with a known password).
"""

import csv
import io
import os
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from frameworks.bespoke import (
    bespoke_framework_create,
    bespoke_framework_save,
    bespoke_framework_score,
    latest_version,
    local_indicator_create,
    local_indicators_of,
)
from frameworks.models import Framework
from indicators.jobs import import_job_create
from indicators.models import ImportStatus, Indicator, Observation, Polarity
from partnerships.models import Membership, Organisation, OrganisationKind, Outcome, Partnership
from places.models import Place
from scoring.models import RunStatus, ScoringRun

PRODUCTION_SETTINGS = "tpi_site.settings.production"
DEFAULT_PASSWORD = "thriving-places-demo"  # noqa: S105 - demo accounts, never in production

NORFOLK = "E10000020"
NORFOLK_DISTRICTS = [f"E0700014{n}" for n in range(3, 10)]  # E07000143-E07000149
GREATER_NORWICH = ["E07000148", "E07000144", "E07000149"]  # Norwich, Broadland, S Norfolk

ORGANISATIONS: list[tuple[str, str, str | None, str]] = [
    ("Norfolk County Council", OrganisationKind.COUNCIL, NORFOLK, "https://www.norfolk.gov.uk/"),
    ("Breckland Council", OrganisationKind.COUNCIL, "E07000143", "https://www.breckland.gov.uk/"),
    (
        "Broadland District Council",
        OrganisationKind.COUNCIL,
        "E07000144",
        "https://www.southnorfolkandbroadland.gov.uk/",
    ),
    (
        "Great Yarmouth Borough Council",
        OrganisationKind.COUNCIL,
        "E07000145",
        "https://www.great-yarmouth.gov.uk/",
    ),
    (
        "Borough Council of King's Lynn and West Norfolk",
        OrganisationKind.COUNCIL,
        "E07000146",
        "https://www.west-norfolk.gov.uk/",
    ),
    (
        "North Norfolk District Council",
        OrganisationKind.COUNCIL,
        "E07000147",
        "https://www.north-norfolk.gov.uk/",
    ),
    ("Norwich City Council", OrganisationKind.COUNCIL, "E07000148", "https://www.norwich.gov.uk/"),
    (
        "South Norfolk Council",
        OrganisationKind.COUNCIL,
        "E07000149",
        "https://www.southnorfolkandbroadland.gov.uk/",
    ),
    (
        "NHS Norfolk and Waveney Integrated Care Board",
        OrganisationKind.NHS,
        None,
        "https://improvinglivesnw.org.uk/",
    ),
    ("Norfolk Constabulary", OrganisationKind.POLICE, None, "https://www.norfolk.police.uk/"),
    (
        "Norfolk Community Foundation",
        OrganisationKind.VCSE,
        None,
        "https://www.norfolkfoundation.com/",
    ),
    ("Age UK Norwich", OrganisationKind.VCSE, None, "https://www.ageuk.org.uk/norwich/"),
]

PARTNERSHIPS: list[dict[str, Any]] = [
    {
        "slug": "norfolk-healthy-homes",
        "name": "Norfolk Healthy Homes Partnership",
        "description": "Norfolk's councils, the NHS, police and voluntary sector working on "
        "warm, safe and affordable homes as a route to better health.",
        "places": [NORFOLK, *NORFOLK_DISTRICTS],
        "organisations": [
            "Norfolk County Council",
            "Breckland Council",
            "Broadland District Council",
            "Great Yarmouth Borough Council",
            "Borough Council of King's Lynn and West Norfolk",
            "North Norfolk District Council",
            "Norwich City Council",
            "South Norfolk Council",
            "NHS Norfolk and Waveney Integrated Care Board",
            "Norfolk Constabulary",
            "Norfolk Community Foundation",
        ],
        "people": [
            ("norfolk-admin", "admin", "Norfolk County Council"),
            ("norfolk-analyst", "analyst", "Norfolk County Council"),
            ("norfolk-viewer", "viewer", "NHS Norfolk and Waveney Integrated Care Board"),
        ],
    },
    {
        "slug": "greater-norwich",
        "name": "Greater Norwich Partnership",
        "description": "Norwich, Broadland and South Norfolk councils with health and "
        "voluntary-sector partners, planning for the Greater Norwich area.",
        "places": GREATER_NORWICH,
        "organisations": [
            "Norwich City Council",
            "Broadland District Council",
            "South Norfolk Council",
            "Norfolk County Council",
            "NHS Norfolk and Waveney Integrated Care Board",
            "Age UK Norwich",
        ],
        "people": [
            ("norwich-admin", "admin", "Norwich City Council"),
            ("norwich-analyst", "analyst", "Broadland District Council"),
            ("norwich-viewer", "viewer", "Age UK Norwich"),
        ],
    },
]

LOCAL_INDICATOR = {
    "name": "Homes in poor condition or without central heating (IoD indoors sub-domain)",
    "unit": "proportion (0–1)",
    "polarity": Polarity.LOWER_IS_BETTER,
    "description": (
        "Extent of deprivation on the 'indoors' living-environment sub-domain of the English "
        "Indices of Deprivation 2019 (housing in poor condition; houses without central "
        "heating): the population-weighted share of a district's residents living in the most "
        "deprived small areas. Source: MHCLG English Indices of Deprivation 2019, aggregated "
        "to 2023 districts by the humaniverse/IMD package (Open Government Licence v3.0), "
        "file iod-deprivation/imd2019_england_ltla23_subdomains.csv, column Indoors_Extent. "
        "Dated 2015/16 like the rest of IoD 2019. Loaded by the partnership as local data for "
        "every English district, so that similar areas can be compared."
    ),
}
LOCAL_PERIOD = "2015/16"
LOCAL_FILE = "norfolk-indoors-living-environment-iod2019.csv"

OUTCOMES: list[dict[str, Any]] = [
    {
        "title": "Fewer households in cold, damp and poorly heated homes",
        "description": "Target retrofit, heating and repair help at the households the "
        "councils and primary care both see at risk, so fewer people live in fuel poverty.",
        "lead": "Norfolk County Council",
        "contributors": [
            "Norwich City Council",
            "Great Yarmouth Borough Council",
            "North Norfolk District Council",
            "NHS Norfolk and Waveney Integrated Care Board",
            "Norfolk Community Foundation",
        ],
        "node_keys": ["warm-efficient-homes"],
        "indicators": ["fuel-poverty-lilee", "@local"],
    },
    {
        "title": "Fewer preventable deaths from heart and circulatory disease",
        "description": "Housing, public health and primary care act together on cold homes "
        "and poor living environments, which raise cardiovascular risk.",
        "lead": "NHS Norfolk and Waveney Integrated Care Board",
        "contributors": [
            "Norfolk County Council",
            "Breckland Council",
            "Borough Council of King's Lynn and West Norfolk",
            "Norfolk Community Foundation",
        ],
        "node_keys": ["healthy-places"],
        "indicators": ["preventable-cardiovascular-mortality-england"],
    },
]


def healthy_housing_definition(local_slug: str) -> dict[str, Any]:
    """Healthy housing: three groups from the catalogue plus the local indicator."""

    def slot(key: str, label: str, indicator: str, weight: float = 1.0) -> dict[str, Any]:
        return {
            "key": key,
            "label": label,
            "indicator": indicator,
            "polarity": "lower_better",
            "weight": weight,
        }

    return {
        "name": "Healthy housing",
        "description": "Affordable, warm and healthy homes across Norfolk and its districts: "
        "the housing conditions that primary care and the housing authorities can target "
        "together.",
        "headlines": [
            {
                "key": "overall",
                "label": "Healthy housing",
                "weight": 1.0,
                "domains": [
                    {
                        "key": "affordable-homes",
                        "label": "Affordable homes",
                        "weight": 1.0,
                        "slots": [
                            slot(
                                "housing-affordability-ratio",
                                "Housing affordability ratio",
                                "housing-affordability-ratio",
                            )
                        ],
                    },
                    {
                        "key": "warm-efficient-homes",
                        "label": "Warm, efficient homes",
                        "weight": 2.0,
                        "subdomains": [
                            {
                                "key": "fuel-poverty-condition",
                                "label": "Fuel poverty and home condition",
                                "weight": 1.0,
                                "slots": [
                                    slot(
                                        "fuel-poverty-lilee",
                                        "Fuel poverty (low income, low energy efficiency)",
                                        "fuel-poverty-lilee",
                                    ),
                                    slot(
                                        "homes-poor-condition-local",
                                        "Homes in poor condition or without central heating "
                                        "(local)",
                                        local_slug,
                                    ),
                                ],
                            },
                            {
                                "key": "domestic-energy-use",
                                "label": "Domestic energy use",
                                "weight": 1.0,
                                "slots": [
                                    slot(
                                        "domestic-gas-consumption",
                                        "Domestic gas use per meter",
                                        "domestic-gas-consumption",
                                    ),
                                    slot(
                                        "domestic-electricity-consumption",
                                        "Domestic electricity use per meter",
                                        "domestic-electricity-consumption",
                                    ),
                                ],
                            },
                        ],
                    },
                    {
                        "key": "healthy-places",
                        "label": "Health and living environment",
                        "weight": 1.0,
                        "slots": [
                            slot(
                                "preventable-cardiovascular-mortality",
                                "Preventable cardiovascular mortality",
                                "preventable-cardiovascular-mortality-england",
                            ),
                            slot(
                                "iod-living-environment",
                                "IoD 2025 living environment (average score)",
                                "iod2025-living-environment-average-score",
                            ),
                        ],
                    },
                ],
            }
        ],
    }


NATIONAL_SLUGS = [
    "housing-affordability-ratio",
    "fuel-poverty-lilee",
    "domestic-gas-consumption",
    "domestic-electricity-consumption",
    "preventable-cardiovascular-mortality-england",
    "iod2025-living-environment-average-score",
]


def local_indicator_csv(slug: str, data_dir: Path) -> bytes:
    """Local-format CSV of the IoD 2019 indoors sub-domain extent, one row per district
    that existed in 2015/16 (the 2023 unitaries had no districts' data then)."""
    source = data_dir / "iod-deprivation" / "imd2019_england_ltla23_subdomains.csv"
    existing = set(
        Place.objects.filter(code__startswith="E")
        .exclude(start_year__gt=2016)
        .values_list("code", flat=True)
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["place", "indicator", "period", "value", "note"])
    with source.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["ltla23_code"] in existing:
                writer.writerow(
                    [
                        row["ltla23_code"],
                        slug,
                        LOCAL_PERIOD,
                        f"{float(row['Indoors_Extent']):.6f}",
                        "IoD 2019 indoors sub-domain extent",
                    ]
                )
    return buffer.getvalue().encode("utf-8")


class Command(BaseCommand):
    help = "Create the demo partnerships, people, local data, Healthy housing and its scores."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-score", action="store_true", help="Do not score the framework.")

    def handle(self, *args: Any, no_score: bool = False, **options: Any) -> None:
        if settings.SETTINGS_MODULE == PRODUCTION_SETTINGS:
            raise CommandError("seed_demo creates demo accounts; it does not run in production.")
        began = time.perf_counter()
        missing = sorted(
            set(NATIONAL_SLUGS)
            - set(Indicator.objects.filter(slug__in=NATIONAL_SLUGS).values_list("slug", flat=True))
        )
        if missing:
            raise CommandError(
                f"The catalogue lacks {', '.join(missing)}: import the national datasets first "
                "(manage.py load_baseline or import_datasets)."
            )
        with transaction.atomic():
            organisations = self._organisations()
            partnerships, people = self._partnerships(organisations)
        norfolk = partnerships["norfolk-healthy-homes"]
        analyst = people["norfolk-analyst"]
        local = self._local_indicator(norfolk, analyst)
        framework = self._framework(norfolk, analyst, local)
        self._outcomes(norfolk, people["norfolk-admin"], framework, organisations, local)
        if not no_score:
            self._score(framework, analyst)
        self.stdout.write(f"Demo seeded in {time.perf_counter() - began:.1f}s")

    # Steps ---------------------------------------------------------------------------

    def _organisations(self) -> dict[str, Organisation]:
        found = {}
        for name, kind, place, website in ORGANISATIONS:
            organisation, _ = Organisation.objects.get_or_create(
                name=name, defaults={"kind": kind, "place_id": place, "website": website}
            )
            found[name] = organisation
        return found

    def _partnerships(
        self, organisations: dict[str, Organisation]
    ) -> tuple[dict[str, Partnership], dict[str, Any]]:
        password = os.environ.get("TPI_DEMO_PASSWORD") or DEFAULT_PASSWORD
        user_model = get_user_model()
        partnerships, people = {}, {}
        for spec in PARTNERSHIPS:
            partnership, created = Partnership.objects.get_or_create(
                slug=spec["slug"],
                defaults={"name": spec["name"], "description": spec["description"]},
            )
            if created:
                partnership.places.set(Place.objects.filter(code__in=spec["places"]))
                partnership.organisations.set([organisations[n] for n in spec["organisations"]])
                self.stdout.write(f"Partnership {partnership.name} created")
            partnerships[spec["slug"]] = partnership
            for username, role, organisation in spec["people"]:
                user, made = user_model.objects.get_or_create(
                    username=username, defaults={"email": f"{username}@example.org"}
                )
                if made:
                    user.set_password(password)
                    user.save(update_fields=["password"])
                Membership.objects.get_or_create(
                    partnership=partnership,
                    user=user,
                    defaults={"role": role, "organisation": organisations[organisation]},
                )
                people[username] = user
        return partnerships, people

    def _local_indicator(self, partnership: Partnership, actor: Any) -> Indicator:
        indicator = local_indicators_of(partnership).filter(name=LOCAL_INDICATOR["name"]).first()
        if indicator is None:
            indicator = local_indicator_create(
                partnership=partnership, actor=actor, **LOCAL_INDICATOR
            )
        dataset = indicator.dataset
        if not Observation.objects.filter(indicator=indicator, release__is_current=True).exists():
            content = local_indicator_csv(indicator.slug, Path(settings.TPI_DATA_DIR))
            job = import_job_create(
                kind="local",
                uploaded_file=SimpleUploadedFile(LOCAL_FILE, content, content_type="text/csv"),
                options={"dataset_slug": dataset.slug, "dataset_name": dataset.name},
                user=actor,
                partnership=partnership,
            )
            job.refresh_from_db()
            if job.status == ImportStatus.PENDING:
                self.stdout.write(f"Local data queued as import job {job.pk}")
            elif job.status not in {ImportStatus.DONE, ImportStatus.UNCHANGED}:
                raise CommandError(f"The local file was not imported: {job.error}")
            else:
                self.stdout.write(f"Local indicator {indicator.slug}: {job.rows_accepted} rows")
        return indicator

    def _framework(self, partnership: Partnership, actor: Any, local: Indicator) -> Framework:
        framework = Framework.objects.filter(
            partnership=partnership, name="Healthy housing"
        ).first()
        if framework is None:
            framework = bespoke_framework_create(
                partnership=partnership, name="Healthy housing", actor=actor
            )
        if latest_version(framework) is None:
            version, _ = bespoke_framework_save(
                framework=framework, definition=healthy_housing_definition(local.slug), actor=actor
            )
            self.stdout.write(f"Healthy housing v{version.version} saved ({framework.key})")
        return framework

    def _outcomes(
        self,
        partnership: Partnership,
        actor: Any,
        framework: Framework,
        organisations: dict[str, Organisation],
        local: Indicator,
    ) -> None:
        from partnerships.services import outcome_create

        for position, spec in enumerate(OUTCOMES, start=1):
            if Outcome.objects.filter(partnership=partnership, title=spec["title"]).exists():
                continue
            outcome_create(
                actor=actor,
                partnership=partnership,
                title=spec["title"],
                description=spec["description"],
                lead_organisation=organisations[spec["lead"]].pk,
                contributors=[organisations[n].pk for n in spec["contributors"]],
                framework=framework.key,
                node_keys=spec["node_keys"],
                indicators=[local.slug if s == "@local" else s for s in spec["indicators"]],
                position=position,
            )

    def _score(self, framework: Framework, actor: Any) -> None:
        version = latest_version(framework)
        if ScoringRun.objects.filter(
            framework_version=version, status=RunStatus.DONE, is_current=True
        ).exists():
            return
        began = time.perf_counter()
        run = bespoke_framework_score(framework=framework, actor=actor)
        refreshed = ScoringRun.objects.filter(pk=run.pk).first()
        if refreshed is None:  # merged into an identical earlier run
            self.stdout.write("Healthy housing: scores unchanged")
            return
        self.stdout.write(
            f"Healthy housing scored: run {refreshed.pk} {refreshed.status} "
            f"in {time.perf_counter() - began:.1f}s"
        )
