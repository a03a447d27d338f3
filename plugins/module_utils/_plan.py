# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A converge planned from one read of the host (pure Python, no Ansible import).

Two halves that must agree on what is read:

* on the target, :func:`observe_host` (called by ``validate_sites`` with ``observe``) reads, in the
  same module run that validates the sites, everything the three roles decide from: the Apache
  configuration tree, every path of every site (releases, virtualenvs, links, generated files, logs),
  the colors map, installed packages, accounts, the Apache service and mod_wsgi's Python;
* on the controller, the planning functions below run the *same engines* the modules run (``_files``,
  ``_apache_config``, ``_release``, ``_prune``) in check mode against ``_view.SnapshotView`` of that
  snapshot, and return what the module would return on the host. The roles' action plugins run a
  module on the host only where its plan says something changes (and always outside check mode when
  it does: the module re-checks on the host and is the one that writes).

A question the snapshot cannot answer raises ``NotObserved``; the action plugins then run the module.
"""

from __future__ import annotations

import json
import os
import posixpath

from ansible_collections.modwsgi.django.plugins.module_utils import _apache_config, _files, _prune, _release
from ansible_collections.modwsgi.django.plugins.module_utils._activate import ActivationError, read_map
from ansible_collections.modwsgi.django.plugins.module_utils._observe import CONTENT, DIGEST, STAT, Request, observe, read_paths
from ansible_collections.modwsgi.django.plugins.module_utils._site_files import site_json
from ansible_collections.modwsgi.django.plugins.module_utils._site_tree import RELEASES, VENV_COMPLETE, VENV_LINK, VENVS
from ansible_collections.modwsgi.django.plugins.module_utils._view import LOCAL, NotObserved, SnapshotView  # noqa: F401 (NotObserved: for callers)

SNAPSHOT_VERSION = 1
APACHE_CONTENT_DIRS = ('mods-available', 'conf-available', 'sites-available')
APACHE_LINK_DIRS = ('mods-enabled', 'conf-enabled', 'sites-enabled')
GENERATED = ('boot', 'settings_module_file', 'script', 'manage', 'messages')
SITE_DIRS = ('root', 'conf', 'script_dir', 'bin', 'cache', 'run', 'data')
LINKS = ('blue', 'green', 'current')


# --------------------------------------------------------------------------- on the target
def _apache_content(name):
    return name.endswith('.load') or name.startswith(('modwsgi-', '000-modwsgi-'))


def _site_request(request, site, diff):
    paths = site['paths']
    for key in SITE_DIRS:
        request.want(paths[key])
    for key in ('releases', 'venvs'):
        request.listing(paths[key])
    for key in GENERATED:
        request.want(paths[key], CONTENT if diff else DIGEST)
    request.want(paths['site_json'])
    request.want(paths['source_archive'], DIGEST)
    for key in LINKS:
        request.want(paths[key])
    for kind in ('static', 'media'):
        if isinstance(site.get(kind), dict):
            request.want(site[kind]['dir'])
    request.python(site.get('python') or '/usr/bin/python3')


def _release_request(snapshot, sites, markers_of):
    """Second pass: the markers and venv link of each release, the completion marker of each venv."""
    request = Request()
    for site in sites:
        paths = site['paths']
        for release in (snapshot['paths'].get(paths['releases']) or {}).get('entries') or []:
            base = posixpath.join(paths['releases'], release)
            for marker in markers_of(site) + [VENV_LINK]:
                request.want(posixpath.join(base, marker))
        for venv in (snapshot['paths'].get(paths['venvs']) or {}).get('entries') or []:
            request.want(posixpath.join(paths['venvs'], venv, VENV_COMPLETE))
    return request


def observe_host(sites, secrets, options, run, diff=False):
    """The snapshot of this host for the normalized ``sites`` (see the module docstring).

    ``secrets``: site name -> the site's secrets from the inventory (site.json is compared here,
    on the target: only ``current``, never its checksum, leaves the host). ``options``: conf_root,
    log_dir, colors_map, service, mod_wsgi_module, pip_extra_args, extra_paths (list), mass_base_dir,
    mass_marker. ``run(argv) -> (rc, out, err)``.
    """
    conf_root = options.get('conf_root') or '/etc/apache2'
    request = Request()
    # The bytes of what apache_config reads: the .load files (their "# Depends:" lines) and the files the
    # collection writes; of everything else the listing (existence, links) is enough.
    for directory in APACHE_CONTENT_DIRS:
        request.listing(posixpath.join(conf_root, directory), STAT, content=_apache_content)
    for directory in APACHE_LINK_DIRS:
        request.listing(posixpath.join(conf_root, directory), STAT)
    request.want(posixpath.join(conf_root, 'ports.conf'), CONTENT)
    request.want(conf_root)
    if options.get('log_dir'):
        request.listing(options['log_dir'], STAT)
    if options.get('colors_map'):
        request.want(options['colors_map'], CONTENT)
    for path in options.get('extra_paths') or []:
        request.want(path, CONTENT)
    for key in ('mass_base_dir', 'mass_marker'):
        if options.get(key):
            request.want(options[key])
    for site in sites:
        _site_request(request, site, diff)
    snapshot = observe(request, run, service_name=options.get('service'), mod_wsgi_module=options.get('mod_wsgi_module'))
    second = _release_request(snapshot, sites, _release.markers)
    snapshot['paths'].update(read_paths(second))
    # What each existing release must link (its requirements closure on this host).
    versions = dict((python, (line.encode('utf-8') if line is not None else None)) for python, line in snapshot['pythons'].items())
    venvs = {}
    for site in sites:
        releases_dir = site['paths']['releases']
        for release in (snapshot['paths'].get(releases_dir) or {}).get('entries') or []:
            release_dir = posixpath.join(releases_dir, release)
            venvs[release_dir] = list(_release.expected_venv(site, release_dir, versions, run, options.get('pip_extra_args') or ''))
    snapshot['venvs'] = venvs
    for site in sites:
        path = site['paths']['site_json']
        found = snapshot['paths'].get(path)
        if found and found.get('type') == 'file':
            found['current'] = LOCAL.same_content(path, site_json(site, secrets.get(site['name'])).encode('utf-8'))
    snapshot['pip_extra_args'] = options.get('pip_extra_args') or ''
    snapshot['version'] = SNAPSHOT_VERSION
    return snapshot


# --------------------------------------------------------------------------- on the controller
def usable(snapshot):
    """Whether ``snapshot`` is one this code can plan from."""
    return isinstance(snapshot, dict) and snapshot.get('version') == SNAPSHOT_VERSION and 'paths' in snapshot


def missing_packages(snapshot, names):
    """The ``names`` dpkg does not have installed, in order."""
    installed = set(snapshot.get('packages') or [])
    return [name for name in names if name not in installed]


def service_current(snapshot):
    """True when the snapshot shows the service running and enabled."""
    found = snapshot.get('service') or {}
    return found.get('running') is True and found.get('enabled') is True


def accounts(snapshot, sites, shell='/usr/sbin/nologin'):
    """{'groups': [names to create], 'users': [site names whose user must be created or changed],
    'new_users': [user names that do not exist yet], 'new_groups': the same as 'groups'}.

    Daemon-mode sites only; a user is changed when its primary group, home (the site root) or shell
    differ from what the role sets. ``new_users``/``groups`` are what a failed first deploy may remove again.
    """
    users = (snapshot.get('accounts') or {}).get('users') or {}
    groups = (snapshot.get('accounts') or {}).get('groups') or {}
    want_groups, want_users, new_users = [], [], []
    for site in sites:
        if site.get('mode') != 'daemon':
            continue
        if site['group'] not in groups and site['group'] not in want_groups:
            want_groups.append(site['group'])
        user = users.get(site['user'])
        if user is None and site['user'] not in new_users:
            new_users.append(site['user'])
        if (user is None or site['group'] not in groups or user[1] != groups[site['group']]
                or user[2] != site['paths']['root'] or user[3] != shell):
            want_users.append(site['name'])
    return {'groups': want_groups, 'users': want_users, 'new_users': new_users, 'new_groups': list(want_groups)}


def file_batch(snapshot, entries, diff=False):
    """What ``file_batch`` would return on the host (check mode)."""
    paths, tags, diffs = _files.ensure(entries, check_mode=True, want_diff=diff, view=SnapshotView(snapshot))
    result = {'changed': bool(paths), 'changed_paths': paths, 'changed_tags': tags}
    if diffs:
        result['diff'] = diffs
    return result


class _ViewFS:
    """``_apache_config``'s file-system interface over a view (reads only)."""

    def __init__(self, view):
        self.view = view

    def read(self, path):
        return self.view.read(path)

    def mode(self, path):
        st = self.view.lstat(path)
        return None if st is None else st.st_mode & 0o7777

    def readlink(self, path):
        return self.view.readlink(path)

    def exists(self, path):
        return self.view.lexists(path)

    def is_file(self, path):
        st = self.view.stat(path)
        return st is not None and (st.st_mode & 0o170000) == 0o100000

    def _refuse(self, *args):
        raise NotObserved('a snapshot is never written')

    write = remove = symlink = _refuse


