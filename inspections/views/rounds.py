"""The guard's round on a phone, a round's record, and a school's sheet of checkpoint QR codes.

Scanning a checkpoint's printed code opens `scan`: it continues the guard's
open round at that school (recording the server's time) or offers to start
one. Every object comes through `for_user`; every write runs a service of
inspections/services.py inside `write_in_scope`, and a refusal of the service
(a ValidationError) is shown as a message, never an error page.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.scope import CHANGE, Scope, write_in_scope
from inspections import qrcodes, services
from inspections.choices import AnswerType
from inspections.forms import AnswerForm
from inspections.models import Answer, ChecklistItem, Checkpoint, InspectionRule, Round, Scan
from schools.models import School


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _round_for(user, pk, action="view"):
    """The round `pk` in the user's scope (404 otherwise); 403 if they may not `action` it."""
    round_ = get_object_or_404(
        Round.objects.for_user(user).select_related("school", "rule__obligation", "version"), pk=pk
    )
    if action != "view" and not Scope.of(user).contains(round_, action):
        raise PermissionDenied
    return round_


def _scanned_checkpoint(request, token):
    found = qrcodes.read_token(token)
    if found is None:
        raise Http404(_("This code is not one of ours."))
    checkpoint_id, school_id = found
    return get_object_or_404(
        Checkpoint.objects.for_user(request.user).select_related("school"),
        pk=checkpoint_id,
        school_id=school_id,
    )


class ScanView(LoginRequiredMixin, TemplateView):
    """What the phone's camera opens: the round continues at this checkpoint, or one starts."""

    template_name = "inspections/scan.html"

    def get(self, request, token):
        checkpoint = _scanned_checkpoint(request, token)
        round_ = services.open_round(request.user, checkpoint.school)
        if round_ is not None:
            try:
                write_in_scope(
                    request.user,
                    CHANGE,
                    lambda: services.scan(round_, checkpoint),
                    changed=lambda _s: round_,
                )
            except ValidationError as error:
                messages.error(request, _error_text(error))
                return redirect("inspections:round", round_.pk)
            return redirect("inspections:checkpoint", round_.pk, checkpoint.pk)
        rules = services.rules_at(checkpoint.school, checkpoint.kind)
        return self.render_to_response(
            self.get_context_data(checkpoint=checkpoint, rules=rules, token=token)
        )


class StartView(LoginRequiredMixin, View):
    """Start a round of a rule at the scanned checkpoint's school, and scan it at once."""

    http_method_names = ["post"]

    def post(self, request, token):
        checkpoint = _scanned_checkpoint(request, token)
        rule = get_object_or_404(
            InspectionRule.objects.for_user(request.user), pk=request.POST.get("rule") or 0
        )
        if rule.pk not in {r.pk for r in services.rules_at(checkpoint.school, checkpoint.kind)}:
            raise Http404

        def start():
            round_ = services.start_round(request.user, checkpoint.school, rule)
            services.scan(round_, checkpoint)
            return round_

        try:
            round_ = write_in_scope(request.user, "add", start)
        except ValidationError as error:
            messages.error(request, _error_text(error))
            return redirect("inspections:scan", token)
        return redirect("inspections:checkpoint", round_.pk, checkpoint.pk)


class RoundView(LoginRequiredMixin, TemplateView):
    """A round: its progress while it runs, its record once finished (with the photo flags)."""

    template_name = "inspections/round.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        round_ = _round_for(user, self.kwargs["pk"])
        scans = {
            scan.checkpoint_id: scan
            for scan in Scan.objects.for_user(user)
            .filter(round=round_)
            .select_related("checkpoint")
        }
        answers = list(
            Answer.objects.for_user(user)
            .filter(round=round_)
            .select_related("item", "checkpoint", "finding")
            .order_by("checkpoint__position", "item__position")
        )
        expected = list(services.expected_checkpoints(round_).order_by("position", "name"))
        round_items = services.items_at(round_, None)
        answered_round_items = {a.item_id for a in answers if a.checkpoint_id is None}
        return super().get_context_data(
            round=round_,
            stops=[(checkpoint, scans.get(checkpoint.pk)) for checkpoint in expected],
            extra_scans=[scan for pk, scan in scans.items() if pk not in {c.pk for c in expected}],
            answers=answers,
            round_items=[item for item in round_items if item.pk not in answered_round_items],
            skipped=list(round_.skipped.all()) if not round_.is_open else [],
            may_run=round_.is_open and Scope.of(user).contains(round_, CHANGE),
            findings=[a.finding for a in answers if hasattr(a, "finding")],
            **kwargs,
        )


