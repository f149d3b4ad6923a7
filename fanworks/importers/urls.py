from django.urls import path

from fanworks.importers import views

urlpatterns = [
    path("works/import", views.work_import_upload, name="work-import"),
    path(
        "external_creators/<int:creator_id>/claim",
        views.external_creator_claim,
        name="external-creator-claim",
    ),
]
