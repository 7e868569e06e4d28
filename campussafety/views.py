"""View helpers shared by every app's HTML pages.

Every object comes through `Model.objects.for_user(user)` (ScopedObjectMixin),
so an object outside the user's scope is a 404 exactly like a missing one; an
object the user may see but not change or delete is a 403. Every write is
checked to still lie in the scope before its transaction commits
(save_in_scope).
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Func, IntegerField
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View, defaults
from django.views.generic import DeleteView
from django_filters import fields as filter_fields

from accounts.scope import DELETE, VIEW, OutOfScope, Scope, write_in_scope
from campussafety.forms import label_blank_choices, style_form
from campussafety.keyset import keyset_page

# More rows than this would slow a phone down; the lists page instead.
PAGE_SIZE = 50
# The query parameter carrying a keyset page's position (campussafety.keyset).
CURSOR_PARAM = "after"


def save_in_scope(user, form, action):
    """Save `form` and keep the write only if the saved object lies in the user's scope.

    The choices of a form are scoped already; this catches a combination the
    choices cannot, such as district staff naming their own city for a term.
    Returns the object, or None with an error added to the form.
    """
    try:
        # The same check as every API write (accounts.scope.write_in_scope).
        return write_in_scope(user, action, form.save)
    except OutOfScope as refused:
        form.add_error(None, refused.args[0])
        return None


class ScopedSearchView(LoginRequiredMixin, View):
    """What a type-ahead choice (campussafety.forms.SearchSelect) lists: the objects of
    the user's scope matching `q`, as JSON, at most `limit`, so its cost does not grow
    with the city. A subclass names the `model` and says how `q` matches (`search`)
    and what labels a row (`label`, a column or an expression); `roles` narrows the
    scope to the roles that may use the choice (e.g. those that may record a movement)."""

    model = None
    roles = None
    label = F("name")
    limit = 20

    def search(self, rows, text):
        return rows.filter(name__icontains=text)

    def choices(self, user):
        """The rows the choice offers, before `q`."""
        return self.model.objects.for_user(user, roles=self.roles)

    def get(self, request):
        text = request.GET.get("q", "").strip()[:100]
        rows = self.choices(request.user)
        if text:
            rows = self.search(rows, text)
        found = rows.annotate(search_label=self.label).order_by("search_label", "pk")
        found = found.values_list("pk", "search_label")[: self.limit]
        return JsonResponse({"results": [{"id": pk, "text": label} for pk, label in found]})


class ScopedObjectMixin(LoginRequiredMixin):
    """The one place an HTML view looks an object up.

    The lookup runs on `model.objects.for_user(user)`, so an object outside the
    scope is a 404; then the user must be allowed `scope_action` on it (403 if not).
    """

    model = None
    scope_action = VIEW

    @property
    def scope(self) -> Scope:
        return Scope.of(self.request.user)

    def get_queryset(self):
        return self.model.objects.for_user(self.request.user)

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if self.scope_action != VIEW and not self.scope.contains(obj, self.scope_action):
            raise PermissionDenied
        return obj


class ScopedDeleteView(ScopedObjectMixin, DeleteView):
    """Deletes an object in scope on POST (no confirmation page: the button asks)."""

    scope_action = DELETE
    http_method_names = ["post"]

    def form_valid(self, form):
        messages.success(self.request, _("Deleted %(object)s.") % {"object": self.object})
        return super().form_valid(form)


def list_query(request):
    """The query string of a list page without its page number or keyset position, for the
    page links."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop(CURSOR_PARAM, None)
    return query.urlencode()


class FilteredListMixin:
    """A list page with a FilterSet: styled filters, and page links that keep them."""

    paginate_by = PAGE_SIZE

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = label_blank_choices(style_form(context["filter"].form), _("Any"))
        for form_field in form.fields.values():
            # django-filters' ChoiceField puts its own "---------" ahead of the
            # choices, which label_blank_choices has already given a blank one.
            if isinstance(form_field, filter_fields.ChoiceField):
                form_field.empty_label = None
        context["filter_query"] = list_query(self.request)
        return context


def keyset_context(request, rows, ordering=None, size=PAGE_SIZE) -> dict:
    """The context of a keyset page of `rows` (a queryset in `ordering`, or a
    campussafety.keyset.KeysetRows, which has its own) after the position in ?after=, for
    includes/keyset_pagination.html: the rows, and the links back to the first page and
    on to the next, carrying the request's other parameters. One read of the rows, never
    a count; a position edited by hand is a 400."""
    cursor = request.GET.get(CURSOR_PARAM)
    found, next_cursor = keyset_page(rows, ordering, cursor, size)
    query = request.GET.copy()
    query.pop(CURSOR_PARAM, None)
    context = {
        "object_list": found,
        "first_page_query": query.urlencode(),
        "is_first_page": not cursor,
    }
    if next_cursor:
        query[CURSOR_PARAM] = next_cursor
        context["next_page_query"] = query.urlencode()
    return context


class WholeTable(Func):
    """An aggregate taken over every group of a grouped query, beside each group's own: a
    window over the GROUP BY (`SUM(COUNT(...)) OVER ()`), so a page of groups carries the
    whole table's totals and its number of rows in the page's own statement."""

    template = "%(function)s(%(expressions)s) OVER ()"
    contains_over_clause = True
    output_field = IntegerField()


def grouped_page(queryset, summed, number, size=PAGE_SIZE):
    """Page `number` (as the query gives it) of `queryset`, a grouped and ordered
    values().annotate() query, with the totals of its `summed` columns (names of its
    aggregates) over all its groups: (page, totals).

    ONE statement, however many groups: the page is a LIMIT/OFFSET of the groups
    and the totals and the number of groups are windows over them (WholeTable),
    so a bureau table of two thousand schools weighs what one of fifty does. A
    number past the last page shows the last (two more statements); one that is not
    a number shows the first, as Paginator.get_page does.
    """
    # F() of an aggregate's name is that aggregate's expression, already resolved.
    wholes = {f"whole_{name}": WholeTable(F(name), function="SUM") for name in summed}
    paged = queryset.annotate(**wholes, whole_rows=WholeTable(Count("*"), function="COUNT"))
    try:
        number = max(int(number), 1)
    except (TypeError, ValueError):
        number = 1
    rows = list(paged[(number - 1) * size : number * size])
    if not rows and number > 1:
        last = paged[:1]
        count = last[0]["whole_rows"] if last else 0
        number = max((count + size - 1) // size, 1)
        rows = list(paged[(number - 1) * size : number * size])
    totals = dict.fromkeys(summed, 0)
    count = 0
    for row in rows:
        count = row.pop("whole_rows")
        for name in summed:
            totals[name] = row.pop(f"whole_{name}") or 0
    page = Paginator(range(count), size).get_page(number)
    page.object_list = rows
    return page, totals


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception=None):
    """A 404: JSON under /api/ (an unknown route too), the site's page elsewhere."""
    if is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """A 500 raised outside DRF's views: JSON under /api/, the site's page elsewhere."""
    if is_api(request):
        return JsonResponse({"detail": _("A server error occurred.")}, status=500)
    return defaults.server_error(request)


def bad_request(request, exception=None):
    """A 400 raised outside DRF's views (a query-string date out of bounds), saying why:
    JSON under /api/, the site's page elsewhere."""
    message = str(exception.args[0]) if exception is not None and exception.args else ""
    if is_api(request):
        return JsonResponse({"detail": message or _("Bad request.")}, status=400)
    return render(request, "400.html", {"message": message}, status=400)
