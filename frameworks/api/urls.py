from django.urls import path

from frameworks.api import views

urlpatterns = [
    path("frameworks/", views.FrameworkListView.as_view(), name="framework-list"),
    path("frameworks/<slug:key>/", views.FrameworkDetailView.as_view(), name="framework-detail"),
    path(
        "frameworks/<slug:key>/versions/<int:version>/",
        views.FrameworkVersionView.as_view(),
        name="framework-version",
    ),
    path(
        "frameworks/<slug:key>/definition/",
        views.FrameworkDefinitionView.as_view(),
        name="framework-definition",
    ),
    path(
        "frameworks/<slug:key>/publish/",
        views.FrameworkPublishView.as_view(),
        name="framework-publish",
    ),
    path(
        "frameworks/<slug:key>/score/", views.FrameworkScoreView.as_view(), name="framework-score"
    ),
]
