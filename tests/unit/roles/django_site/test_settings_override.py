# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rendered settings override (roles/django_site/templates/settings.py.j2), executed as Python.

Its LOGGING default sends django.request errors (the tracebacks of 500s) to stderr, which mod_wsgi
writes to the site's Apache error log, unless the project or django_settings configures LOGGING.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import jinja2
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
TEMPLATES = os.path.join(ROOT, 'roles', 'django_site', 'templates')


def render(settings_module, site_json):
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), trim_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters['to_json'] = json.dumps
    item = {'name': 'shop', 'settings': settings_module, 'paths': {'site_json': site_json}}
    return env.get_template('settings.py.j2').render(__django_site_item=item)


# Stand-in for Django's django.utils.log.RequireDebugFalse (Django is not installed here): the
# settings module's DEBUG decides, as django.conf.settings.DEBUG would.
FAKE_DJANGO_LOG = """
import logging
import sys


class RequireDebugFalse(logging.Filter):
    def filter(self, record):
        return not getattr(sys.modules["_modwsgi_settings"], "DEBUG", False)
"""

# Django calls dictConfig(DEFAULT_LOGGING) and then dictConfig(settings.LOGGING); a view that raises
# is logged by django.request at ERROR with the traceback (exc_info), a 404 at WARNING.
LOG_A_500 = """
import logging, logging.config
import _modwsgi_settings as settings
logging.config.dictConfig(settings.LOGGING)
logger = logging.getLogger("django.request")
try:
    raise RuntimeError("probe: intentional failure")
except RuntimeError:
    logger.error("Internal Server Error: %s", "/fail/", exc_info=True, extra={"status_code": 500})
logger.warning("Not Found: %s", "/nowhere/")
print(logger.propagate)
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    """make(settings.py text, django_settings) -> (the override's namespace, its directory).

    A project package ``shop`` with that settings.py, the site's site.json, and the rendered override
    as ``_modwsgi_settings.py`` next to a stand-in ``django.utils.log``.
    """
    package = tmp_path / 'shop'
    package.mkdir()
    (package / '__init__.py').write_text('')
    (tmp_path / 'django' / 'utils').mkdir(parents=True)
    for name in ('django/__init__.py', 'django/utils/__init__.py'):
        (tmp_path / name).write_text('')
    (tmp_path / 'django' / 'utils' / 'log.py').write_text(FAKE_DJANGO_LOG)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, 'dont_write_bytecode', True)

    def make(settings_text, django_settings=None):
        (package / 'settings.py').write_text(settings_text)
        site_json = tmp_path / 'site.json'
        site_json.write_text(json.dumps({'settings': django_settings or {}}))
        code = render('shop.settings', str(site_json))
        (tmp_path / '_modwsgi_settings.py').write_text(code)
        for name in ('shop', 'shop.settings'):  # each test has its own package
            monkeypatch.delitem(sys.modules, name, raising=False)
        namespace = {'__name__': '_modwsgi_settings'}
        exec(compile(code, '_modwsgi_settings.py', 'exec'), namespace)
        return namespace, tmp_path

    return make


def log_a_500(directory):
    """Configure logging from the override in a fresh interpreter (dictConfig is process-wide), log a 500."""
    proc = subprocess.run([sys.executable, '-c', LOG_A_500], cwd=str(directory), capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(directory), PYTHONDONTWRITEBYTECODE='1'), check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stderr, proc.stdout.strip()


def test_without_logging_a_500_traceback_reaches_stderr(project):
    settings, directory = project('SECRET_KEY = "x"\n')
    assert settings['SECRET_KEY'] == 'x' and 'LOGGING' in settings
    stderr, propagate = log_a_500(directory)
    assert 'ERROR django.request: Internal Server Error: /fail/' in stderr, stderr
    assert 'Traceback (most recent call last):' in stderr and 'RuntimeError: probe: intentional failure' in stderr, stderr
    assert 'Not Found' not in stderr  # 404s and other warnings stay out of the error log
    assert propagate == 'True'  # the project's handlers on "django" (mail_admins) still get them


def test_with_debug_on_django_own_console_handler_prints_them_so_ours_does_not(project):
    dummy, directory = project('DEBUG = True\n')
    stderr, dummy = log_a_500(directory)
    assert stderr == ''


@pytest.mark.parametrize('text', [
    'LOGGING = {"version": 1, "loggers": {"myapp": {"level": "INFO"}}}\n',
    'LOGGING = {}\n',
    'LOGGING_CONFIG = None\n',
    'LOGGING_CONFIG = "myproject.log.setup"\n',
])
def test_a_project_that_configures_logging_keeps_its_own(project, text):
    settings, dummy = project(text)
    expected = {}
    exec(text, expected)
    for name in ('LOGGING', 'LOGGING_CONFIG'):
        assert settings.get(name, 'unset') == expected.get(name, 'unset'), name


def test_logging_from_django_settings_wins(project):
    own = {'version': 1, 'root': {'level': 'WARNING'}}
    settings, dummy = project('SECRET_KEY = "x"\n', django_settings={'LOGGING': own})
    assert settings['LOGGING'] == own
