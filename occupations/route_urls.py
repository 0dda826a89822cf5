from django.urls import path

from occupations import route_views as views

app_name = "routes"
urlpatterns = [
    path("<slug:slug>/", views.route_detail, name="detail"),
]
