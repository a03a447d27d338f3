"""Root URLconf: the admin plus the probe app mounted at the root."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("probe.app_urls")),
]
