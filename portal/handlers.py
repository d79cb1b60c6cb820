"""Django's error views (``handler400`` etc. in ``portal/urls.py``, ``CSRF_FAILURE_VIEW``): the
API's JSON error shape ``{"code", "detail"}`` under ``/api/``; elsewhere a page in the
portal's layout and the viewer's language (``templates/400.html``, the others
``templates/errors/error.html``).

They answer what never reaches a DRF view: an unknown API path (404), a body Django refuses
while parsing (too many fields or files, a multipart part whose headers pass Django's
``MAX_TOTAL_HEADER_SIZE``, a malformed body: 400, raised wherever ``request.POST`` is first
read, e.g. by the CSRF check), a permission error raised outside DRF (403), a refused form
post (CSRF, 403) and an unexpected error (500).
"""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _json(code: str, detail: str, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status)


def _page(request: HttpRequest, status: int, title: str, *lines: str) -> HttpResponse:
    """The error page: ``title`` as its heading, then ``lines`` as paragraphs."""
    body = loader.render_to_string(
        "errors/error.html", {"title": title, "lines": lines}, request=request
    )
    return HttpResponse(body, status=status)


@requires_csrf_token
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


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception, **kwargs: Any) -> HttpResponse:
    if _is_api(request):
        return _json("permission_denied", _("You do not have permission to do this."), 403)
    return _page(
        request,
        403,
        _("You cannot open this page"),
        _("Your account does not have access to it. Ask your advisor if you think it should."),
    )


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception, **kwargs: Any) -> HttpResponse:
    if _is_api(request):
        return _json("not_found", _("There is nothing at this address."), 404)
    return _page(
        request,
        404,
        _("Page not found"),
        _("If you typed the web address, check it is correct."),
        _("If you followed a link, the page may have moved or you may not have access to it."),
    )


@requires_csrf_token
def server_error(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    if _is_api(request):
        return _json("server_error", _("Something went wrong on our side; try again later."), 500)
    try:
        return _page(
            request,
            500,
            _("Sorry, there is a problem with the service"),
            _("Try again later."),
        )
    except Exception:  # the layout itself may be what failed: a plain page then
        return HttpResponse(_("Sorry, there is a problem with the service."), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a form sent without a valid security token (an old page, or
    cookies turned off). ``reason`` is Django's (English, for logs only)."""
    return _page(
        request,
        403,
        _("The form could not be sent"),
        _(
            "The page was open too long or your browser blocked cookies. Go back, reload the "
            "page and send the form again."
        ),
    )
