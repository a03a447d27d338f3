# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Path rules: sys-path and the site's paths, one root per site, script-dir, exposed, and the checks
of the real filesystem (script dir contents, django.py on sys.path, symlinks in served directories)."""

from __future__ import annotations

import keyword
import posixpath
import re

from ansible_collections.modwsgi.django.plugins.module_utils._layout.schema import (
    IDENT_RE,
    MAX_IDENT,
    PRIVATE_SUBDIRS,
    SENSITIVE_TREES,
    SHADOWED_NAMES,
    SYSTEM_DIRS,
)
from ansible_collections.modwsgi.django.plugins.module_utils._site_tree import SCRIPT_DIR, SCRIPT_NAME
from ansible_collections.modwsgi.django.plugins.module_utils._layout.text import (
    ancestors,
    file_path_problems,
    fs_path_fix,
    fs_path_problems,
    show,
    under,
    url_path_problems,
)


def rule_sys_path(ctx, site):
    """sys-path: project is an importable identifier that shadows nothing; root is absolute."""
    project = site.given.get('project')
    if project is not None:
        why = None
        if not IDENT_RE.match(project):
            why = 'is not a Python identifier (ASCII letters, digits, _; not starting with a digit)'
        elif len(project) > MAX_IDENT:
            why = 'is longer than %d characters' % MAX_IDENT
        elif keyword.iskeyword(project):
            why = 'is a Python keyword'
        elif project in SHADOWED_NAMES:
            why = "shadows (or is shadowed by) the module '%s' that every site imports" % project
        if why:
            hint = re.sub(r'[^A-Za-z0-9_]', '_', project)[:30].strip('_') or 'my'
            ctx.error('sys-path', site, 'project', '%s %s; sys.path gets the parent of the project package, '
                      'so the package name must be importable and unique.' % (show(project), why),
                      'rename the project package (the startproject name), e.g. %s_site.' % hint.lower())
        else:
            site.normalized['project'] = project
    _check_root(ctx, site)
    if site.given.get('legacy_relative_imports'):
        ctx.warn('sys-path', site, 'legacy_relative_imports', 'adds <code>/<project> to sys.path as well: modules '
                 'become importable under two names (imported twice, e.g. duplicate signals/models).',
                 "use absolute imports ('%s.x') and set legacy_relative_imports: false." % site.normalized.get('project', 'project'))


def _check_root(ctx, site):
    """path/sys-path: root is absolute, normalized and no system directory (default <base_dir>/<name>)."""
    root = site.given.get('root')
    if root is None:
        if 'name' in site.normalized and ctx.options['base_dir']:
            site.normalized['root'] = posixpath.join(ctx.options['base_dir'], site.normalized['name'])
        return
    if not root.startswith('/'):
        ctx.error('sys-path', site, 'root', '%s is not an absolute path (root is the sys.path entry: the '
                  'parent of the project package).' % show(root), "use an absolute path such as '%s'."
                  % posixpath.join(ctx.options['base_dir'] or '/srv/django', site.normalized.get('name', 'site')))
        return
    problems = fs_path_problems(root)
    if not problems and root in SYSTEM_DIRS:
        problems = ['is a system directory']
    if problems:
        ctx.error('path', site, 'root', '%s %s.' % (show(root), '; '.join(problems)),
                  fs_path_fix(root, example=posixpath.join(ctx.options['base_dir'] or '/srv/django', site.normalized.get('name', '<name>'))))
        return
    site.normalized['root'] = root


def rule_paths(ctx, site):
    """path: python, script_dir, requirements, health_path."""
    python = site.given.get('python', '/usr/bin/python3')
    problems = file_path_problems(python)
    if problems:
        ctx.error('path', site, 'python', '%s %s.' % (show(python), '; '.join(problems)), fs_path_fix(python, 'an absolute interpreter path'))
    else:
        site.normalized['python'] = python
    script_dir = site.given.get('script_dir')
    if script_dir is not None:
        problems = fs_path_problems(script_dir)
        if not problems and script_dir in SYSTEM_DIRS:
            problems = ['is a system directory']
        if problems:
            ctx.error('path', site, 'script_dir', '%s %s.' % (show(script_dir), '; '.join(problems)),
                      fs_path_fix(script_dir, example='%s/%s' % (site.normalized.get('root', '<root>'), SCRIPT_DIR)))
        else:
            site.normalized['script_dir'] = script_dir
    elif 'root' in site.normalized:
        site.normalized['script_dir'] = site.normalized['root'] + '/' + SCRIPT_DIR
    if 'requirements' in site.given and site.given['requirements'] is None:
        site.normalized['requirements'] = None
    else:
        requirements = site.given.get('requirements', 'requirements.txt')
        if requirements == '':
            problems = ['is empty']
        elif requirements.startswith('/'):
            problems = ['is absolute (it is relative to the release)']
        else:
            problems = fs_path_problems('/' + requirements)
        if problems:
            ctx.error('path', site, 'requirements', '%s %s.' % (show(requirements), '; '.join(problems)),
                      "give a path inside the release such as 'requirements.txt' or 'requirements/prod.txt', or null.")
        else:
            site.normalized['requirements'] = requirements
    health = site.given.get('health_path', '/')
    problems = url_path_problems(health)
    if problems:
        ctx.error('path', site, 'health_path', '%s %s.' % (show(health), '; '.join(problems)),
                  "give a URL path relative to the mount such as '/healthz/'.")
    else:
        site.normalized['health_path'] = health


def rule_roots(ctx, sites):
    """path: one root per site, never nested in another site's root."""
    roots = {}
    for site in sites:
        root = site.normalized.get('root')
        if root is None:
            continue
        if root in roots:
            ctx.error('path', site, 'root', "%s is also the root of site '%s'." % (root, roots[root].label),
                      'give each site its own root (default <base_dir>/<name>).')
            continue
        roots[root] = site
    for root, site in roots.items():
        for parent in ancestors(root, include_self=False):
            if parent in roots:
                ctx.error('path', site, 'root', "%s is inside the root of site '%s' (%s)." % (root, roots[parent].label, parent),
                          'put site roots side by side, e.g. /srv/django/<name>.')
                break
    return roots


