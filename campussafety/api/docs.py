"""The OpenAPI schema and Swagger UI, for signed-in users unless API_DOCS_PUBLIC.

The schema lists every endpoint and field: a map worth keeping from the
internet at large. The setting is read per request, so tests can flip it.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny, BasePermission


class DocsReader(BasePermission):
    def has_permission(self, request, view):
        return settings.API_DOCS_PUBLIC or bool(request.user and request.user.is_authenticated)


class SchemaView(SpectacularAPIView):
    # 401/403 for anonymous API clients, like every other endpoint.
    permission_classes = [DocsReader]


class DocsView(SpectacularSwaggerSplitView):
    # A person in a browser is sent to the sign-in page and back.
    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if not DocsReader().has_permission(request, self):
            return redirect_to_login(request.get_full_path())
        return super().get(request, *args, **kwargs)
