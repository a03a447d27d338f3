# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The on-disk layout of one site: the one owner of every name under ``<root>`` (and of the few outside
it: the site's daemon process groups, its virtual host's file and log files).

``validate_sites`` returns :func:`site_paths` as each normalized site's ``paths``; the role's tasks
and templates read the paths and the marker names from there, and the modules that only get a site
root (``prune_releases``, ``activate_release``) use the names below. Owners and modes of these paths
are in ``_site_files``; docs/dev/contract.md has the tree. Pure Python, no Ansible import.
"""

from __future__ import annotations

# Directories of <root>.
RELEASES = 'releases'      # one directory per release id, code only (root:<site group> 0750)
VENVS = 'venvs'            # one virtualenv per requirements closure
CONF = 'conf'              # site.json, the settings shim, the boot and messages modules
BIN = 'bin'                # the manage wrapper
CACHE = 'cache'            # the source tarball and the git clone (root only)
RUN = 'run'                # daemon pid records <group>.<pid> (site user)
DATA = 'data'              # the site's own writable files, e.g. SQLite (site user)
SCRIPT_DIR = 'apache'      # the WSGI script alone, unless the site sets script_dir

# Links of <root> to a release.
CURRENT = 'current'
BLUE = 'blue'
GREEN = 'green'
COLORS = (BLUE, GREEN)
LIVE_LINKS = (BLUE, GREEN, CURRENT)
# What a site root holds: none of it may be a site's static or media directory (exposed by Apache).
SUBDIRS = (RELEASES, VENVS, CONF, DATA, RUN, CACHE, BIN, SCRIPT_DIR, BLUE, GREEN, CURRENT)

# Files.
SITE_JSON = 'site.json'
SETTINGS_SHIM = '_modwsgi_settings'
BOOT = '_modwsgi_boot.py'
MESSAGES = '_modwsgi_messages.py'
SCRIPT_NAME = 'django.wsgi'
MANAGE = 'manage'
SOURCE_ARCHIVE = 'source.tar.gz'
GIT_CLONE = 'git'

# Markers and links inside a release or a virtualenv.
RELEASE_MARKER = '.modwsgi-release'    # written last by the unpack: the release's code is complete
VENV_LINK = '.modwsgi-venv'            # release -> its virtualenv under venvs/
VENV_COMPLETE = '.modwsgi-complete'    # written last by a virtualenv build
PARTIAL_SUFFIX = '.partial'            # a release or virtualenv being built (never pruned, never live)
RELEASE_ID_LENGTH = 12                 # releases/<id>: the first 12 hex digits of the checksum or commit

# Names outside <root> that belong to a site: its daemon process groups, its virtual host's file and logs.
VHOST_LOG_KINDS = ('error', 'access', 'ssl-access')


def daemon_group(name, color=None):
    """The mod_wsgi daemon process group of site ``name``: ``<name>`` (restart), ``<name>_<color>`` (bluegreen)."""
    return name if color is None else '%s_%s' % (name, color)


def vhost_file(server_name):
    """The file of the virtual host ``server_name`` in Apache's sites-available."""
    return 'modwsgi-%s.conf' % server_name


def vhost_logs(server_name):
    """The log files of the virtual host ``server_name`` in Apache's log directory, by kind:
    ``{'error': ..., 'access': ..., 'ssl_access': ...}`` (``modwsgi-<server_name>-<kind>.log``)."""
    return dict((kind.replace('-', '_'), 'modwsgi-%s-%s.log' % (server_name, kind)) for kind in VHOST_LOG_KINDS)


def site_paths(root, script_dir):
    """Every path of the site rooted at ``root`` (``script_dir``: the directory of the WSGI script)."""
    def under(*parts):
        return '/'.join((root,) + parts)

    return {
        'root': root,
        'releases': under(RELEASES),
        'venvs': under(VENVS),
        'conf': under(CONF),
        'bin': under(BIN),
        'cache': under(CACHE),
        'run': under(RUN),
        'data': under(DATA),
        'site_json': under(CONF, SITE_JSON),
        'settings_module_file': under(CONF, SETTINGS_SHIM + '.py'),
        'boot': under(CONF, BOOT),
        'messages': under(CONF, MESSAGES),
        'script_dir': script_dir,
        'script': script_dir + '/' + SCRIPT_NAME,
        'manage': under(BIN, MANAGE),
        'source_archive': under(CACHE, SOURCE_ARCHIVE),
        'git_clone': under(CACHE, GIT_CLONE),
        'current': under(CURRENT),
        'blue': under(BLUE),
        'green': under(GREEN),
        'release_marker': RELEASE_MARKER,
        'venv_link': VENV_LINK,
        'partial_suffix': PARTIAL_SUFFIX,
    }
