from django.db.models import Exists, OuterRef

from schools.querysets import ScopedQuerySet


class MemberQuerySet(ScopedQuerySet):
    def with_phone_visibility(self, user):
        """Annotate `phone_visible`: may `user` see this member's phone in full?

        Only the member's own schools' staff and police liaisons may; everyone
        else sees it masked. One subquery, not a query per member.
        """
        from posts.models import MemberAssignment

        visible = MemberAssignment.objects.for_user(user, "view_phone").filter(
            member=OuterRef("pk")
        )
        return self.annotate(phone_visible=Exists(visible))
