"""Querysets of the inspection models; `for_user` (accounts/scope.py) is how callers get rows."""

from django.db import models

from schools.querysets import CityOrNationalQuerySet, ScopedQuerySet


class ChecklistTemplateQuerySet(CityOrNationalQuerySet):
    def with_current_version(self):
        # The number of each template's newest version, for lists of templates.
        return self.annotate(current_number=models.Max("versions__number"))


class CheckpointQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)