def rule_script_dir(ctx, sites, roots):
    """script-dir / settings-in-script-dir on paper: where the script dir may live."""
    seen = {}
    for site in sites:
        script_dir, root, project = site.normalized.get('script_dir'), site.normalized.get('root'), site.normalized.get('project')
        if script_dir is None or root is None:
            continue
        if script_dir in seen:
            ctx.error('script-dir', site, 'script_dir', "%s is also the script dir of site '%s'; it must hold nothing "
                      "but this site's %s." % (script_dir, seen[script_dir].label, SCRIPT_NAME), 'omit script_dir (default <root>/apache).')
            continue
        seen[script_dir] = site
        conf = root + '/conf'
        code_dirs = [root + '/current', root + '/blue', root + '/green']
        settings_dirs = [code_dir + '/' + project for code_dir in code_dirs] if project else []
        releases = root + '/releases'
        if project and under(script_dir, releases):
            below_releases = script_dir[len(releases) + 1:].split('/')
            if len(below_releases) == 2 and below_releases[1] == project:
                settings_dirs.append(script_dir)
        if script_dir == conf or script_dir in settings_dirs:
            ctx.error('settings-in-script-dir', site, 'script_dir', '%s holds settings files: Apache is allowed to serve '
                      'files from the script dir, so a mapping mistake would publish them.' % script_dir,
                      'omit script_dir (default <root>/apache: a directory with django.wsgi only).')
            continue
        if script_dir == root:
            problem = 'is the site root'
        elif under(root, script_dir):
            problem = 'contains the site root %s' % root
        elif any(under(script_dir, code_dir) for code_dir in code_dirs + [releases, root + '/venvs']):
            problem = 'is inside the code tree (releases are replaced on every deploy; the one script lives outside them)'
        elif under(script_dir, conf):
            problem = 'is inside the conf dir'
        else:
            problem = None
            for parent in ancestors(script_dir, include_self=False):
                if parent in roots and roots[parent] is not site:
                    problem = "is inside the root of site '%s'" % roots[parent].label
                    break
        if problem:
            ctx.error('script-dir', site, 'script_dir', '%s %s. The script dir is granted to Apache and must hold only %s.'
                      % (script_dir, problem, SCRIPT_NAME), 'omit script_dir (default <root>/apache).')
    for root, site in roots.items():
        for parent in ancestors(root, include_self=False):
            other = seen.get(parent)
            if other is not None and other is not site:
                ctx.error('script-dir', other, 'script_dir', "%s contains the root of site '%s'; the script dir is "
                          "granted to Apache and must hold only %s." % (parent, site.label, SCRIPT_NAME),
                          'omit script_dir (default <root>/apache).')
                break


