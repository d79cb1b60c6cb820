"""Top-level URLs: dashboard, accounts, cases, applicant pages, admin, API."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal import account_views, health, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/ready", health.ReadinessView.as_view(), name="readiness"),
    path("internal/metrics", health.metrics, name="metrics"),
    path("accounts/", include("portal.account_urls")),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("audit/export/", views.audit_export, name="audit_export"),
    path("", include("cases.urls")),
    path("", include("cases.urls_reminders")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("portal.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

handler400 = "portal.handlers.bad_request"
handler403 = "portal.handlers.permission_denied"
handler404 = "portal.handlers.page_not_found"
handler500 = "portal.handlers.server_error"
