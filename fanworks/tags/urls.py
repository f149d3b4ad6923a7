from django.urls import path

from fanworks.tags import views

urlpatterns = [
    path("tags/<str:url_name>/works", views.tag_works, name="tag-works"),
    path("tags/<str:url_name>", views.tag_show, name="tag-show"),
    path("fandoms", views.fandom_index, name="fandom-index"),
    path("autocomplete/tags", views.autocomplete, name="tag-autocomplete"),
]
