from django.urls import path

from routes import views

app_name = "routes"
urlpatterns = [
    path("<slug:slug>/", views.route_detail, name="detail"),
]
