"""Django's error views (``handler400`` etc. in ``portal/urls.py``): the API's JSON error shape
``{"code", "detail"}`` under ``/api/``, Django's own pages elsewhere.

They answer what never reaches a DRF view: an unknown API path (404), a body Django refuses
while parsing (too many fields or files: 400), a permission error raised outside DRF (403) and
an unexpected error (500).
"""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _json(code: str, detail: str, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status)


def bad_request(request: HttpRequest, exception: Exception, **kwargs: Any) -> HttpResponse:
    if _is_api(request):
        return _json(
            "invalid",
            _("The request could not be read: too many fields or files, or a malformed body."),
            400,
        )
    return defaults.bad_request(request, exception, **kwargs)


def permission_denied(request: HttpRequest, exception: Exception, **kwargs: Any) -> HttpResponse:
    if _is_api(request):
        return _json("permission_denied", _("You do not have permission to do this."), 403)
    return defaults.permission_denied(request, exception, **kwargs)


def page_not_found(request: HttpRequest, exception: Exception, **kwargs: Any) -> HttpResponse:
    if _is_api(request):
        return _json("not_found", _("There is nothing at this address."), 404)
    return defaults.page_not_found(request, exception, **kwargs)


def server_error(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    if _is_api(request):
        return _json("server_error", _("Something went wrong on our side; try again later."), 500)
    return defaults.server_error(request, **kwargs)
