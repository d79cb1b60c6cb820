"""Routes of deadlines and reminders (namespace ``reminders``)."""

from django.urls import path

from cases.views import reminders as views

app_name = "reminders"

urlpatterns = [
    path("cases/<int:pk>/tasks/", views.task_create, name="task_create"),
    path("cases/<int:pk>/tasks/<int:task_pk>/done/", views.task_done, name="task_done"),
    path("cases/<int:pk>/tasks/<int:task_pk>/delete/", views.task_delete, name="task_delete"),
    path("cases/deadlines/bulk/", views.bulk_due_date, name="bulk_due_date"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notification_read_all, name="notifications_read_all"),
    path("reminders/preferences/", views.preferences, name="preferences"),
    path("reminders/calendar/new/", views.calendar_rotate, name="calendar_rotate"),
    path("reminders/calendar/revoke/", views.calendar_revoke, name="calendar_revoke"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
