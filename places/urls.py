from django.urls import path

from places import views

app_name = "places"

urlpatterns = [
    path("", views.home, name="home"),
    path("places/", views.place_list, name="list"),
    path("places/<str:code>/", views.place_detail, name="detail"),
]
