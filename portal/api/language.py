"""The API's language rule lives in ``portal/languages.py`` (the user's saved language, else
``Accept-Language``), applied to every API view by the middleware and the token
authentication; this module keeps the schema's description of it."""

from rest_framework.views import APIView


class RequesterLanguageMixin(APIView):
    """Texts in the answer (labels, explanations, messages) are in your preferred language."""

    # (That docstring is the operations' description in the schema.) The language itself is
    # chosen for every API view by the rule above, not by this class.