def _served_dirs(ctx, sites):
    """Directories Apache serves: document roots and every static/media dir (real paths)."""
    served = {}
    for doc_root in ctx.options['document_roots']:
        served.setdefault(ctx.real_path(doc_root), ('document root %s' % doc_root, None))
    for site in sites:
        for key in ('static', 'media'):
            url_dir = site.normalized.get(key)
            if url_dir:
                served.setdefault(ctx.real_path(url_dir['dir']), ("%s.dir %s of site '%s'" % (key, url_dir['dir'], site.label), site))
    return served


def _must_not_be_served(site):
    """(field, path) of the site's directories that Apache must never serve."""
    root = site.normalized['root']
    out = [('root', root), ('paths.releases', root + '/releases'), ('paths.conf', root + '/conf')]
    if site.normalized.get('script_dir'):
        out.append(('script_dir', site.normalized['script_dir']))
    return out


def _public_dir_problem(directory, real):
    """Why a static/media dir (as written, and its real path) would publish files it must not, or None."""
    for candidate in (directory, real):
        for parent in ancestors(candidate):
            if parent in SENSITIVE_TREES:
                where = '' if candidate == directory else ' (really %s)' % candidate
                return '%s%s is under %s, which holds %s' % (directory, where, parent, SENSITIVE_TREES[parent])
        hidden = [segment for segment in candidate.split('/') if segment.startswith('.')]
        if hidden:
            where = '' if candidate == directory else ' (really %s)' % candidate
            return ("%s%s is inside the hidden directory '%s' (dot directories hold repositories, keys and "
                    "tool settings such as .git, .ssh or .env)" % (directory, where, hidden[0]))
    return None