def apache_config(snapshot, params, diff=False):
    """What ``apache_config`` would return on the host (check mode; no config test)."""
    result = _apache_config.run(params, runner=None, fs=_ViewFS(SnapshotView(snapshot)), check_mode=True)
    planned = result.pop('diff')
    if diff:
        result['diff'] = planned
    return result


def release_status(snapshot, sites, release_ids, map_path):
    """What ``release_status`` would return on the host."""
    view = SnapshotView(snapshot)
    colors = read_map(map_path, view) if map_path else {}
    venvs = snapshot.get('venvs') or {}
    states = {}
    for site in sites:
        release_dir = _release.release_dir_of(site, (release_ids or {}).get(site['name']))

        def venv(release_dir=release_dir):
            if release_dir not in venvs:
                raise NotObserved(release_dir)
            return tuple(venvs[release_dir])

        state = _release.status(site, release_dir, colors, venv, view)
        state['release_dir'] = release_dir
        states[site['name']] = state
    return _release.summarize(sites, states)


def prune(snapshot, roots, keep):
    """What ``prune_releases`` would return on the host (check mode)."""
    view = SnapshotView(snapshot)
    removed = []
    for root in roots:
        releases, venvs = _prune.plan(root, keep, view)
        removed += [os.path.join(root, RELEASES, name) for name in releases]
        removed += [os.path.join(root, VENVS, name) for name in venvs]
    return {'changed': bool(removed), 'removed': removed}


