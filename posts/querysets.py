from django.db.models import Exists, OuterRef

from schools.querysets import ScopedQuerySet


class MemberQuerySet(ScopedQuerySet):
    def with_phone_visibility(self, user):
        """Annotate `phone_visible`: may `user` see this member's phone in full?

        Only the staff and police liaisons of the schools the member serves now
        may; everyone else sees it masked. The same scope as every other access
        (Member.scope_via: assignments that have not ended), as one subquery,
        not a query per member.
        """
        visible = self.model.objects.for_user(user, "view_phone").filter(pk=OuterRef("pk"))
        return self.annotate(phone_visible=Exists(visible))
