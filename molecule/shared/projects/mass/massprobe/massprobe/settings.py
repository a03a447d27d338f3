"""Minimal settings of the mass-hosting probe site (no database)."""

import os

DEBUG = False

# A test fixture: a fixed key is acceptable when none is provided.
SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY", "massprobe-fixture-key-not-for-production-use-0123"
)

# Mass hosting serves unknown names; restrict through the env if wanted.
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "*").split(",")
    if host.strip()
]

INSTALLED_APPS = []
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "massprobe.urls"
DATABASES = {}
USE_TZ = True
