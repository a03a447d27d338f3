"""Settings of a deliberately broken release of `probe`.

Importing this module fails with ModuleNotFoundError, so everything that
loads the settings fails too: the WSGI application (and the collection's
`_modwsgi_settings`, which star-imports it), `manage.py check`, `migrate`
and `collectstatic`. Used to deploy a broken release of a probe site.
"""

import importlib

# Deliberately missing: raises ModuleNotFoundError when the settings are imported.
importlib.import_module("probe_missing_dependency")
