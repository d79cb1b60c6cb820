"""API v1 routes (mounted at ``/api/v1/``). Each app adds its viewsets with one ``register``
call; another app's endpoints are one more line here (e.g. ``eligibility.api.register``)."""

from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from cases.api import views as cases_api
from portal import api as portal_api

app_name = "api"


class Router(DefaultRouter):
    include_format_suffixes = False  # one URL per resource: no ``.json`` twins


router = Router()
router.register("tokens", portal_api.ApiTokenViewSet, basename="token")
cases_api.register(router)
# eligibility_api.register(router)   # assessments, education, employment (eligibility branch)
# reminders_api.register(router)     # notifications, tasks (reminders branch)

urlpatterns = [
    path("me/", portal_api.MeView.as_view(), name="me"),
    path("ping/", portal_api.PingView.as_view(), name="ping"),
    *router.urls,
    # Last: any other path under /api/v1/ answers a JSON 404, not the HTML error page.
    re_path(r"^(?P<path>.*)$", portal_api.not_found, name="not-found"),
]
