# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real site trees for the module tests of the build path (build_release, manage_steps, site_virtualenv, ...).

* :func:`normalized`: one site as ``validate_sites`` returns it, rooted where the test says.
* :func:`wheel`: a pure-Python wheel written by hand, so that pip resolves and installs offline
  (``--no-index --find-links``).
* :func:`tarball`: a release tarball holding a stand-in ``django`` package (see FAKE_DJANGO): the boot
  module puts the release on ``sys.path``, so ``bin/manage`` imports it from the release.
* :class:`LiveTree` (fixture ``live_tree`` in conftest.py): a site root the site user can reach, with the role's real
  ``conf/_modwsgi_boot.py`` and ``bin/manage`` rendered from the normalized site, for tests that run
  management steps for real. The site user is an account every Debian host has (``nobody``, its primary
  group): nothing is created on the system. It needs root (``setpriv``, chown) and an interpreter that
  account can run (:func:`site_python`); the tests that use it are skipped otherwise (:data:`needs_root`).
"""

from __future__ import annotations

import functools
import grp
import io
import json
import os
import pwd
import shutil
import subprocess
import sys
import tarfile
import zipfile

import jinja2
import pytest

from ansible_collections.modwsgi.django.plugins.module_utils._fs import parse_mode
from ansible_collections.modwsgi.django.plugins.module_utils._layout import validate
from ansible_collections.modwsgi.django.plugins.module_utils._requirements import fingerprint
from ansible_collections.modwsgi.django.plugins.module_utils._site_files import layout_entries
from ansible_collections.modwsgi.django.plugins.module_utils._site_tree import VENV_COMPLETE

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
TEMPLATES = os.path.join(REPO, 'roles', 'django_site', 'templates')
SITE_USER = 'nobody'


def normalized(root, name='shop', **extra):
    """One site as validate_sites normalizes it, its root at ``root`` (on paper: nothing is read)."""
    raw = {'name': name, 'server_name': '%s.example.com' % name, 'project': name, 'root': str(root),
           'python': sys.executable, 'requirements': None, 'source': {'type': 'path', 'path': '/src/%s' % name}}
    raw.update(extra)
    result = validate([raw], check_filesystem=False)
    assert not result.errors, result.errors
    return result.sites[0]


def wheel(directory, name, version='1.0', requires_python='>=3'):
    """Write ``<name>-<version>-py3-none-any.whl`` (a package ``name`` with VERSION) into ``directory``."""
    dist = '%s-%s.dist-info' % (name, version)
    files = {
        '%s/__init__.py' % name: 'VERSION = %r\n' % version,
        dist + '/METADATA': 'Metadata-Version: 2.1\nName: %s\nVersion: %s\nRequires-Python: %s\n' % (name, version, requires_python),
        dist + '/WHEEL': 'Wheel-Version: 1.0\nGenerator: modwsgi-unit\nRoot-Is-Purelib: true\nTag: py3-none-any\n',
    }
    files[dist + '/RECORD'] = ''.join('%s,,\n' % path for path in files) + dist + '/RECORD,,\n'
    path = os.path.join(str(directory), '%s-%s-py3-none-any.whl' % (name, version))
    with zipfile.ZipFile(path, 'w') as archive:
        for member, text in files.items():
            archive.writestr(member, text)
    return path


# The stand-in for django.core.management that the releases of these tests ship. Each command appends
# {"argv", "uid", "pid", "release"} to $FAKE_RECORD; the command named by $FAKE_FAIL prints and exits 3;
# collectstatic writes into $FAKE_STATIC; compilemessages writes next to the code (both need the
# unsealed tree); check prints a finding (with the uid it ran as) when $FAKE_WARN is set.
FAKE_DJANGO = '''
import json
import os
import sys


class ManagementUtility:
    def __init__(self, argv):
        self.argv = argv

    def execute(self):
        command = self.argv[1]
        release = sys.argv[1]
        with open(os.environ["FAKE_RECORD"], "a") as handle:
            handle.write(json.dumps({"argv": self.argv[1:], "uid": os.getuid(), "pid": os.getpid(), "release": release}) + "\\n")
        if command == os.environ.get("FAKE_FAIL"):
            print("partial output of " + command)
            sys.exit(3)
        if command == "collectstatic":
            os.makedirs(os.path.join(os.environ["FAKE_STATIC"], "admin"), exist_ok=True)
            with open(os.path.join(os.environ["FAKE_STATIC"], "staticfiles.json"), "w") as handle:
                handle.write("{}")
        if command == "compilemessages":
            with open(os.path.join(release, "django.mo"), "w") as handle:
                handle.write("compiled")
        if command == "check" and os.environ.get("FAKE_WARN"):
            print("System check identified some issues:\\n\\nWARNINGS:\\n?: (security.W004) run as uid %d" % os.getuid())


def execute_from_command_line(argv):
    ManagementUtility(argv).execute()
'''


def tarball(path, files=None):
    """A release tarball at ``path`` holding the stand-in django package and ``files`` ({name: text})."""
    members = {'django/__init__.py': '', 'django/core/__init__.py': '', 'django/core/management/__init__.py': FAKE_DJANGO,
               'manage.py': '# the project\n'}
    members.update(files or {})
    with tarfile.open(str(path), 'w:gz') as tar:
        for name, text in sorted(members.items()):
            data = text.encode('utf-8')
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return str(path)


def site_account():
    """(user, primary group) of the account the live trees run their steps as, or None."""
    try:
        entry = pwd.getpwnam(SITE_USER)
        return entry.pw_name, grp.getgrgid(entry.pw_gid).gr_name
    except KeyError:
        return None


@functools.lru_cache(maxsize=None)
def site_python():
    """An interpreter the site user can run, that makes virtualenvs whose python it can run too, or None."""
    account = site_account()
    if account is None or os.geteuid() != 0 or not shutil.which('setpriv'):
        return None
    candidates = [os.path.realpath(getattr(sys, '_base_executable', sys.executable)), '/usr/bin/python3']
    probe = 'import ensurepip, sys, venv; sys.exit(0 if sys.prefix == sys.base_prefix else 1)'
    for python in candidates:
        if not os.path.exists(python):
            continue
        proc = subprocess.run(['setpriv', '--reuid=%s' % account[0], '--regid=%s' % account[1], '--init-groups', '--',
                               python, '-c', probe], capture_output=True, check=False)
        if proc.returncode == 0:
            return python
    return None


needs_root = pytest.mark.skipif(
    site_python() is None,
    reason='runs management steps for real: needs root, setpriv, the account %r and an interpreter it can run' % SITE_USER)


def render(template, site):
    """A django_site template rendered for ``site`` (the filters these templates use, nothing undefined)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    env.filters.update(to_json=json.dumps, basename=os.path.basename, bool=bool,
                       ternary=lambda value, yes, no: yes if value else no)
    return env.get_template(template).render(__django_site_item=site)


