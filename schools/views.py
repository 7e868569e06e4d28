from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import DetailView, ListView

from schools.models import School


class SchoolListView(LoginRequiredMixin, ListView):
    paginate_by = 50

    def get_queryset(self):
        return School.objects.for_user(self.request.user).with_organisation()


class SchoolDetailView(LoginRequiredMixin, DetailView):
    def get_queryset(self):
        return School.objects.for_user(self.request.user).with_organisation()
