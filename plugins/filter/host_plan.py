# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: host_plan
short_description: What a converge has to do, read from one snapshot of the host (role-internal)
version_added: 0.1.0
description:
  - Answers the roles' questions about the target from the snapshot that C(modwsgi.django.validate_sites) returns
    with its C(observe) option, so that no module has to run on the target to answer them.
  - V(missing_packages) (argument the package names), the names not installed, in order; every name when there is
    no snapshot.
  - V(service_current), true when the Apache service runs and is enabled (false without a snapshot).
  - V(accounts) (argument the normalized sites), C(groups) to create, C(users) (site names) to create or change and
    C(new_users)/C(new_groups) (names that do not exist yet); without a snapshot every daemon-mode site's group and user, and no
    new ones (nothing is known to be new, so a failed first deploy removes no account).
  - V(managed_vhosts) (argument Apache's configuration root), the paths of C(sites-available/modwsgi-*.conf); V(null)
    without a snapshot.
  - V(apache_config) (argument the options of C(modwsgi.django.apache_config)), what that module would return on the
    host, planned from the snapshot (C(changed), C(changed_paths), C(restart_required), C(reload_required)); V(null)
    when it cannot be planned.
  - V(sites) (argument a dict of C(layout), C(rendered), C(inventory_sites), C(release_ids) and C(options)), the
    C(django_site) role's whole plan (C(module_utils/_plan.py), function C(sites)).
  - V(summary) (argument a dict of C(plan), C(layout) and C(map_path)), that plan in words (packages, accounts, files,
    releases to build, colors to flip, pruning), what check mode prints.
  - V(mod_wsgi), what C(modwsgi.django.mod_wsgi_info) would return (C(version), C(python_version), C(realpath)), or
    V(null) when the module is not installed or there is no snapshot.
author:
  - modwsgi.django maintainers (@modwsgi)
positional: question, argument
options:
  _input:
    description: The snapshot (C(host) of the C(validate_sites) result), or V(null).
    type: raw
    required: true
  question:
    description: What to answer.
    type: str
    choices: [missing_packages, service_current, accounts, managed_vhosts, mod_wsgi, apache_config, sites, summary]
    required: true
  argument:
    description: Package names, normalized sites or the configuration root, as the question needs.
    type: raw
"""

EXAMPLES = r"""
missing: "{{ __modwsgi_host | modwsgi.django.host_plan('missing_packages', ['apache2']) }}"
"""

RETURN = r"""
_value:
  description: The answer (a list, a bool, a dict or null, see the description).
  type: raw
"""

import fnmatch
import posixpath

from ansible.errors import AnsibleFilterError

from ansible_collections.modwsgi.django.plugins.module_utils import _plan


def _filter(snapshot, question, argument=None):
    have = _plan.usable(snapshot)
    try:
        if question == 'missing_packages':
            names = list(argument or [])
            return _plan.missing_packages(snapshot, names) if have else names
        if question == 'service_current':
            return have and _plan.service_current(snapshot)
        if question == 'accounts':
            sites = list(argument or [])
            if not have:
                daemon = [site for site in sites if site.get('mode') == 'daemon']
                groups = []
                for site in daemon:
                    if site['group'] not in groups:
                        groups.append(site['group'])
                # Unknown which exist: ensure them all, and never remove one after a failed first deploy.
                return {'groups': groups, 'users': [site['name'] for site in daemon], 'new_users': [], 'new_groups': []}
            return _plan.accounts(snapshot, sites)
        if question == 'managed_vhosts':
            if not have:
                return None
            directory = posixpath.join(argument or '/etc/apache2', 'sites-available')
            found = snapshot['paths'].get(directory) or {}
            if 'entries' not in found:
                return None
            return [posixpath.join(directory, name) for name in found['entries'] if fnmatch.fnmatch(name, 'modwsgi-*.conf')]
        if question == 'mod_wsgi':
            return snapshot.get('mod_wsgi') if have else None
        if question == 'apache_config':
            if not have:
                return None
            params = dict(argument or {})
            params.setdefault('root', '/etc/apache2')
            try:
                return _plan.apache_config(snapshot, params)
            except _plan.UNPLANNABLE:
                return None
        if question == 'summary':
            args = dict(argument or {})
            return _plan.summary(snapshot if have else None, args['plan'], args['layout'], args['map_path'])
        if question == 'sites':
            args = dict(argument or {})
            return _plan.sites(snapshot if have else None, args['layout'], args['rendered'], args.get('inventory_sites') or [],
                               args.get('release_ids') or {}, args['options'])
    except (KeyError, TypeError, AttributeError) as exc:
        raise AnsibleFilterError('host_plan(%r): %s' % (question, exc)) from exc
    raise AnsibleFilterError('host_plan: unknown question %r' % (question,))


class FilterModule:
    def filters(self):
        return {'host_plan': _filter}
