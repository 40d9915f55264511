from django.urls import URLPattern, URLResolver, path

from frameworks import views

app_name = "frameworks"

urlpatterns: list[URLPattern | URLResolver] = [
    path("frameworks/", views.framework_list, name="list"),
    path("frameworks/<slug:key>/", views.framework_detail, name="detail"),
    path("frameworks/<slug:key>/edit/", views.framework_edit, name="edit"),
    path("frameworks/<slug:key>/score/", views.framework_score, name="score"),
    path("frameworks/<slug:key>/publish/", views.framework_publish, name="publish"),
    path("frameworks/<slug:key>/runs/<int:run_id>/", views.run_detail, name="run"),
    path("partnerships/<slug:slug>/frameworks/new/", views.framework_new, name="new"),
    path(
        "partnerships/<slug:slug>/indicators/new/",
        views.local_indicator_new,
        name="local-indicator-new",
    ),
    path(
        "partnerships/<slug:slug>/indicators/<slug:indicator>/upload/",
        views.local_indicator_upload,
        name="local-indicator-upload",
    ),
]
