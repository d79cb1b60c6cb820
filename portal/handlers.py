"""Django's error views (``handler400`` etc. in ``portal/urls.py``): the API's JSON error shape
``{"code", "detail"}`` under ``/api/``; elsewhere the portal's own translated 400 page
(``templates/400.html``) and Django's pages for the other statuses.

They answer what never reaches a DRF view: an unknown API path (404), a body Django refuses
while parsing (too many fields or files, a multipart part whose headers pass Django's
``MAX_TOTAL_HEADER_SIZE``, a malformed body: 400, raised wherever ``request.POST`` is first
read, e.g. by the CSRF check), a permission error raised outside DRF (403) and an unexpected
error (500).
"""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _json(code: str, detail: str, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status)


def bad_request(request: HttpRequest, exception: Exception, **kwargs: Any) -> HttpResponse:
    """400: JSON under ``/api/``; elsewhere ``400.html`` in the viewer's language, rendered
    with the request (the header and navigation of every page). Django's own ``bad_request``
    renders its template without the request, and without a ``400.html`` answers a bare
    English "Bad Request (400)"."""
    if _is_api(request):
        return _json(
            "invalid",
            _("The request could not be read: too many fields or files, or a malformed body."),
            400,
        )
    return render(request, "400.html", status=400)


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