def _exposed_public_dirs(ctx, sites):
    """exposed: a static/media dir is never in a system tree or a hidden directory, never a private part of a
    site root, nor in another site's root."""
    private = []     # (path, real path, owner site, what)
    for site in sites:
        root = site.normalized.get('root')
        if root is None:
            continue
        private.append((root, ctx.real_path(root), site, None))
        for sub in PRIVATE_SUBDIRS:
            path = '%s/%s' % (root, sub)
            private.append((path, ctx.real_path(path), site, sub))
        script_dir = site.normalized.get('script_dir')
        if script_dir and not under(script_dir, root):
            private.append((script_dir, ctx.real_path(script_dir), site, 'script_dir'))
    # Each private path (and its real path) -> its positions in `private`: a public dir's ancestors are
    # looked up there, so the rule costs O(sites x depth), not O(sites^2); the first hit in `private`
    # order wins, as a scan of the whole list would decide.
    positions = {}
    for position, (path, real_private, _owner, _sub) in enumerate(private):
        for key in sorted({path, real_private}):
            positions.setdefault(key, []).append(position)
    for site in sites:
        for key in ('static', 'media'):
            url_dir = site.normalized.get(key)
            if not url_dir:
                continue
            directory = url_dir['dir']
            candidates = [directory]
            real = ctx.real_path(directory)
            if real != directory:
                candidates.append(real)
            problem = _public_dir_problem(directory, real)
            if problem:
                ctx.error('exposed', site, key + '.dir', '%s: Apache would serve its files to anyone.' % problem,
                          'use a directory of its own such as %s/%s (the default).' % (site.normalized.get('root', '<root>'), key))
                continue
            hits = {}      # position in `private` -> the first candidate at or under that private path
            for candidate in candidates:
                for parent in ancestors(candidate):
                    for position in positions.get(parent, ()):
                        hits.setdefault(position, candidate)
            for position in sorted(hits):
                path, _real_private, owner, sub = private[position]
                hit = hits[position]
                shown = directory if hit == directory else '%s (really %s)' % (directory, hit)
                if owner is not site and sub is None:
                    ctx.error('exposed', site, key + '.dir', "%s is inside the root of site '%s' (%s): Apache would serve "
                              "that site's files." % (shown, owner.label, path),
                              "give this site its own %s directory, e.g. %s/%s." % (key, site.normalized.get('root', '<root>'), key))
                    break
                if sub is not None:
                    holds = {'releases': 'the code', 'blue': 'the code', 'green': 'the code', 'current': 'the code',
                             'venvs': 'the virtualenv', 'conf': 'the settings and secrets', 'data': 'the site\'s private data '
                             '(SQLite database)', 'run': 'the process registry', 'cache': 'the packed source',
                             'bin': 'the manage wrapper', 'apache': 'the WSGI script', 'script_dir': 'the WSGI script'}[sub]
                    whose = '' if owner is site else " of site '%s'" % owner.label
                    ctx.error('exposed', site, key + '.dir', '%s is at or under %s%s, which holds %s: Apache would serve it.'
                              % (shown, path, whose, holds),
                              "use a directory of its own such as %s/%s (the default)." % (site.normalized.get('root', '<root>'), key))
                    break


def rule_exposed(ctx, sites, mass):
    """exposed: root, releases, conf and script dir are never below a served directory."""
    _exposed_public_dirs(ctx, sites)
    served = _served_dirs(ctx, sites)
    protected = {}     # real path of every ancestor of a path that must not be served -> [(site, field, path)]
    roots_real = {}
    public = {}
    for site in sites:
        if 'root' not in site.normalized:
            continue
        real_root = ctx.real_path(site.normalized['root'])
        roots_real.setdefault(real_root, site)
        public[site] = [ctx.real_path(site.normalized[key]['dir']) for key in ('static', 'media') if site.normalized.get(key)]
        root_hit = False
        for field, path in _must_not_be_served(site):
            real = ctx.real_path(path)
            if root_hit and under(path, site.normalized['root']):
                continue
            for parent in ancestors(real):
                if parent in served:
                    what, _owner = served[parent]
                    ctx.error('exposed', site, field, '%s%s is under the %s: Apache could serve the code, the settings '
                              'or the secrets.' % (path, '' if real == path else ' (really %s)' % real, what),
                              'move the site out of every DocumentRoot and static/media directory (default root '
                              '/srv/django/<name>), or change that directory.')
                    root_hit = root_hit or field == 'root'
                    break
            if ctx.options['check_filesystem']:
                for parent in ancestors(real):
                    protected.setdefault(parent, []).append((site, field, path))
    # a document root inside a site root (and not one of its public dirs) serves its code
    for doc_root in ctx.options['document_roots']:
        real = ctx.real_path(doc_root)
        for parent in ancestors(real, include_self=False):
            site = roots_real.get(parent)
            if site is not None and not any(under(real, public_dir) for public_dir in public.get(site, [])):
                ctx.error('exposed', site, 'root', 'the document root %s is inside the site root %s.' % (doc_root, site.normalized['root']),
                          'move the document root out of the site root.')
                break
    if ctx.options['check_filesystem']:
        _scan_symlinks(ctx, served, protected, roots_real, public)
    if mass:
        _exposed_mass(ctx, sites, mass, served)


