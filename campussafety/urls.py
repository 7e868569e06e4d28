from django.contrib import admin
from django.urls import include, path
from rest_framework.routers import APIRootView

from accounts.api.views import ObtainTokenView, RevokeTokenView
from campussafety.api.docs import DocsView, SchemaView
from campussafety.health import health_view
from campussafety.media import ProtectedMediaView
from drills.api_plans import router as drill_plans_router
from equipment.api.urls import router as equipment_router
from equipment.api_checks import router as equipment_checks_router
from posts.api.urls import router as posts_router
from reminders.api.urls import router as reminders_router
from schools.api.urls import router as schools_router

# The browsable index of /api/v1/: every router's list endpoint, by its prefix.
API_ROOT = {
    prefix: f"{basename}-list"
    for router in (
        schools_router,
        posts_router,
        reminders_router,
        drill_plans_router,
        equipment_router,
        equipment_checks_router,
    )
    for prefix, _viewset, basename in router.registry
}

api_v1 = [
    path("", APIRootView.as_view(api_root_dict=API_ROOT), name="api-root"),
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("auth/token/revoke/", RevokeTokenView.as_view(), name="api-token-revoke"),
    path("", include("schools.api.urls")),
    path("", include("posts.api.urls")),
    path("", include("reminders.api.urls")),
    path("", include("inspections.api.urls")),
    path("", include("drills.api.urls")),
    path("", include("equipment.api.urls")),
    path("", include("drills.api_plans")),
    path("", include("equipment.api_checks")),
    path("", include("equipment.api_extinguishers")),
    path("", include("coordination.api.urls")),
    path("", include("dashboards.api.urls")),
]

urlpatterns = [
    path("", include("portal.urls")),
    path("", include("accounts.urls")),
    path("", include("accounts.auth_urls")),
    path("schools/", include("schools.urls")),
    path("posts/", include("posts.urls")),
    path("inspections/", include("inspections.urls")),
    path("drills/", include("drills.urls")),
    path("equipment/", include("equipment.urls")),
    path("drills/", include("drills.urls_plans")),
    path("equipment/checks/", include("equipment.urls_checks")),
    path("coordination/", include("coordination.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("inbox/", include("reminders.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file, as the CSP requires.
    path(
        "api/docs/",
        DocsView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    path("health/", health_view, name="health"),
    path("media/<path:path>", ProtectedMediaView.as_view(), name="media"),
]

# Under /api/ an error outside DRF's views (an unknown route, a crash in
# middleware) answers JSON like the API's own errors; elsewhere the site's pages.
handler400 = "campussafety.views.bad_request"
handler404 = "campussafety.views.page_not_found"
handler500 = "campussafety.views.server_error"
