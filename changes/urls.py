from django.urls import path

from changes import feeds, views

app_name = "changes"
urlpatterns = [
    path("", views.release_list, name="list"),
    path("feed/", feeds.AllChangesFeed(), name="feed"),
    path("feed/<slug:slug>/", feeds.RouteChangesFeed(), name="route_feed"),
    path("<int:number>/", views.release_detail, name="release"),
    path("<int:number>/changes.csv", views.release_csv, name="release_csv"),
]
