from django.urls import path

from occupations import views

app_name = "occupations"
urlpatterns = [
    path("", views.occupation_list, name="list"),
    path("<str:code>/", views.occupation_detail, name="detail"),
]
