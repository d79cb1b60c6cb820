"""Pure helpers of deadlines and reminders: ``schedule`` (when a reminder fires, the passport
rule), ``emails`` (rendering in the recipient's language) and ``ics`` (the calendar feed).
Models, services and selectors of reminders live in the ``cases`` layers."""
