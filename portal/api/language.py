"""Answer API requests in the requester's preferred language."""

from typing import Any

from django.utils import translation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class RequesterLanguageMixin(APIView):
    """Texts in the answer (labels, explanations, messages) are in your preferred language."""

    # (That docstring is the operations' description in the schema.) For token clients too:
    # ``UserLanguageMiddleware`` only sees session users; DRF authenticates tokens in the view.
    # The language before the view switched it is restored when the response is finalized, so
    # it does not leak into whatever the thread runs next.
    _previous_language: str | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self._previous_language = translation.get_language()
        super().initial(request, *args, **kwargs)
        language = getattr(request.user, "preferred_language", "")
        if language:
            translation.activate(language)

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._previous_language:
            translation.activate(self._previous_language)
        return response
