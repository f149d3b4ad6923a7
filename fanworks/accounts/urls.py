from django.urls import path

from fanworks.accounts import views, views_blocks, views_deletion, views_preferences

# Full paths, AO3's spellings, no trailing slashes (APPEND_SLASH is off). Fixed paths under
# /users/ come before /users/<username>; actions.RESERVED_USERNAMES keeps them from clashing.
urlpatterns = [
    path("signup", views.signup, name="signup"),
    path("token_dispenser.json", views.token_dispenser, name="token_dispenser"),
    path("users/login", views.login_view, name="login"),
    path("users/logout", views.logout_view, name="logout"),
    path("users/password/new", views.PasswordResetRequestView.as_view(), name="password_reset"),
    path(
        "users/password/sent",
        views.PasswordResetSentView.as_view(),
        name="password_reset_sent",
    ),
    path(
        "users/password/reset/<uidb64>/<token>",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "users/password/done",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("users/<str:username>", views.profile, name="user_profile"),
    path("users/<str:username>/profile", views.about, name="user_about"),
    path("users/<str:username>/works", views.user_works, name="user_works"),
    path("users/<str:username>/blocked", views_blocks.blocked, name="user_blocked"),
    path("users/<str:username>/muted", views_blocks.muted, name="user_muted"),
    path("users/<str:username>/drafts", views.drafts, name="user_drafts"),
    path("users/<str:username>/preferences", views_preferences.preferences, name="preferences"),
    path("users/<str:username>/change_email", views.change_email, name="change_email"),
    path("users/<str:username>/change_password", views.change_password, name="change_password"),
    path("users/<str:username>/delete", views_deletion.delete_account, name="delete_account"),
    path("users/<str:username>/pseuds", views.pseud_list, name="pseud_list"),
    path("users/<str:username>/pseuds/new", views.pseud_new, name="pseud_new"),
    path("users/<str:username>/pseuds/<str:pseud_name>", views.pseud_show, name="pseud_show"),
    path(
        "users/<str:username>/pseuds/<str:pseud_name>/works",
        views.pseud_works,
        name="pseud_works",
    ),
    path(
        "users/<str:username>/pseuds/<str:pseud_name>/edit",
        views.pseud_edit,
        name="pseud_edit",
    ),
]
