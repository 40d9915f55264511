"""Two partnerships with overlapping places, people in each role, and their frameworks.

Shared by the frameworks API tests and the schemathesis run (plain functions, not
fixtures, so either can build what it needs).
"""

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from frameworks.models import Framework, FrameworkVersion
from frameworks.services import framework_sync_definition
from indicators.models import Dataset, Indicator
from partnerships.models import Membership, Organisation, OrganisationKind, Partnership, Role
from places.models import Place

NORFOLK = "E10000020"
NORFOLK_DISTRICTS = [f"E0700014{n}" for n in range(3, 10)]
GREATER_NORWICH = ["E07000148", "E07000144", "E07000149"]  # Norwich, Broadland, South Norfolk
PASSWORD = "correct horse battery staple"


@dataclass
class Side:
    partnership: Partnership
    users: dict[str, Any] = field(default_factory=dict)
    framework: Framework | None = None
    indicator: Indicator | None = None

    def token(self, role: str) -> str:
        return Token.objects.get_or_create(user=self.users[role])[0].key


def _user(username: str) -> Any:
    return get_user_model().objects.create_user(
        username=username, email=f"{username}@example.org", password=PASSWORD
    )


def _definition(key: str, name: str, indicator: Indicator) -> dict[str, Any]:
    return {
        "id": key,
        "name": name,
        "headlines": [
            {
                "key": f"{key}-home",
                "label": "Home",
                "domains": [
                    {
                        "key": f"{key}-housing",
                        "label": "Housing",
                        "slots": [
                            {
                                "key": f"{key}-local-slot",
                                "label": "Local measure",
                                "indicator": indicator.slug,
                                "polarity": "lower_better",
                            }
                        ],
                    }
                ],
            }
        ],
    }


def make_side(slug: str, name: str, places: list[str], organisation: str, prefix: str) -> Side:
    partnership = Partnership.objects.create(slug=slug, name=name)
    partnership.places.set(Place.objects.filter(code__in=places))
    org = Organisation.objects.create(
        name=organisation, kind=OrganisationKind.COUNCIL, place_id=places[0]
    )
    partnership.organisations.add(org)
    side = Side(partnership=partnership)
    for role in (Role.VIEWER, Role.ANALYST, Role.ADMIN):
        user = _user(f"{prefix}-{role}")
        Membership.objects.create(partnership=partnership, user=user, organisation=org, role=role)
        side.users[str(role)] = user
    dataset = Dataset.objects.create(
        slug=f"{prefix}-local-data",
        name=f"{name} local data",
        publisher=organisation,
        is_local=True,
        partnership=partnership,
    )
    side.indicator = Indicator.objects.create(
        dataset=dataset,
        slug=f"{prefix}-damp-homes",
        name="Homes reported damp",
        source_key=f"{prefix}-damp-homes",
        unit="%",
        measure="Percentage",
        polarity="lower_better",
        min_value=0.0,
        max_value=100.0,
    )
    key = f"{prefix}-healthy-housing"
    version, _ = framework_sync_definition(_definition(key, "Healthy housing", side.indicator))
    framework = version.framework
    framework.partnership = partnership
    framework.created_by = side.users[Role.ANALYST]
    framework.save()
    side.framework = framework
    return side


def make_index() -> FrameworkVersion:
    """A tiny stand-in for the index: owned by nobody, visible to all."""
    dataset = Dataset.objects.create(slug="national-test-data", name="National", publisher="ONS")
    indicator = Indicator.objects.create(
        dataset=dataset,
        slug="national-fuel-poverty",
        name="Fuel poverty",
        source_key="national-fuel-poverty",
        unit="%",
        measure="Percentage",
        polarity="lower_better",
    )
    version, _ = framework_sync_definition(
        _definition("mini-index", "Mini index", indicator), is_index=True
    )
    return version


def make_world() -> tuple[Side, Side, Any]:
    """Norfolk (county + districts) and Greater Norwich, an outsider, and the index."""
    make_index()
    norfolk = make_side(
        "norfolk-healthy-homes",
        "Norfolk Healthy Homes Partnership",
        [NORFOLK, *NORFOLK_DISTRICTS],
        "Norfolk County Council",
        "nfk",
    )
    norwich = make_side(
        "greater-norwich",
        "Greater Norwich Partnership",
        GREATER_NORWICH,
        "Norwich City Council",
        "gn",
    )
    outsider = _user("outsider")
    return norfolk, norwich, outsider
