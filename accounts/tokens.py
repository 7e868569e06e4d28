"""API tokens (django-rest-knox): issued per sign-in, expiring, revocable.

knox keeps only a SHA-512 digest of each token, so a copy of the database
gives no working token; each sign-in gets its own token, so revoking one
script's token leaves the others working. Expiry is REST_KNOX["TOKEN_TTL"]
(API_TOKEN_DAYS).
"""

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import knox_settings


def issue_token(user) -> tuple[AuthToken, str]:
    """A new token for `user`: (the stored row, the token itself, shown once)."""
    # Expired tokens are deleted here, so they do not pile up per user.
    AuthToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    return AuthToken.objects.create(user=user, expiry=knox_settings.TOKEN_TTL)


def active_tokens(user):
    return AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="revoke_tokens_on_password")
def revoke_tokens_on_new_password(sender, instance, created, **kwargs):
    """A new password ends every API token, as it ends every other session.

    Django rotates the session hash on a password change; tokens have no such
    link, so they are revoked here, whichever way the password was set (the
    user's change page, a reset by email, the admin, `changepassword`).
    set_password() leaves the raw password in `_password` until save() is done.
    """
    if not created and getattr(instance, "_password", None) is not None:
        AuthToken.objects.filter(user=instance).delete()
