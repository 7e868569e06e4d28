"""The inbox and the notification settings: a user's own, whatever their role."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import ListView, UpdateView

from reminders.forms import NotificationSettingsForm
from reminders.models import Notification, NotificationSettings


class InboxView(LoginRequiredMixin, ListView):
    """The user's notifications, newest first, unread ones marked."""

    template_name = "reminders/inbox.html"
    paginate_by = 25

    def get_queryset(self):
        notifications = Notification.objects.for_user(self.request.user)
        if self.request.GET.get("unread"):
            notifications = notifications.unread()
        return notifications

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["unread_only"] = bool(self.request.GET.get("unread"))
        context["query"] = "unread=1" if context["unread_only"] else ""
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