def _scan_symlinks(ctx, served, protected, roots_real, public):
    """exposed (real filesystem): symlinks in the first level of a served dir pointing at a site."""
    for real_dir, (what, _owner) in sorted(served.items()):
        if not ctx.fs.isdir(real_dir):
            continue
        for entry in ctx.fs.listdir(real_dir):
            link = posixpath.join(real_dir, entry)
            if not ctx.fs.islink(link):
                continue
            try:
                target = ctx.fs.realpath(link)
            except (OSError, ValueError):
                continue
            hits = protected.get(target)
            if hits:
                site, field, path = hits[0]
                ctx.error('exposed', site, field, 'the symlink %s in the %s points to %s, which holds %s %s.'
                          % (link, what, target, field, path), 'remove the symlink %s.' % link)
                continue
            for parent in ancestors(target, include_self=False):
                site = roots_real.get(parent)
                if site is not None:
                    if not any(under(target, public_dir) for public_dir in public.get(site, [])):
                        ctx.error('exposed', site, 'root', 'the symlink %s in the %s points into the site root (%s).'
                                  % (link, what, target), 'remove the symlink %s.' % link)
                    break


def _exposed_mass(ctx, sites, mass, served):
    """exposed: the mass hosting base_dir is not served and holds no site root."""
    base = mass['base_dir']
    real = ctx.real_path(base)
    for parent in ancestors(real):
        if parent in served:
            ctx.error('exposed', None, 'mass_hosting.base_dir', '%s is under the %s: Apache could serve the sites\' '
                      'code.' % (base, served[parent][0]), 'move base_dir out of every DocumentRoot and static/media directory.')
            break
    for site in sites:
        root = site.normalized.get('root')
        if root and posixpath.dirname(root) == base:
            ctx.error('exposed', site, 'root', '%s is directly under the mass hosting base_dir %s: the mass hosting '
                      'vhost would run this site at /%s as the mass hosting identity.' % (root, base, posixpath.basename(root)),
                      'use another base_dir for mass hosting (e.g. /srv/django-mass) or another root for this site.')


def rule_filesystem(ctx, sites):
    """script-dir / script-name / settings-in-script-dir on the real filesystem."""
    if not ctx.options['check_filesystem']:
        return
    for site in sites:
        script_dir = site.normalized.get('script_dir')
        if script_dir and ctx.fs.isdir(script_dir):
            for entry in ctx.fs.listdir(script_dir):
                if entry == SCRIPT_NAME:
                    continue
                low = entry.lower()
                path = posixpath.join(script_dir, entry)
                if low.endswith(('.py', '.pyc')) and 'settings' in low:
                    ctx.error('settings-in-script-dir', site, 'script_dir', '%s is a settings file in the script dir: '
                              'Apache may serve files from there (database passwords).' % path,
                              'move it into the project package and delete it here.')
                elif low.endswith(('.py', '.pyc')):
                    ctx.error('script-name', site, 'script_dir', '%s is a Python file in the script dir%s.' % (
                        path, ' (django.py shadows the Django package when the dir is on sys.path)' if low == 'django.py' else ''),
                        'delete it: the script is always %s.' % SCRIPT_NAME)
                else:
                    ctx.error('script-dir', site, 'script_dir', '%s is in the script dir, which must hold only %s.' % (path, SCRIPT_NAME),
                              'remove it (or omit script_dir for the managed <root>/apache).')
        root = site.normalized.get('root')
        if root:
            for sub in ('current', 'conf'):
                path = '%s/%s/django.py' % (root, sub)
                if ctx.fs.exists(path):
                    ctx.error('script-name', site, 'root', '%s exists: it is on sys.path and shadows the Django package.' % path,
                              'rename or delete it.')