class CheckpointView(LoginRequiredMixin, TemplateView):
    """The items to answer at a scanned checkpoint: "all fine" in one tap, or item by item."""

    template_name = "inspections/checkpoint.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        round_ = _round_for(user, self.kwargs["pk"], CHANGE)
        checkpoint = get_object_or_404(
            Checkpoint.objects.for_user(user),
            pk=self.kwargs["checkpoint_pk"],
            school=round_.school_id,
        )
        scan = Scan.objects.filter(round=round_, checkpoint=checkpoint).first()
        answered = {
            answer.item_id: answer
            for answer in Answer.objects.filter(round=round_, checkpoint=checkpoint)
        }
        items = [(item, answered.get(item.pk)) for item in services.items_at(round_, checkpoint)]
        return super().get_context_data(
            round=round_,
            checkpoint=checkpoint,
            scan=scan,
            items=items,
            open_pass_fail=any(
                answer is None and item.answer_type == AnswerType.PASS_FAIL
                for item, answer in items
            ),
            **kwargs,
        )


class RoundWriteView(LoginRequiredMixin, View):
    """A POST on an open round the user may run; a service refusal becomes a message."""

    http_method_names = ["post"]

    def post(self, request, pk, **kwargs):
        round_ = _round_for(request.user, pk, CHANGE)
        try:
            write_in_scope(
                request.user, CHANGE, lambda: self.write(round_), changed=lambda _r: round_
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        return redirect(self.next_url(round_))

    def checkpoint(self, round_):
        pk = self.request.POST.get("checkpoint")
        if not pk:
            return None
        return get_object_or_404(
            Checkpoint.objects.for_user(self.request.user), pk=pk, school=round_.school_id
        )

    def next_url(self, round_):
        checkpoint = self.request.POST.get("checkpoint")
        if checkpoint and round_.is_open:
            return reverse("inspections:checkpoint", args=[round_.pk, checkpoint])
        return reverse("inspections:round", args=[round_.pk])


class AllFineView(RoundWriteView):
    def write(self, round_):
        services.all_fine(round_, self.checkpoint(round_))
        messages.success(self.request, _("Recorded: all fine."))


class AnswerView(RoundWriteView):
    def write(self, round_):
        form = AnswerForm(self.request.POST, self.request.FILES)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        values = dict(form.cleaned_data)
        item = get_object_or_404(
            ChecklistItem.objects.for_user(self.request.user),
            pk=values.pop("item"),
            version=round_.version_id,
        )
        services.answer(round_, item, self.checkpoint(round_), **values)


class FinishView(RoundWriteView):
    def write(self, round_):
        services.finish(round_)

    def next_url(self, round_):
        return reverse("inspections:round", args=[round_.pk])


class QRSheetView(LoginRequiredMixin, TemplateView):
    """An A4 sheet of a school's checkpoint codes, to print and post at each place."""

    template_name = "inspections/qr_sheet.html"

    def get_context_data(self, **kwargs):
        school = get_object_or_404(School.objects.for_user(self.request.user), pk=self.kwargs["pk"])
        # Those who place the checkpoints print their codes: school staff (and administrators).
        if not Scope.of(self.request.user).contains(school, roles=Checkpoint.access[CHANGE]):
            raise PermissionDenied
        checkpoints = Checkpoint.objects.for_user(self.request.user).filter(
            school=school, is_active=True
        )
        codes = [
            (checkpoint, qrcodes.qr_svg(qrcodes.scan_url(self.request, checkpoint)))
            for checkpoint in checkpoints.order_by("position", "name")
        ]
        return super().get_context_data(school=school, codes=codes, **kwargs)
