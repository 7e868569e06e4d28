"""The drill pages: the school's calendar and plans, the live drill, the class headcount through
the shared link, the record and evaluation, and the bureaus' term compliance.

Every object comes through `for_user`; every write runs a service of
drills/services.py inside the user's scope, and a refusal of the service (a
ValidationError) is shown as a message, never an error page.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View

from accounts.scope import VIEW, Scope
from drills.models import Drill


def drill_for(user, pk, action=VIEW) -> Drill:
    """The drill `pk` in the user's scope (404 otherwise); 403 if they may not `action` it."""
    drill = get_object_or_404(Drill.objects.for_user(user).select_related("school"), pk=pk)
    if action != VIEW and not Scope.of(user).contains(drill, action):
        raise PermissionDenied
    return drill


class DrillActionView(LoginRequiredMixin, View):
    """A button on a drill's page: a service run on POST, its refusal shown as a message."""

    http_method_names = ["post"]
    action = "change"
    next_page = "drills:live"
    done_message = None

    def run(self, drill):
        raise NotImplementedError

    def next_url(self, drill):
        return reverse(self.next_page, args=[drill.pk])

    def post(self, request, pk):
        drill = drill_for(request.user, pk, self.action)
        try:
            self.run(drill)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if self.done_message:
                messages.success(request, self.done_message)
        return redirect(self.next_url(drill))
