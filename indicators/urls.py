from django.urls import path

from indicators import views

app_name = "indicators"

urlpatterns = [
    path("indicators/", views.indicator_list, name="list"),
    path("indicators/<slug:slug>/", views.indicator_detail, name="detail"),
    path("imports/new/", views.import_new, name="import-new"),
    path("imports/template.csv", views.template_csv, name="template-csv"),
    path("imports/template.xlsx", views.template_xlsx, name="template-xlsx"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("imports/<int:pk>/rejected.csv", views.import_rejected_csv, name="import-rejected-csv"),
]
