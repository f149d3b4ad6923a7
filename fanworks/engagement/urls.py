from django.urls import path

from fanworks.engagement import views

urlpatterns = [
    path("works/<int:work_id>/kudos", views.kudos_create, name="kudos-create"),
]
