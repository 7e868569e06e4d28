"""Signing in to the API and out of it: issuing and revoking tokens."""

from django.contrib.auth.signals import user_logged_in
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox.views import LogoutView
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from accounts.api.authentication import TokenAuthentication
from accounts.lockout import LockedOut
from accounts.tokens import issue_token
from campussafety.client_ip import client_ip


class TokenThrottle(AnonRateThrottle):
    # Slows a flood of sign-ins from one address, successful ones included;
    # django-axes locks out repeated failures.
    rate = "30/min"

    def get_ident(self, request):
        return client_ip(request)


class ObtainTokenView(APIView):
    """POST username and password, get a new API token and its expiry.

    Wrong credentials answer 400 without saying whether the user name or the
    password was wrong; a locked-out account or address answers 429.
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenThrottle]

    @extend_schema(
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer(
                "Token",
                {"token": serializers.CharField(), "expiry": serializers.DateTimeField()},
            ),
            400: OpenApiResponse(description="Wrong credentials or missing fields."),
            429: OpenApiResponse(description="Too many failed sign-ins; try again later."),
        },
    )
    def post(self, request):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        valid = serializer.is_valid()
        # django-axes marks the request it was given to authenticate() when the
        # account or address is locked out, without hashing the password.
        if getattr(request, "axes_locked_out", False):
            raise LockedOut()
        if not valid:
            raise ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        instance, token = issue_token(user)
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        return Response(
            {
                "token": token,
                "expiry": serializers.DateTimeField().to_representation(instance.expiry),
            }
        )


class RevokeTokenView(LogoutView):
    """POST with `Authorization: Token <token>`: that token stops working (204)."""

    authentication_classes = [TokenAuthentication]

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format)
