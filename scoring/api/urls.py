from django.urls import path

from scoring.api import views

urlpatterns = [
    path("scores/", views.ScoreListView.as_view(), name="score-list"),
    path("scores/drivers/", views.DriverListView.as_view(), name="score-drivers"),
    path("scores/driver-changes/", views.DriverChangeView.as_view(), name="score-driver-changes"),
    path("scores/flags/", views.FlagListView.as_view(), name="score-flags"),
    path("rankings/", views.RankingView.as_view(), name="rankings"),
    path("scoring-runs/", views.ScoringRunListView.as_view(), name="scoring-run-list"),
    path("scoring-runs/<int:pk>/", views.ScoringRunDetailView.as_view(), name="scoring-run-detail"),
]
