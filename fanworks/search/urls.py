from django.urls import path

from fanworks.search import views, views_directory

urlpatterns = [
    path("works/search", views.work_search, name="work-search"),
    # Before tags/<name> (this module is included first): AO3's spelling of both searches.
    path("people/search", views_directory.people_search, name="people-search"),
    path("tags/search", views_directory.tags_search, name="tag-search"),
]
