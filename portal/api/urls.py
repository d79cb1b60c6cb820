"""API v1 routes (mounted at ``/api/v1/``). Each app adds its viewsets with one ``register``
call; another app's endpoints are one more line here (e.g. ``eligibility.api.register``)."""

from typing import Any

from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from cases.api import cases as cases_api
from cases.api import eligibility as eligibility_api
from cases.api import questionnaires as questionnaires_api
from cases.api import records as records_api
from cases.api import reminders as reminders_api
from cases.api import reports as reports_api
from cases.api import steps as steps_api
from portal.api import views as portal_api

app_name = "api"


class Router(DefaultRouter):
    include_format_suffixes = False  # one URL per resource: no ``.json`` twins

    def get_api_root_view(self, api_urls: Any = None) -> Any:
        # Apps add detail actions under another app's prefix (``cases/<pk>/assessments/``):
        # the root lists each prefix once, by the viewset that has a list.
        list_name = self.routes[0].name
        root: dict[str, str] = {}
        for prefix, viewset, basename in self.registry:
            if hasattr(viewset, "list"):
                root.setdefault(prefix, list_name.format(basename=basename))
        return self.APIRootView.as_view(api_root_dict=root)


router = Router()
router.register("tokens", portal_api.ApiTokenViewSet, basename="token")
cases_api.register(router)
eligibility_api.register(router)  # education, employment, assessments
reminders_api.register(router)  # notifications, case tasks
questionnaires_api.register(router)  # a case's questionnaire (issue 12)
steps_api.register(router)  # case steps
records_api.register(router)  # corrections of applicant details
reports_api.register(router)  # report figures (issue 16)

urlpatterns = [
    path("me/", portal_api.MeView.as_view(), name="me"),
    path("ping/", portal_api.PingView.as_view(), name="ping"),
    *router.urls,
    # Last: any other path under /api/v1/ answers a JSON 404, not the HTML error page.
    re_path(r"^(?P<path>.*)$", portal_api.not_found, name="not-found"),
]
