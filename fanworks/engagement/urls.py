from django.urls import path

from fanworks.engagement import views

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
]
