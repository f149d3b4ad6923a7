from django.urls import path

from fanworks.search import views

urlpatterns = [
    path("works/search", views.work_search, name="work-search"),
]
