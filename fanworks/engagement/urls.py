from django.urls import path

from fanworks.engagement import views, views_bookmarks

urlpatterns = [
    path("works/<int:work_id>/kudos", views.kudos_create, name="kudos-create"),
    path(
        "works/<int:work_id>/mark_for_later",
        views.reading_mark_view,
        {"for_later": True},
        name="mark-for-later",
    ),
    path(
        "works/<int:work_id>/mark_as_read",
        views.reading_mark_view,
        {"for_later": False},
        name="mark-as-read",
    ),
    path("users/<str:username>/readings", views.history, name="history"),
    path("users/<str:username>/readings/change", views.history_change, name="history-change"),
    path("users/<str:username>/stats", views.stats, name="stats"),
    path("works/<int:work_id>/bookmarks", views_bookmarks.work_bookmarks, name="work-bookmarks"),
    path(
        "works/<int:work_id>/bookmarks/new",
        views_bookmarks.work_bookmark_new,
        name="work-bookmark-new",
    ),
    path("bookmarks", views_bookmarks.bookmarks_index, name="bookmarks"),
    path("bookmarks/<int:bookmark_id>", views_bookmarks.bookmark_show, name="bookmark-show"),
    path("bookmarks/<int:bookmark_id>/edit", views_bookmarks.bookmark_edit, name="bookmark-edit"),
    path(
        "bookmarks/<int:bookmark_id>/delete",
        views_bookmarks.bookmark_delete_view,
        name="bookmark-delete",
    ),
    path("users/<str:username>/bookmarks", views_bookmarks.user_bookmarks, name="user-bookmarks"),
    path("external_works/new", views_bookmarks.external_work_new, name="external-work-new"),
    path(
        "external_works/<int:external_id>",
        views_bookmarks.external_work_show,
        name="external-work-show",
    ),
]
