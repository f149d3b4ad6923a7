from django.urls import path

from fanworks.engagement import views, views_bookmarks, views_comments

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
    # Comments, at AO3's URLs.
    path(
        "chapters/<int:chapter_id>/comments",
        views_comments.chapter_comments,
        name="chapter-comments",
    ),
    path("comments/<int:comment_id>", views_comments.comment_show, name="comment-show"),
    path(
        "comments/<int:comment_id>/comments", views_comments.comment_replies, name="comment-replies"
    ),
    path("comments/<int:comment_id>/edit", views_comments.comment_edit, name="comment-edit"),
    path(
        "comments/<int:comment_id>/delete",
        views_comments.comment_delete_view,
        name="comment-delete",
    ),
    path(
        "comments/<int:comment_id>/freeze",
        views_comments.comment_freeze_view,
        {"frozen": True},
        name="comment-freeze",
    ),
    path(
        "comments/<int:comment_id>/unfreeze",
        views_comments.comment_freeze_view,
        {"frozen": False},
        name="comment-unfreeze",
    ),
    path(
        "comments/<int:comment_id>/approve",
        views_comments.comment_approve_view,
        name="comment-approve",
    ),
    path(
        "works/<int:work_id>/comments/unreviewed",
        views_comments.work_comments_unreviewed,
        name="work-comments-unreviewed",
    ),
    path(
        "works/<int:work_id>/comments/new",
        views_comments.work_comments_new,
        name="work-comments-new",
    ),
]
urlpatterns += [
    path("users/<str:username>/subscriptions", views.subscriptions, name="subscriptions"),
    path(
        "users/<str:username>/subscriptions/<int:subscription_id>",
        views.subscription_destroy,
        name="subscription-destroy",
    ),
    path("users/<str:username>/inbox", views.inbox, name="inbox"),
    path("users/<str:username>/inbox/update", views.inbox_update, name="inbox-update"),
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
    # Bookmarks of series, at AO3's URLs.
    path(
        "series/<int:series_id>/bookmarks",
        views_bookmarks.series_bookmarks,
        name="series-bookmarks",
    ),
    path(
        "series/<int:series_id>/bookmarks/new",
        views_bookmarks.series_bookmark_new,
        name="series-bookmark-new",
    ),
]
