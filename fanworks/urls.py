from django.contrib import admin
from django.urls import include, path

from fanworks.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("", include("fanworks.accounts.urls")),
    path("", include("fanworks.search.urls")),
    path("", include("fanworks.importers.urls")),  # before works: /works/import
    path("", include("fanworks.works.urls")),
    path("", include("fanworks.engagement.urls")),
    path("", include("fanworks.tags.urls")),
    path("", include("fanworks.downloads.urls")),
]

handler404 = "fanworks.core.views.not_found"
handler400 = "fanworks.core.views.bad_request"
handler403 = "fanworks.core.views.forbidden"
handler500 = "fanworks.core.views.server_error"
