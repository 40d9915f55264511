from django.urls import URLPattern, URLResolver, path

from partnerships.api import views

PARTNERSHIP = "partnerships/<slug:partnership_slug>"

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "partnerships/",
        views.PartnershipViewSet.as_view({"get": "list"}),
        name="partnership-list",
    ),
    path(
        "partnerships/<slug:slug>/",
        views.PartnershipViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="partnership-detail",
    ),
    path(
        f"{PARTNERSHIP}/members/",
        views.MemberViewSet.as_view({"get": "list", "post": "create"}),
        name="partnership-member-list",
    ),
    path(
        f"{PARTNERSHIP}/members/<int:pk>/",
        views.MemberViewSet.as_view(
            {"get": "retrieve", "patch": "partial_update", "delete": "destroy"}
        ),
        name="partnership-member-detail",
    ),
    path(
        f"{PARTNERSHIP}/outcomes/",
        views.OutcomeViewSet.as_view({"get": "list", "post": "create"}),
        name="partnership-outcome-list",
    ),
    path(
        f"{PARTNERSHIP}/outcomes/<int:pk>/",
        views.OutcomeViewSet.as_view(
            {
                "get": "retrieve",
                "put": "update",
                "patch": "partial_update",
                "delete": "destroy",
            }
        ),
        name="partnership-outcome-detail",
    ),
    path(
        f"{PARTNERSHIP}/outcomes/<int:pk>/publication/",
        views.OutcomeViewSet.as_view({"post": "publication"}),
        name="partnership-outcome-publication",
    ),
    path(
        f"{PARTNERSHIP}/audit-events/",
        views.AuditEventViewSet.as_view({"get": "list"}),
        name="partnership-audit-event-list",
    ),
    path(
        "organisations/",
        views.OrganisationViewSet.as_view({"get": "list"}),
        name="organisation-list",
    ),
    path(
        "organisations/<int:pk>/",
        views.OrganisationViewSet.as_view({"get": "retrieve"}),
        name="organisation-detail",
    ),
]
