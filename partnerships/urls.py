from django.urls import URLPattern, URLResolver, path

from partnerships import views

app_name = "partnerships"

urlpatterns: list[URLPattern | URLResolver] = [
    path("partnerships/", views.partnership_list, name="list"),
    path("partnerships/<slug:slug>/", views.partnership_dashboard, name="dashboard"),
    path("partnerships/<slug:slug>/edit/", views.partnership_edit, name="edit"),
    path("partnerships/<slug:slug>/members/", views.member_list, name="members"),
    path(
        "partnerships/<slug:slug>/members/<int:pk>/role/",
        views.member_role,
        name="member-role",
    ),
    path(
        "partnerships/<slug:slug>/members/<int:pk>/remove/",
        views.member_remove,
        name="member-remove",
    ),
    path("partnerships/<slug:slug>/outcomes/", views.outcome_list, name="outcomes"),
    path("partnerships/<slug:slug>/outcomes/new/", views.outcome_create, name="outcome-new"),
    path(
        "partnerships/<slug:slug>/outcomes/<int:pk>/edit/",
        views.outcome_edit,
        name="outcome-edit",
    ),
    path(
        "partnerships/<slug:slug>/outcomes/<int:pk>/delete/",
        views.outcome_delete,
        name="outcome-delete",
    ),
    path(
        "partnerships/<slug:slug>/outcomes/<int:pk>/publication/",
        views.outcome_publication,
        name="outcome-publication",
    ),
    path("partnerships/<slug:slug>/audit/", views.audit_log, name="audit"),
]
