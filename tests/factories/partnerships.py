"""factory_boy factories for organisations, partnerships, people and outcomes, and a
two-partnership world with overlapping real places (Norfolk and Greater Norwich)."""

from dataclasses import dataclass, field
from typing import Any, cast

import factory
from django.contrib.auth import get_user_model

from frameworks.models import Framework, FrameworkNode, FrameworkVersion, NodeLevel
from indicators.models import Indicator
from partnerships.models import (
    Membership,
    Organisation,
    OrganisationKind,
    Outcome,
    Partnership,
    Role,
)
from places.models import Place
from tests.factories.indicators import DatasetFactory, IndicatorFactory

NORFOLK = "E10000020"
NORFOLK_DISTRICTS = [
    "E07000143",  # Breckland
    "E07000144",  # Broadland
    "E07000145",  # Great Yarmouth
    "E07000146",  # King's Lynn and West Norfolk
    "E07000147",  # North Norfolk
    "E07000148",  # Norwich
    "E07000149",  # South Norfolk
]
GREATER_NORWICH = ["E07000148", "E07000144", "E07000149"]  # Norwich, Broadland, South Norfolk
PASSWORD = "a long enough test password"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.VCSE


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"partnership-{n}")
    name = factory.Sequence(lambda n: f"Partnership {n}")

    place_codes = factory.PostGeneration(
        lambda obj, create, codes, **kw: (
            obj.places.set(Place.objects.filter(code__in=codes)) if create and codes else None
        )
    )
    member_organisations = factory.PostGeneration(
        lambda obj, create, orgs, **kw: obj.organisations.set(orgs) if create and orgs else None
    )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    partnership = factory.SubFactory(PartnershipFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.VIEWER


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Outcome {n}")


def framework_with_nodes(
    *, key: str, partnership: Partnership | None, node_keys: list[str], name: str = ""
) -> Framework:
    """A one-version framework: a domain holding one indicator slot per further key."""
    framework = Framework.objects.create(
        key=key, name=name or key.replace("-", " ").capitalize(), partnership=partnership
    )
    version = FrameworkVersion.objects.create(
        framework=framework, version=1, definition={"id": key}, checksum=key
    )
    domain, *slots = node_keys
    FrameworkNode.objects.create(
        version=version, key=domain, level=NodeLevel.DOMAIN, label=domain, position=0
    )
    for position, slot in enumerate(slots, start=1):
        FrameworkNode.objects.create(
            version=version,
            key=slot,
            parent_key=domain,
            level=NodeLevel.INDICATOR,
            label=slot,
            position=position,
        )
    return framework


@dataclass
class Side:
    """One partnership with a person in each role, an organisation per kind used, and
    its own framework and local indicator."""

    partnership: Partnership
    framework: Framework
    indicator: Indicator
    users: dict[str, Any] = field(default_factory=dict)
    organisations: list[Organisation] = field(default_factory=list)


@dataclass
class World:
    norfolk: Side
    norwich: Side
    outsider: Any
    national_framework: Framework
    national_indicator: Indicator


def _side(
    *, slug: str, name: str, places: list[str], prefix: str, organisations: list[tuple[str, str]]
) -> Side:
    orgs = [
        cast(Organisation, OrganisationFactory(name=org_name, kind=kind))
        for org_name, kind in organisations
    ]
    partnership = cast(
        Partnership,
        PartnershipFactory(slug=slug, name=name, place_codes=places, member_organisations=orgs),
    )
    dataset = DatasetFactory(
        slug=f"{prefix}-local", name=f"{name} local data", partnership=partnership
    )
    indicator = cast(
        Indicator,
        IndicatorFactory(
            dataset=dataset, slug=f"{prefix}-damp-homes", name=f"Damp homes ({prefix})"
        ),
    )
    framework = framework_with_nodes(
        key=f"{prefix}-healthy-housing",
        partnership=partnership,
        node_keys=[f"{prefix}-housing", f"{prefix}-damp"],
        name=f"Healthy housing ({prefix})",
    )
    side = Side(
        partnership=partnership, framework=framework, indicator=indicator, organisations=orgs
    )
    for role in (Role.VIEWER, Role.ANALYST, Role.ADMIN):
        user = UserFactory(username=f"{prefix}-{role}")
        MembershipFactory(partnership=partnership, user=user, role=role, organisation=orgs[0])
        side.users[str(role)] = user
    return side


def two_partnerships() -> World:
    """Norfolk (county and its seven districts) and Greater Norwich (three of them)."""
    national_dataset = DatasetFactory(slug="national-test", name="National", is_local=False)
    national_indicator = cast(
        Indicator,
        IndicatorFactory(dataset=national_dataset, slug="fuel-poverty-test", name="Fuel poverty"),
    )
    national = framework_with_nodes(
        key="mini-index", partnership=None, node_keys=["health", "health-fuel"], name="Mini index"
    )
    norfolk = _side(
        slug="norfolk-healthy-homes",
        name="Norfolk Healthy Homes Partnership",
        places=[NORFOLK, *NORFOLK_DISTRICTS],
        prefix="nfk",
        organisations=[
            ("Norfolk County Council", OrganisationKind.COUNCIL),
            ("Norfolk and Waveney Integrated Care Board", OrganisationKind.NHS),
            ("Norfolk Constabulary", OrganisationKind.POLICE),
            ("Community Action Norfolk", OrganisationKind.VCSE),
        ],
    )
    norwich = _side(
        slug="greater-norwich",
        name="Greater Norwich Partnership",
        places=GREATER_NORWICH,
        prefix="gn",
        organisations=[
            ("Norwich City Council", OrganisationKind.COUNCIL),
            ("Broadland District Council", OrganisationKind.COUNCIL),
            ("Norwich Housing Society", OrganisationKind.VCSE),
        ],
    )
    outsider = UserFactory(username="outsider")
    return World(
        norfolk=norfolk,
        norwich=norwich,
        outsider=outsider,
        national_framework=national,
        national_indicator=national_indicator,
    )
