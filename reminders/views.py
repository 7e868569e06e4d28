"""The inbox and the notification settings (a user's own, whatever their role),
and the reminder schedule (admins and city staff)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView, ListView, TemplateView, UpdateView
from django_celery_beat.models import PeriodicTask

from accounts.choices import Role
from reminders.forms import NotificationSettingsForm, ScheduleForm, schedule_initial
from reminders.models import Notification, NotificationSettings
from reminders.schedule import default_entries, interval_minutes


def may_edit_schedule(user) -> bool:
    """Reminder times are city-wide: admins and city staff set them."""
    scope = user.scope
    return scope.is_admin or scope.has_role(Role.CITY_STAFF)


class InboxView(LoginRequiredMixin, ListView):
    """The user's notifications, newest first, unread ones marked."""

    template_name = "reminders/inbox.html"
    paginate_by = 25

    def get_queryset(self):
        notifications = Notification.objects.for_user(self.request.user).prefetch_related("items")
        if self.request.GET.get("unread"):
            notifications = notifications.unread()
        return notifications

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["unread_only"] = bool(self.request.GET.get("unread"))
        context["query"] = "unread=1" if context["unread_only"] else ""
        context["may_edit_schedule"] = may_edit_schedule(self.request.user)
        return context


class MarkReadView(LoginRequiredMixin, View):
    """Mark one notification read (POST), then follow its link or go back to the inbox."""

    def post(self, request, pk):
        get_object_or_404(Notification.objects.for_user(request.user), pk=pk).mark_read()
        target = request.POST.get("next") or ""
        if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
            return redirect(target)
        return redirect("reminders:inbox")


class MarkAllReadView(LoginRequiredMixin, View):
    def post(self, request):
        count = Notification.objects.for_user(request.user).mark_read()
        messages.success(request, _("%(count)s notifications marked as read.") % {"count": count})
        return redirect("reminders:inbox")


class NotificationSettingsView(LoginRequiredMixin, UpdateView):
    """Which channels the user receives reminders on, besides the inbox."""

    form_class = NotificationSettingsForm
    template_name = "reminders/settings.html"

    def get_object(self, queryset=None):
        try:
            return self.request.user.notification_settings
        except NotificationSettings.DoesNotExist:
            return NotificationSettings(user=self.request.user)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        form.save()
        messages.success(self.request, _("Your notification settings are saved."))
        return redirect("reminders:settings")


class ScheduleAccessMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_edit_schedule(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def scheduled_tasks():
    """[(entry, its PeriodicTask)] in the order of default_entries(), those with a row."""
    entries = default_entries()
    tasks = PeriodicTask.objects.select_related("crontab", "interval").in_bulk(
        [entry.name for entry in entries], field_name="name"
    )
    return [(entry, tasks[entry.name]) for entry in entries if entry.name in tasks]


def when(task) -> str:
    """A task's time of day or interval, as people say it."""
    if task.crontab_id:
        crontab = task.crontab
        if crontab.hour.isdigit() and crontab.minute.isdigit():
            moment = f"{int(crontab.hour):02d}:{int(crontab.minute):02d}"
            if crontab.day_of_week == "*":
                return moment
            return _("%(time)s (days of week: %(days)s)") % {
                "time": moment,
                "days": crontab.day_of_week,
            }
        return str(crontab.human_readable)
    if task.interval_id:
        minutes = interval_minutes(task.interval)
        return ngettext("every %(count)s minute", "every %(count)s minutes", minutes) % {
            "count": minutes
        }
    return ""


class ScheduleView(ScheduleAccessMixin, TemplateView):
    """Every reminder and scheduled task: when it runs, whether it runs, and for whom."""

    template_name = "reminders/schedule.html"

    def get_context_data(self, **kwargs):
        rows = [
            {"entry": entry, "task": task, "when": when(task)} for entry, task in scheduled_tasks()
        ]
        return super().get_context_data(rows=rows, **kwargs)


class ScheduleEditView(ScheduleAccessMixin, FormView):
    """Change one task's time or interval, or turn it off: django-celery-beat's row underneath."""

    form_class = ScheduleForm
    template_name = "reminders/schedule_form.html"

    @cached_property
    def scheduled(self):
        """(entry, task) of the row named in the URL; only the schedule's rows are offered."""
        for entry, task in scheduled_tasks():
            if task.pk == self.kwargs["pk"]:
                return entry, task
        raise Http404

    def get_initial(self):
        return schedule_initial(self.scheduled[1])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "task": self.scheduled[1]}

    def get_context_data(self, **kwargs):
        entry, task = self.scheduled
        return super().get_context_data(entry=entry, task=task, **kwargs)

    def form_valid(self, form):
        form.save()
        messages.success(
            self.request,
            _("The schedule of “%(name)s” is saved.") % {"name": self.scheduled[0].label},
        )
        return redirect("reminders:schedule")
