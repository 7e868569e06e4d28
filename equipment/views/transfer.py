"""Importing a school's spreadsheet (a dry-run preview, then all rows or none) and exporting it.

The preview carries the uploaded file on to the confirmation, signed, so what
is committed is exactly what was previewed, without keeping it on the server.
"""

import base64

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from campussafety.replica import reads_from_replica
from equipment import imports
from equipment.forms import ExportForm, ImportForm
from equipment.views.access import equipment_school

SALT = "equipment.import"
# The preview is confirmed within the hour, or uploaded again.
MAX_AGE = 3600


def sign_upload(name: str, content: bytes) -> str:
    return signing.dumps(
        {"name": name, "content": base64.b64encode(content).decode()}, salt=SALT, compress=True
    )


def read_upload(token: str) -> tuple[str, bytes]:
    data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    return data["name"], base64.b64decode(data["content"])


class ImportView(LoginRequiredMixin, View):
    template_name = "equipment/import.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.school = equipment_school(request.user, kwargs["pk"])
            imports.require_stocker(request.user, self.school)
        return super().dispatch(request, *args, **kwargs)

    def render(self, form, plan=None, token="", errors=()):
        context = {
            "school": self.school,
            "form": form,
            "plan": plan,
            "token": token,
            "errors": errors,
        }
        status = 400 if plan is not None and not plan.is_valid else 200
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self.render(ImportForm())

    def post(self, request, pk):
        if "token" in request.POST:
            return self.confirm(request.POST["token"])
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(form)
        plan = imports.plan(request.user, self.school, form.rows)
        token = sign_upload(form.name, form.content) if plan.is_valid else ""
        return self.render(ImportForm(), plan, token)

    def confirm(self, token):
        try:
            name, content = read_upload(token)
        except signing.BadSignature:
            return self.render(
                ImportForm(), errors=[_("The preview has expired: upload the file again.")]
            )
        plan = None
        try:
            plan = imports.plan(self.request.user, self.school, imports.read_table(name, content))
            counts = imports.commit(self.request.user, self.school, plan)
        except ValidationError as refused:
            # Something changed since the preview (a tag taken meanwhile): nothing was saved.
            return self.render(ImportForm(), plan, errors=refused.messages)
        messages.success(
            self.request,
            _("Imported: %(new)s new pieces, %(topped)s counts topped up, %(same)s unchanged.")
            % {
                "new": counts.get(imports.NEW_PIECE, 0),
                "topped": counts.get(imports.TOP_UP, 0),
                "same": counts.get(imports.UNCHANGED, 0),
            },
        )
        return redirect("equipment:board", pk=self.school.pk)


@reads_from_replica
class ExportView(LoginRequiredMixin, View):
    def get(self, request, pk):
        school = equipment_school(request.user, pk)
        form = ExportForm(request.GET)
        file_format = (form.is_valid() and form.cleaned_data["format"]) or "xlsx"
        return imports.export_response(request, school, file_format)
