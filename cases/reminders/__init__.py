"""Deadlines and reminders: case tasks, reminder rules, the delivery ledger, in-app
notifications, per-user reminder preferences and private calendar feeds (issue 4)."""
