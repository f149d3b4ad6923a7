from django.urls import path, re_path

from fanworks.downloads import export_views, views

urlpatterns = [
    re_path(
        r"^downloads/(?P<work_id>[0-9]{1,18})/(?P<title>[^/]*)\.(?P<fmt>[a-z0-9]{1,8})$",
        views.download,
        name="download",
    ),
    path("users/<str:username>/export", export_views.user_export, name="user-export"),
    path(
        "users/<str:username>/export/download",
        export_views.user_export_download,
        name="user-export-download",
    ),
]
