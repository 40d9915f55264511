from django.urls import path

from explorer import compare_views

urlpatterns = [
    path("compare/", compare_views.compare, name="compare"),
]
