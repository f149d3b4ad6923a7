from django.urls import path

from fanworks.tags import views, views_pages, views_wrangling
from fanworks.tags.feeds import TagFeed

urlpatterns = [
    path("tags/<str:url_name>/works", views.tag_works, name="tag-works"),
    path("tags/<str:url_name>/edit", views_wrangling.tag_edit, name="tag-edit"),
    path("tags/<str:url_name>/wrangle", views_wrangling.fandom_bins, name="tag-wrangle"),
    path("tags/<str:url_name>", views.tag_show, name="tag-show"),
    path("fandoms", views.fandom_index, name="fandom-index"),
    path("media", views_pages.media_index, name="media-index"),
    path("media/<str:url_name>/fandoms", views_pages.media_fandoms, name="media-fandoms"),
    path("tag_wranglers", views_wrangling.wrangler_home, name="wrangler-home"),
    path("wrangling/log", views_wrangling.wrangling_log, name="wrangling-log"),
    path("autocomplete/tags", views.autocomplete, name="tag-autocomplete"),
    path("tags/<str:url_name>/feed.atom", TagFeed(), name="tag-feed"),
]