# --------------------------------------------------------------------------- the django_site role's plan
SITE_MODULES = ('wsgi', 'rewrite', 'alias', 'headers')


def log_paths(layout, log_dir):
    """The per-site log files Apache writes (each vhost's ``logs``: error, access, ssl_access; mass hosting's
    error and access)."""
    names = []
    for vhost in layout.get('vhosts') or []:
        names += [vhost['logs'][kind] for kind in ('error', 'access', 'ssl_access')]
    mass = layout.get('mass_hosting')
    if mass:
        names += [mass['logs']['error'], mass['logs']['access']]
    return [posixpath.join(log_dir, name) for name in names]


def manifest(layout, colors_map, port):
    """The host's record of its sites for ``modwsgi.django.rollback`` (no secrets: names, roots, health paths)."""
    sites = [{'name': site['name'], 'mode': site['mode'], 'deploy': site.get('deploy'), 'root': site['paths']['root'],
              'server_name': site['server_name'], 'health_path': site['health_url_path'], 'port': int(port), 'scheme': 'http'}
             for site in layout.get('sites') or []]
    data = {'map_path': colors_map, 'sites': sorted(sites, key=lambda site: site['name'])}
    return json.dumps(data, indent=1, sort_keys=True) + '\n'


def small_files(colors_map, logs, manifest_path=None, manifest_text=None):
    """``file_batch`` entries of the colors map (it must exist before Apache reads it), the log files and the
    sites manifest."""
    entries = [{'path': colors_map, 'state': 'file', 'owner': 'root', 'group': 'root', 'mode': '0644'}]
    entries += [{'path': path, 'state': 'file', 'owner': 'root', 'group': 'adm', 'mode': '0640'} for path in logs]
    if manifest_path:
        # Read by root only (modwsgi.django.rollback), like the configuration around it (dev-sec apache-05).
        entries.append({'path': manifest_path, 'state': 'file', 'owner': 'root', 'group': 'root', 'mode': '0640',
                        'content': manifest_text})
    return entries


def managed_vhosts(snapshot, conf_root):
    """Paths of ``sites-available/modwsgi-*.conf`` on the host, or None when the snapshot did not list them."""
    directory = posixpath.join(conf_root, 'sites-available')
    found = ((snapshot or {}).get('paths') or {}).get(directory) or {}
    if 'entries' not in found:
        return None
    return [posixpath.join(directory, name) for name in found['entries']
            if name.startswith('modwsgi-') and name.endswith('.conf')]


