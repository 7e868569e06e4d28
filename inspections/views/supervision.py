"""The bureau's supervision visits (督导): the 双随机 draw, the visits, the score and the rankings.

District staff draw schools of their district and an inspector for each; the
drawn inspector scores the visit on the phone (one form, one round of the
supervision checklist); the page ranks the district's visited schools by
score, and city staff see each district's average.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.scope import OutOfScope, Role, write_in_scope
from campussafety.export_views import export_response, requested_format, without_format
from campussafety.exports import Column, Table
from campussafety.ids import id_or_404
from inspections import services
from inspections.forms_supervision import DrawForm, VisitForm
from inspections.models import SupervisionDraw, SupervisionVisit
from inspections.supervision import (
    FINISHED,
    district_averages,
    draw,
    ranking,
    start_visit,
    supervision_rule,
)
from inspections.views.completion import require_bureau

RECENT_DRAWS = 20


def ranked_visits(user, query):
    """The finished visits the page ranks for its query (?district=), best score first."""
    require_bureau(user)
    visits = SupervisionVisit.objects.for_user(user)
    district_id = query.get("district")
    if district_id:
        visits = visits.filter(draw__district_id=id_or_404(district_id))
    return ranking(visits)


def ranking_table(user, query) -> Table:
    """The ranking of visited schools as a file."""
    return Table(
        name="supervision-ranking",
        title=_("Visited schools by score"),
        model=SupervisionVisit,
        rows=ranked_visits(user, query),
        columns=[
            Column(gettext_lazy("School"), lambda visit: visit.school.name),
            Column(gettext_lazy("Period"), lambda visit: visit.draw.period),
            Column(gettext_lazy("Inspector"), lambda visit: str(visit.inspector)),
            Column(gettext_lazy("Score"), lambda visit: float(visit.score)),
        ],
    )


class SupervisionView(LoginRequiredMixin, View):
    """The draws, the user's visits to make, the ranking (?district=), the districts' averages;
    ?format=xlsx|csv exports the ranking."""

    def get(self, request, form=None, status=200):
        user = request.user
        fmt = requested_format(request) if form is None else None
        if fmt is not None:
            return export_response(request, ranking_table, fmt)
        scope = require_bureau(user)
        visits = SupervisionVisit.objects.for_user(user)
        context = {
            "form": form or DrawForm(user=user),
            "draws": SupervisionDraw.objects.for_user(user)
            .select_related("district", "drawn_by")
            .annotate(drawn=Count("visits"))[:RECENT_DRAWS],
            "to_visit": visits.filter(inspector=user)
            .exclude(round__status__in=FINISHED)
            .select_related("school", "draw"),
            "ranking": ranked_visits(user, request.GET),
            "export_query": without_format(request.GET).urlencode(),
            "averages": (
                district_averages(visits)
                if scope.is_admin or scope.has_role(Role.CITY_STAFF)
                else None
            ),
        }
        return render(request, "inspections/supervision.html", context, status=status)

    def post(self, request):
        user = request.user
        require_bureau(user)
        form = DrawForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                made = write_in_scope(
                    user,
                    "add",
                    lambda: draw(user, data["district"], data["period"], data["count"]),
                )
            except OutOfScope as refused:
                form.add_error(None, refused.args[0])
            except ValidationError as refused:
                form.add_error(None, refused.messages)
            else:
                messages.success(
                    request,
                    _("Drawn: %(draw)s, seed %(seed)s.") % {"draw": made, "seed": made.seed},
                )
                return redirect(reverse("inspections:supervision"))
        return self.get(request, form=form, status=400)


class VisitView(LoginRequiredMixin, View):
    """A drawn visit: its inspector scores it in one form; the bureau sees its score after."""

    def visit(self, request, pk):
        return get_object_or_404(
            SupervisionVisit.objects.for_user(request.user).select_related(
                "school__district", "draw__district", "inspector", "round"
            ),
            pk=pk,
        )

    def render_visit(self, request, visit, form=None, status=200):
        scored = None
        answers = []
        if visit.round_id and visit.round.status in FINISHED:
            scored = ranking(SupervisionVisit.objects.filter(pk=visit.pk)).first()
            answers = visit.round.answers.select_related("item").order_by("item__position")
        elif form is None and visit.inspector_id == request.user.pk:
            form = VisitForm(items=self.items(visit))
        context = {"visit": visit, "form": form, "scored": scored, "answers": answers}
        return render(request, "inspections/supervision_visit.html", context, status=status)

    def items(self, visit):
        version = supervision_rule(visit.school.district.city_id).template.current_version
        return list(version.items.all()) if version else []

    def get(self, request, pk):
        return self.render_visit(request, self.visit(request, pk))

    def post(self, request, pk):
        visit = self.visit(request, pk)
        if visit.inspector_id != request.user.pk:
            raise PermissionDenied(_("This visit was drawn for another inspector."))
        if visit.round_id and visit.round.status in FINISHED:
            return redirect(reverse("inspections:supervision-visit", args=[visit.pk]))
        form = VisitForm(request.POST, items=self.items(visit))
        if form.is_valid():

            def carry_out():
                round_ = start_visit(request.user, visit)
                for item, score in form.scores():
                    services.answer(round_, item, number=score)
                services.finish(round_)
                return visit

            try:
                write_in_scope(request.user, "change", carry_out)
            except ValidationError as refused:
                form.add_error(None, refused.messages)
            else:
                messages.success(request, _("The visit is scored."))
                return redirect(reverse("inspections:supervision-visit", args=[visit.pk]))
        return self.render_visit(request, visit, form=form, status=400)
