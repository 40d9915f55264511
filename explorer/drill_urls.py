from django.urls import URLPattern, URLResolver, path

from explorer import drill_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("drill/", drill_views.drill_index, name="drill-index"),
    path("drill/<str:code>/", drill_views.drill, name="drill"),
]
