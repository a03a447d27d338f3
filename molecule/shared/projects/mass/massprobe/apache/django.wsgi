"""WSGI script of one mass-hosted site (the mod_wsgi guide's layout).

<base_dir>/<site>/apache/django.wsgi   this file
<base_dir>/<site>/massprobe/           the Django project package
<base_dir>/<site>/media/               served by Apache directly

Nothing here depends on <site>: the tree is copied under several names.
"""

import os
import sys

SITE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if SITE_DIR not in sys.path:
    sys.path.insert(0, SITE_DIR)

# Assignment, not setdefault: os.environ is shared by every interpreter of
# the process, so a value left by another site must not win.
os.environ["DJANGO_SETTINGS_MODULE"] = "massprobe.settings"

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
