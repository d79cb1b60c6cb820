"""The private calendar feed: a user's deadlines as an iCalendar (RFC 5545) document, built
with the ``icalendar`` library. Deadlines are all-day events (dates, no time zone)."""

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone, translation

from cases.selectors.deadlines import calendar_deadlines_for_user
from portal.models import User


def calendar_for_user(*, user: User, now: dt.datetime | None = None) -> bytes:
    """The ICS bytes of ``user``'s deadlines (see ``calendar_deadlines_for_user``), titles in
    their preferred language; stable UIDs so calendar apps update events in place. Any stored
    date, even ``date.max``, gives a valid event (never an ``OverflowError``)."""
    from icalendar import Calendar, Event

    now = now or timezone.now()
    host = urlsplit(settings.SITE_URL).hostname or "visa-case-portal"
    site = settings.SITE_URL.rstrip("/")
    calendar = Calendar()
    calendar.add("prodid", "-//Visa Case Portal//Deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Visa Case Portal")
    with translation.override(user.preferred_language or "en"):
        for item in calendar_deadlines_for_user(user=user, now=now):
            event = Event()
            event.add("uid", f"{item.kind}-{item.target_type}-{item.target_id}@{host}")
            event.add("dtstamp", now.astimezone(dt.UTC))
            event.add("dtstart", item.due_date)
            if item.due_date < dt.date.max:
                event.add("dtend", item.due_date + dt.timedelta(days=1))
            # else: no DTEND; an all-day DTSTART alone lasts one day (RFC 5545 3.6.1).
            event.add("summary", f"{item.case.reference}: {item.title}")
            event.add("url", site + item.url_for(user))
            event.add("description", site + item.url_for(user))
            event.add("transp", "TRANSPARENT")
            calendar.add_component(event)
    return calendar.to_ical()
