"""The live drill on the commander's phone, and the class headcount page of the shared link.

The commander's page starts the stopwatch at the signal and stops it at the
all clear (the server's times); static/js/drills.js polls the drill's `live`
API action for the class reports. The shared link's page needs no account:
its form posts to the API's headcount endpoint, and drills.js keeps a report
that failed to send on the phone and sends it again.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from accounts.scope import CHANGE, Scope
from drills import qrcodes, services
from drills.choices import ALARM_TYPES, DrillStatus
from drills.views import DrillActionView, drill_for


class LiveView(LoginRequiredMixin, TemplateView):
    """The commander's screen: the stopwatch, the shared link and QR code, the class reports."""

    template_name = "drills/live.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        drill = drill_for(user, self.kwargs["pk"])
        may_run = Scope.of(user).contains(drill, CHANGE)
        live = services.live_state(drill)
        context = {
            "drill": drill,
            "may_run": may_run,
            "headcounts": live["headcounts"],
            "totals": live["totals"],
            "live_url": reverse("drill-live", args=[drill.pk]),
            "is_alarm": drill.drill_type in ALARM_TYPES,
        }
        if may_run and drill.status in (DrillStatus.RUNNING, DrillStatus.HELD):
            link = qrcodes.headcount_url(self.request, drill)
            context.update(share_url=link, share_qr=qrcodes.qr_svg(link))
        return super().get_context_data(**context, **kwargs)


class StartView(DrillActionView):
    done_message = gettext_lazy("The signal is given: the stopwatch runs.")

    def run(self, drill):
        services.start_drill(self.request.user, drill)


class AllClearView(DrillActionView):
    done_message = gettext_lazy("All clear: the stopwatch has stopped.")

    def run(self, drill):
        services.record_all_clear(self.request.user, drill)


class PrenotifyView(DrillActionView):
    done_message = gettext_lazy("The police station has been notified.")

    def run(self, drill):
        services.send_prenotice(self.request.user, drill)


class AcknowledgeView(DrillActionView):
    action = "acknowledge"
    done_message = gettext_lazy("Pre-notification acknowledged.")

    def run(self, drill):
        services.acknowledge_prenotice(self.request.user, drill)

    def next_url(self, drill):
        # Back to the police home, where the panel lists what waits.
        return reverse("home")


class HeadcountPageView(TemplateView):
    """The class teacher's screen behind the shared link: no account, the drill's window only."""

    template_name = "drills/headcount.html"

    def get(self, request, token):
        try:
            drill = services.drill_for_token(token)
        except ValidationError as error:
            response = self.render_to_response({"refusal": error.messages[0]})
            response.status_code = 403
            return response
        return self.render_to_response(
            {
                "drill": drill,
                "post_url": reverse("drill-headcount-report", args=[token]),
            }
        )
