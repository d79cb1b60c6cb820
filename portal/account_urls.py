"""Login, logout, password change and reset (Django's auth views), and invitation links."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from portal import account_views, views
from portal.forms import LoginForm, ResetSetPasswordForm
from portal.security import RateLimitedPasswordResetForm
from portal.views import no_referrer

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, form_class=LoginForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("logout/everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # Reset and invitation pages send Referrer-Policy: no-referrer (the token is in the URL).
    path(
        "password/reset/",
        no_referrer(auth_views.PasswordResetView.as_view(form_class=RateLimitedPasswordResetForm)),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        no_referrer(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        no_referrer(auth_views.PasswordResetConfirmView.as_view(form_class=ResetSetPasswordForm)),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        no_referrer(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path(
        "invitation/<uidb64>/<token>/",
        no_referrer(
            views.InvitationAcceptView.as_view(success_url=reverse_lazy("invitation_done"))
        ),
        name="invitation_accept",
    ),
    path("invitation/done/", no_referrer(views.invitation_done), name="invitation_done"),
    path("profile/", account_views.profile, name="profile"),
    path("2fa/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("2fa/qr.svg", views.two_factor_qr, name="two_factor_qr"),
    path("2fa/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("2fa/recovery-codes/", views.two_factor_recovery, name="two_factor_recovery"),
]