def vhost_params(layout, rendered, conf_root, managed):
    """The ``apache_config`` options of the sites: every vhost file, the global file, what to enable, and the
    managed vhost files no site renders any more (disabled; their files stay in sites-available)."""
    files = list(rendered['vhosts'])
    files.append({'path': posixpath.join(conf_root, 'conf-available', 'modwsgi-django-sites.conf'), 'content': rendered['sites_conf']})
    mass = layout.get('mass_hosting')
    if mass:
        files.append({'path': posixpath.join(conf_root, 'sites-available', 'modwsgi-mass-%s.conf' % mass['server_name']),
                      'content': rendered['mass_conf']})
    paths = [item['path'] for item in files]
    sites = [posixpath.basename(path)[:-len('.conf')] for path in paths if '/sites-available/' in path]
    stale = [path for path in (managed or []) if path not in paths]
    mods = list(SITE_MODULES) + (['ssl'] if any(vhost.get('tls') for vhost in layout.get('vhosts') or []) else [])
    return {'root': conf_root, 'files': files,
            'enable': {'mods': mods, 'conf': ['modwsgi-django-sites'], 'sites': sites},
            'disable': {'sites': [posixpath.basename(path)[:-len('.conf')] for path in stale]}}


# What a plan may raise instead of answering: the module then runs on the host and says it there.
UNPLANNABLE = (NotObserved, _apache_config.ConfigError, _files.FileBatchError, ActivationError, OSError, ValueError, KeyError)


def _safely(plan, *args):
    """A plan function's answer, or None when the snapshot cannot answer (then the module decides)."""
    try:
        return plan(*args)
    except UNPLANNABLE:
        return None


def sites(snapshot, layout, rendered, inventory_sites, release_ids, options):
    """Everything the django_site role does in this converge, planned from the snapshot.

    ``rendered``: ``generated`` (site name -> boot/settings/wsgi/manage/messages text), ``vhosts`` ([{path,
    content}]), ``sites_conf``, ``mass_conf``. ``options``: packages, apache_group, conf_root, log_dir,
    colors_map, map_path, keep, pip_extra_args, mass ({base_dir, marker} of mass hosting), manifest (its path), port
    (Apache's HTTP port, for the health checks the manifest records). Returns the arguments of the role's module runs
    (``entries``, ``small_files``, ``apache``), and per step whether it changes anything (None: the
    snapshot cannot tell, the module decides). ``changed``: whether anything at all is to be done.
    """
    from ansible_collections.modwsgi.django.plugins.module_utils._site_files import json_entries, layout_entries

    site_list = layout.get('sites') or []
    conf_root = options['conf_root']
    entries = layout_entries(site_list, rendered['generated'], options['apache_group'])
    small = small_files(options['colors_map'], log_paths(layout, options['log_dir']), options.get('manifest'),
                        manifest(layout, options['colors_map'], options.get('port', 80)))
    apache = vhost_params(layout, rendered, conf_root, managed_vhosts(snapshot, conf_root))
    plan = {'entries': entries, 'small_files': small, 'apache': apache}
    if not usable(snapshot) or (snapshot.get('pip_extra_args') or '') != (options.get('pip_extra_args') or ''):
        plan.update(packages=list(options.get('packages') or []), accounts=None, code=None, json=None, small=None,
                    apache_changed=None, status=None, prune=None, changed=True)
        return plan

    def changed(result):
        return None if result is None else result['changed']

    code = _safely(file_batch, snapshot, entries)
    plan['packages'] = missing_packages(snapshot, options.get('packages') or [])
    plan['accounts'] = accounts(snapshot, site_list)
    plan['code'] = changed(code)
    plan['restart'] = None if code is None else code['changed_tags']
    plan['small'] = changed(_safely(file_batch, snapshot, small))
    plan['json'] = changed(_safely(file_batch, snapshot, json_entries(site_list, inventory_sites)))
    plan['apache_changed'] = changed(_safely(apache_config, snapshot, apache))
    status = _safely(release_status, snapshot, site_list, release_ids, options['map_path'])
    plan['status'] = status
    plan['prune'] = changed(_safely(prune, snapshot, [site['paths']['root'] for site in site_list], int(options['keep'])))
    # A release built in this run may push a site over the number kept: prune then runs too.
    building = set(status['build']) if status else set(site['name'] for site in site_list)
    plan['prune_after_build'] = plan['prune'] is not False or any(
        _release_count(snapshot, site) + 1 > int(options['keep']) for site in site_list if site['name'] in building)
    current = _safely(mass_current, snapshot, options.get('mass')) if layout.get('mass_hosting') else True
    plan['mass'] = None if current is None else not current
    plan['changed'] = (bool(plan['packages']) or bool(plan['accounts']['groups']) or bool(plan['accounts']['users'])
                       or status is None or bool(status['build']) or bool(status['activate'])
                       or any(plan[key] is not False for key in ('code', 'json', 'small', 'apache_changed', 'prune', 'mass')))
    return plan


