from django.urls import path

from explorer import map_views

urlpatterns = [
    path("map/", map_views.score_map, name="map"),
    path("rankings/", map_views.rankings, name="rankings"),
]
