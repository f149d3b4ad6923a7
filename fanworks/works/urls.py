from django.urls import path

from fanworks.works import (
    cocreator_views,
    gift_views,
    orphan_views,
    related_views,
    series_views,
    views,
)

urlpatterns = [
    path("works", views.work_index, name="work-index"),
    path("works/new", views.work_new, name="work-new"),
    path("works/<int:work_id>", views.work_show, name="work-show"),
    path("works/<int:work_id>/navigate", views.work_navigate, name="work-navigate"),
    path("works/<int:work_id>/edit", views.work_edit, name="work-edit"),
    path("works/<int:work_id>/delete", views.work_delete, name="work-delete"),
    path("works/<int:work_id>/preview", views.work_preview, name="work-preview"),
    path("works/<int:work_id>/post", views.work_post, name="work-post"),
    path("works/<int:work_id>/chapters/new", views.chapter_new, name="chapter-new"),
    path("works/<int:work_id>/chapters/manage", views.chapters_manage, name="chapters-manage"),
    path("works/<int:work_id>/chapters/<int:chapter_id>", views.chapter_show, name="chapter-show"),
    path(
        "works/<int:work_id>/chapters/<int:chapter_id>/edit",
        views.chapter_edit,
        name="chapter-edit",
    ),
    path(
        "works/<int:work_id>/chapters/<int:chapter_id>/delete",
        views.chapter_delete,
        name="chapter-delete",
    ),
    path(
        "works/<int:work_id>/chapters/<int:chapter_id>/preview",
        views.chapter_preview,
        name="chapter-preview",
    ),
    path(
        "works/<int:work_id>/chapters/<int:chapter_id>/post",
        views.chapter_post,
        name="chapter-post",
    ),
    path("chapters/<int:chapter_id>", views.chapter_by_id, name="chapter-by-id"),
    # Series
    path("series/new", series_views.series_new, name="series-new"),
    path("series/<int:series_id>", series_views.series_show, name="series-show"),
    path("series/<int:series_id>/edit", series_views.series_edit, name="series-edit"),
    path("series/<int:series_id>/delete", series_views.series_delete, name="series-delete"),
    path("series/<int:series_id>/manage", series_views.series_manage, name="series-manage"),
    path("users/<str:username>/series", series_views.user_series, name="user-series"),
    # Gifts
    path("users/<str:username>/gifts", gift_views.user_gifts, name="user-gifts"),
    path(
        "users/<str:username>/pseuds/<str:pseud_name>/gifts",
        gift_views.user_gifts,
        name="pseud-gifts",
    ),
    path("gifts/<int:gift_id>/refuse", gift_views.gift_refuse_view, name="gift-refuse"),
    # Orphaning
    path("works/<int:work_id>/orphan", orphan_views.work_orphan, name="work-orphan"),
    path("users/<str:username>/orphan", orphan_views.user_orphan, name="user-orphan"),
    # Related works
    path("related_works", related_views.my_related_works, name="my-related-works"),
    path(
        "users/<str:username>/related_works",
        related_views.user_related_works,
        name="user-related-works",
    ),
    path(
        "related_works/<int:link_id>/approve",
        related_views.related_work_approve_view,
        name="related-work-approve",
    ),
    path(
        "related_works/<int:link_id>/decline",
        related_views.related_work_decline_view,
        name="related-work-decline",
    ),
    path(
        "related_works/<int:link_id>/remove",
        related_views.related_work_remove_view,
        name="related-work-remove",
    ),
    # Co-creators
    path(
        "users/<str:username>/creatorships",
        cocreator_views.creatorships,
        name="user-creatorships",
    ),
    path("creatorships", cocreator_views.my_creatorships, name="my-creatorships"),
    path(
        "creatorships/<int:invitation_id>/withdraw",
        cocreator_views.invitation_withdraw,
        name="invitation-withdraw",
    ),
    path("works/<int:work_id>/remove_me", cocreator_views.work_remove_me, name="work-remove-me"),
    path(
        "works/<int:work_id>/chapters/<int:chapter_id>/remove_me",
        cocreator_views.chapter_remove_me,
        name="chapter-remove-me",
    ),
    path(
        "series/<int:series_id>/remove_me",
        cocreator_views.series_remove_me,
        name="series-remove-me",
    ),
]
