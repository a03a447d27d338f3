# Per-site values from the environment (the deployment sets DJANGO_SECRET_KEY and DJANGO_DB_PATH);
# production.py imports this module last (the template's own extension point).
import os

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["DJANGO_DB_PATH"]}}
