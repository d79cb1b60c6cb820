"""Django admin of the ``cases`` app, one module per sub-domain (imported so that admin
autodiscovery registers them)."""

from cases.admin import cases, checklists, questionnaires, reminders, steps

__all__ = ["cases", "checklists", "questionnaires", "reminders", "steps"]