class LiveTree:
    """A site tree under a fresh directory of /tmp (pytest's own is private to root), laid out as the role
    lays it out before a build (``_site_files.layout_entries``: owners, modes, the rendered boot module,
    settings shim, WSGI script and bin/manage) plus conf/site.json with the stand-in's settings."""

    def __init__(self, top, apache_group=None, **extra):
        self.top = top
        self.user, self.group = site_account()
        self.apache_group = apache_group or self.group
        self.uid = pwd.getpwnam(self.user).pw_uid
        self.gid = grp.getgrnam(self.group).gr_gid
        self.record = os.path.join(top, 'record')
        with open(self.record, 'w'):
            pass
        os.chmod(self.record, 0o666)
        extra.setdefault('python', site_python())
        extra.setdefault('migrate', True)
        extra.setdefault('manage_steps', ['compilemessages'])
        self.site = normalized(os.path.join(top, 'shop'), daemon={'user': self.user, 'group': self.group}, **extra)
        rendered = {self.site['name']: dict((key, render(template, self.site)) for key, template in (
            ('boot', 'boot.py.j2'), ('settings', 'settings.py.j2'), ('wsgi', 'django.wsgi.j2'), ('manage', 'manage.j2'),
            ('messages', 'messages.py.j2')))}
        for entry in layout_entries([self.site], rendered, self.apache_group):
            if entry['state'] == 'directory':
                os.makedirs(entry['path'], exist_ok=True)
            else:
                with open(entry['path'], 'w') as handle:
                    handle.write(entry['content'])
            os.chown(entry['path'], pwd.getpwnam(entry['owner']).pw_uid, grp.getgrnam(entry['group']).gr_gid)
            os.chmod(entry['path'], parse_mode(entry['mode']))
        self.environ()

    def finished_venv(self, extra_args=''):
        """A finished virtualenv of the site's interpreter where a release without requirements looks for one
        (``venvs/<fingerprint>``, sealed, ``.modwsgi-complete``): made without pip, so in a fraction of the time."""
        version = subprocess.run([self.site['python'], '-c', 'import sys; print(sys.version)'], capture_output=True,
                                 check=True).stdout
        venv = os.path.join(self.site['paths']['venvs'], fingerprint(None, version, extra_args))
        subprocess.run([self.site['python'], '-m', 'venv', '--without-pip', venv], check=True)
        open(os.path.join(venv, VENV_COMPLETE), 'w').close()
        for path in [venv] + [os.path.join(parent, name) for parent, dirs, files in os.walk(venv) for name in dirs + files]:
            os.lchown(path, 0, self.gid)
        return venv

    def write(self, path, text, mode):
        with open(path, 'w') as handle:
            handle.write(text)
        os.chown(path, 0, self.gid)
        os.chmod(path, mode)

    def environ(self, **extra):
        """Write conf/site.json: the stand-in's settings plus ``extra`` (FAKE_FAIL, FAKE_WARN)."""
        environ = {'FAKE_RECORD': self.record, 'FAKE_STATIC': self.site['static']['dir']}
        environ.update(extra)
        self.write(self.site['paths']['site_json'], json.dumps({'environ': environ, 'settings': {}}), 0o640)

    def calls(self):
        """What the stand-in recorded, one dict per command."""
        with open(self.record) as handle:
            return [json.loads(line) for line in handle if line.strip()]
