"""The account page and the password pages (accounts/auth_views.py)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import auth_views as views

urlpatterns = [
    path("account/", views.AccountView.as_view(), name="account"),
    path("account/tokens/revoke/", views.RevokeTokenView.as_view(), name="account-revoke-token"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
