from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from explorer import compare_urls, drill_urls, map_urls

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/", include("tpi_site.api")),
    path(
        "",
        include(
            (
                [*map_urls.urlpatterns, *compare_urls.urlpatterns, *drill_urls.urlpatterns],
                "explorer",
            )
        ),
    ),
    path("accounts/", include("partnerships.account_urls")),
    path("", include("partnerships.urls")),
    path("", include("frameworks.urls")),
    path("", include("indicators.urls")),
    path("", include("places.urls")),
]
