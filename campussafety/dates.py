"""Date ranges asked for by pages and the API, checked the same way by both."""

from django.utils.translation import gettext as _


def date_range_errors(start, end, max_days) -> dict[str, str]:
    """The field errors of a range from `start` to `end` (both included), or none.

    A form adds them with add_error, a serializer raises them: the same words either way.
    """
    if end < start:
        return {"end": _("The end is before the start.")}
    if (end - start).days >= max_days:
        return {"end": _("Ask for at most %(days)s days at a time.") % {"days": max_days}}
    return {}
