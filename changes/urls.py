from django.urls import path

from changes import feeds, views
from core.querystring import query_parameters

app_name = "changes"
urlpatterns = [
    path("", views.release_list, name="list"),
    path("feed/", query_parameters()(feeds.AllChangesFeed()), name="feed"),
    path("feed/<slug:slug>/", query_parameters()(feeds.RouteChangesFeed()), name="route_feed"),
    path("<int:number>/", views.release_detail, name="release"),
    path("<int:number>/changes.csv", views.release_csv, name="release_csv"),
]
