"""Every app's API routes under /api/ (namespace ``api``)."""

from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("", include("places.api.urls")),
    path("", include("indicators.api.urls")),
    path("", include("scoring.api.urls")),
    path("", include("partnerships.api.urls")),
    path("", include("frameworks.api.urls")),
    path("", include("tpi_site.api_auth")),
]
