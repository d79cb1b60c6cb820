"""The language switch (every page, signed in or not) and the profile page (language, time
zone, and a link to notification preferences)."""

import zoneinfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views import i18n
from django.views.decorators.http import require_POST

from portal import services
from portal.errors import InvalidInput
from portal.http import AuthenticatedHttpRequest
from portal.models import Language


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language`` (the language cookie, remembered for anonymous visitors, and a
    redirect back to a safe ``next``), plus, when signed in, the choice saved to the profile
    (which ``UserLanguageMiddleware`` prefers over the cookie)."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and language in Language.values:
        services.user_preferences_update(user=user, preferred_language=language)
    return response


def _zone_choices() -> list[tuple[str, str]]:
    # Every IANA zone a person could live in (no "Etc/GMT+3" style or legacy aliases).
    names = sorted(
        z
        for z in zoneinfo.available_timezones()
        if "/" in z and not z.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
    )
    return [("UTC", "UTC"), *((z, z.replace("_", " ")) for z in names)]


class ProfileForm(forms.Form):
    preferred_language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    # IANA names are identifiers in English (Asia/Shanghai), marked as such for screen readers.
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        widget=forms.Select(attrs={"lang": "en"}),
        help_text=_("Times on every page and reminder emails use this zone."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["time_zone"].choices = _zone_choices()  # type: ignore[attr-defined]


@login_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show and save the signed-in user's language and time zone."""
    user = request.user
    form = ProfileForm(
        request.POST or None,
        initial={"preferred_language": user.preferred_language, "time_zone": user.time_zone},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.user_preferences_update(
                user=user,
                preferred_language=form.cleaned_data["preferred_language"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except InvalidInput as exc:
            field = exc.details.get("field")
            form.add_error(field if isinstance(field, str) else None, str(exc))
        else:
            translation.activate(user.preferred_language)
            timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            messages.success(request, _("Your settings are saved."))
            return redirect("profile")
    return render(request, "portal/profile.html", {"form": form})