def _release_count(snapshot, site):
    """Releases of a site the snapshot lists (as prune counts them); a large number when it cannot tell."""
    found = (snapshot.get('paths') or {}).get(site['paths']['releases'])
    if found is None:
        return 1 << 30
    return len([name for name in found.get('entries') or [] if not name.startswith('.') and not name.endswith('.partial')])


def mass_current(snapshot, mass):
    """Whether the mass hosting base directory (root:root 0755) and its virtualenv's marker are there."""
    if not mass or not mass.get('base_dir') or not mass.get('marker'):
        return False
    view = SnapshotView(snapshot)
    st = view.stat(mass['base_dir'])
    users = (snapshot.get('accounts') or {}).get('users') or {}
    root_uid = users.get('root', [0])[0]
    return (st is not None and (st.st_mode & 0o170000) == 0o040000 and st.st_mode & 0o7777 == 0o755
            and st.st_uid == root_uid and st.st_gid == view.gid('root') and view.exists(mass['marker']))


def _activation(snapshot, site, release_dir, map_path):
    """What activate_release would do for a site, as ``_activate.plan`` says from the snapshot."""
    from ansible_collections.modwsgi.django.plugins.module_utils._activate import plan as activation_plan

    mode = site.get('deploy') if site.get('mode') == 'daemon' else 'embedded'
    params = {'name': site['name'], 'mode': mode, 'root': site['paths']['root'], 'release_dir': release_dir, 'map_path': map_path}
    step = activation_plan(params, view=SnapshotView(snapshot))
    result = step['result']
    if step['action'] in ('switch', 'rollback'):
        return '%s -> %s (%s)' % (step['live'], step['idle'], os.path.basename(release_dir))
    if step['action'] == 'first':
        return 'first release %s on blue and green' % os.path.basename(release_dir)
    if step['action'] == 'relink':
        return '%s -> %s%s' % (os.path.basename(step['previous'] or '') or 'nothing', os.path.basename(release_dir),
                               ' (graceful reload)' if result.get('reload_required') else '')
    return 'live already'


def summary(snapshot, plan, layout, map_path):
    """The plan in words, for check mode: what this converge would install, write, build, flip, prune."""
    if plan.get('status') is None or not usable(snapshot):
        return {'plan': 'not known from the read of the host; each step asks the host'}
    status = plan['status']
    sites = dict((site['name'], site) for site in layout.get('sites') or [])
    out = {}
    if plan.get('packages'):
        out['packages to install'] = plan['packages']
    accounts = plan.get('accounts') or {}
    if accounts.get('groups') or accounts.get('users'):
        out['accounts to create or change'] = {'groups': accounts.get('groups'), 'users of sites': accounts.get('users')}
    for key, label in (('code', 'site directories and generated files'), ('json', 'site.json (settings, secrets)'),
                       ('small', 'colors map, log files, sites manifest'), ('apache_changed', 'Apache configuration'),
                       ('mass', 'mass hosting')):
        if plan.get(key) is not False:
            out[label] = 'would change' if plan.get(key) else 'the host decides'
    if status['build']:
        out['releases to build'] = dict((name, status['sites'][name]['why']) for name in status['build'])
    flips = {}
    for name in status['activate'] + [name for name in (plan.get('restart') or []) if name not in status['activate']]:
        release_dir = status['sites'][name]['release_dir']
        if release_dir is None:
            flips[name] = 'after the build on the host'
            continue
        try:
            flips[name] = _activation(snapshot, sites[name], release_dir, map_path)
        except UNPLANNABLE + (Exception,):  # noqa: B014 - a summary never fails the plan
            flips[name] = 'the host decides'
        if name in (plan.get('restart') or []) and name not in status['activate']:
            flips[name] = 'restart for new settings or boot code'
    if flips:
        out['activations'] = flips
    if plan.get('prune_after_build'):
        out['old releases'] = 'pruned'
    return out or {'plan': 'nothing to change'}
