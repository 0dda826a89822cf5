from django.urls import path

from socmapping import views

app_name = "socmapping"
urlpatterns = [
    path("", views.soc_index, name="index"),
    path("<int:version>/", views.hierarchy, name="hierarchy"),
    path("<int:version>/<str:code>/", views.group_detail, name="group"),
    path("2020/<str:unit>/<str:suffix>/", views.sub_unit_group_detail, name="sub_unit_group"),
]
