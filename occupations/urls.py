from django.urls import path

from occupations import views

app_name = "occupations"
urlpatterns = [
    path("", views.occupation_list, name="list"),
    path("occupations.csv", views.occupation_download, {"fmt": "csv"}, name="download_csv"),
    path("occupations.json", views.occupation_download, {"fmt": "json"}, name="download_json"),
    path("<str:code>/", views.occupation_detail, name="detail"),
]
