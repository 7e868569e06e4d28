from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.throttling import AnonRateThrottle


class TokenThrottle(AnonRateThrottle):
    # Slows password guessing against the token endpoint.
    rate = "30/min"


class ObtainTokenView(ObtainAuthToken):
    """POST username and password, get the user's API token.

    Wrong credentials answer 400 without saying whether the user name or the
    password was wrong.
    """

    permission_classes = [AllowAny]
    throttle_classes = [TokenThrottle]

    @extend_schema(
        responses=inline_serializer("Token", {"token": serializers.CharField()}),
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
