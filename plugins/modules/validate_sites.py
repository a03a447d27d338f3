#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: validate_sites
short_description: Check Django site layouts for Apache mod_wsgi and return them normalized
version_added: 0.1.0
author:
  - modwsgi.django maintainers (@modwsgi)
description:
  - Checks every item of C(modwsgi_sites) against the layout rules of the mod_wsgi "Integration With Django"
    guide and of Apache 2.4 (mount points, WSGI script directory, exposure under DocumentRoot, settings module,
    daemon process groups, session cookies, thread safety, Python ABI, capacity).
  - Gathers B(all) problems of B(all) sites in one pass. Errors fail the task before anything changes;
    warnings are printed and returned.
  - A value that could break out of an Apache directive or the env file (newline, quote, whitespace, relative
    or C(..) paths, non-identifier package names) is an error; it is never escaped.
  - Returns the sites normalized (every default filled, derived paths, daemon group names, cookie names, the
    Django settings overrides) so that templates consume only checked data.
  - Never changes anything on the target. With O(check_filesystem=true) it reads real paths (symlinks, the
    contents of the script directory) and runs the site Python to learn its version.
  - Each rule has a stable id; see C(docs/rules.md) in the collection.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - modwsgi.django.site
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  sites:
    description:
      - The sites, usually C(modwsgi_sites); one dict per site.
      - The keys of a site are below (the same as those of the C(django_site) role's C(modwsgi_sites) items).
      - The values of C(secrets) never appear in messages, findings or the returned data.
      - May be empty only when O(mass_hosting) is set.
    type: list
    elements: dict
    required: true
  mpm:
    description:
      - The Apache MPM the sites run under (thread-safety and capacity rules).
    type: str
    choices: [prefork, worker, event]
    default: event
  document_roots:
    description:
      - Directories Apache serves as C(DocumentRoot). No site root, release, conf or script directory may
        be below one of them (nor below any static or media directory).
    type: list
    elements: str
    default: [/var/www/html]
  check_filesystem:
    description:
      - Also run the checks that read the target's real paths (symlinks into document roots, files in the
        script directory, C(django.py) on C(sys.path), the site Python's version).
      - With V(false) the layout is judged on paper only and the python-abi rule is skipped.
    type: bool
    default: true
  mod_wsgi_python:
    description:
      - Python C(major.minor) that mod_wsgi is built for, for example V(3.11) (quote it in YAML).
      - When unset (or O(check_filesystem=false)) the python-abi rule is skipped.
    type: str
  mass_hosting:
    description:
      - Mass hosting (C(AliasMatch) and C(WSGIScriptAliasMatch)) vhost, or V(null) for none.
      - The keys are below (the same as those of the C(django_site) role's C(modwsgi_mass_hosting)).
    type: dict
  base_dir:
    description:
      - Parent of the default site roots (C(<base_dir>/<name>)).
    type: str
    default: /srv/django
  apache_user:
    description:
      - User the Apache children run as; the identity of embedded sites.
    type: str
    default: www-data
  apache_group:
    description:
      - Group of O(apache_user).
    type: str
    default: www-data
  max_request_workers:
    description:
      - Apache C(MaxRequestWorkers), for the capacity rule (warn when Apache cannot feed all daemon threads).
    type: int
  server_memory_mb:
    description:
      - Memory of the target in MB, for the capacity rule (warn when the estimated Python memory exceeds 80%)
        and the default daemon processes.
    type: int
  server_cores:
    description:
      - CPU cores of the target. When given, each daemon-mode site that does not set C(daemon.processes) gets
        one process per core (at most 8), as far as half of O(server_memory_mb) allows at 60 MB per process
        for all daemon processes of all sites (both colors of bluegreen sites). A result of 1 leaves
        C(processes) out (one process, C(wsgi.multiprocess) false).
      - When omitted, C(daemon.processes) left out means one process (the mod_wsgi default).
    type: int
  rollout:
    description:
      - Several hosts sharing one database. When O(rollout.migrate_on) is set, only that host runs
        C(migrate); on every other host each site's C(migrate) is returned as false (they still run
        C(collectstatic) and C(check --deploy)).
      - Refused before any change (rule C(migrate-once)) when O(rollout.migrate_on) is not a host of the
        inventory, or when O(rollout.host) would be deployed in an earlier batch than it (it would serve
        the new release before the migrations ran). A warning when it is not in this play (C(--limit)).
    type: dict
    suboptions:
      migrate_on:
        description: The inventory hostname that alone runs C(migrate); empty means every host migrates.
        type: str
        default: ""
      host:
        description: This host (C(inventory_hostname)).
        type: str
        required: true
      play_hosts:
        description: The play's hosts in rollout order (C(ansible_play_hosts_all)).
        type: list
        elements: str
        default: []
      batch:
        description: The hosts deployed together with this one (C(ansible_play_batch)).
        type: list
        elements: str
        default: []
      inventory_hosts:
        description: Every host of the inventory (C(groups['all'])).
        type: list
        elements: str
        default: []
  apache_sizing:
    description:
      - Explicit Apache MPM limits (the C(apache) role's C(apache_max_request_workers) and the like, keys of the
        C(modwsgi.django.mpm_sizing) filter's overrides). When O(max_request_workers) is not given and the cores and
        memory of the target are known, C(MaxRequestWorkers) is derived from them and these, as the C(apache) role
        derives it.
    type: dict
    default: {}
  observe:
    description:
      - Also read, in the same run, everything the collection's roles plan a converge from, and return it as RV(host),
        that is the Apache configuration tree under O(observe.conf_root), every path of every site (releases, virtualenvs,
        links, generated files), the colors map, the installed packages, users and groups, whether the Apache
        service runs and is enabled, the Python mod_wsgi embeds and the sites' interpreters' versions.
      - Nothing is changed. The Python of mod_wsgi (when O(mod_wsgi_python) is not given) and the cores and memory
        (when O(server_cores) and O(server_memory_mb) are not given) are then read from the target, and the few host
        facts the roles use are returned as RV(ansible_facts).
      - A site's C(conf/site.json) is compared with what the site's settings and secrets give on the target itself;
        the snapshot holds only whether it is current, never its bytes or checksum.
    type: dict
    suboptions:
      conf_root:
        description: Apache's configuration root.
        type: path
        default: /etc/apache2
      log_dir:
        description: Apache's log directory (listed).
        type: path
      colors_map:
        description: The blue/green colors map (read).
        type: path
      service:
        description: The Apache service (is it running, is it enabled).
        type: str
        default: apache2
      mod_wsgi_module:
        description: The mod_wsgi module file (which Python it embeds).
        type: path
        default: /usr/lib/apache2/modules/mod_wsgi.so
      pip_extra_args:
        description: The pip extra arguments that name a release's virtualenv (C(django_site_pip_extra_args)).
        type: str
        default: ""
      extra_paths:
        description: More files to read whole (for example the rollback manifest).
        type: list
        elements: path
        default: []
      mass_base_dir:
        description: The mass hosting base directory, when there is one.
        type: path
      mass_marker:
        description: The marker file of the mass hosting virtualenv.
        type: path
notes:
  - "Findings have the form C([rule-id] site 'x', field 'y': problem Fix: what to do)."
  - The returned C(secrets) values are masked; read them from the inventory when writing the env file.
seealso:
  - name: mod_wsgi Integration With Django
    description: The guide whose rules this module enforces.
    link: https://modwsgi.readthedocs.io/en/master/user-guides/integration-with-django.html
"""

EXAMPLES = r"""
- name: Check and normalize the sites (fails listing every problem at once)
  modwsgi.django.validate_sites:
    sites: "{{ modwsgi_sites }}"
    mpm: event
    mod_wsgi_python: "3.11"
    max_request_workers: 150
    server_memory_mb: "{{ ansible_facts['memtotal_mb'] }}"
    server_cores: "{{ ansible_facts['processor_vcpus'] }}"
  register: __modwsgi_layout

- name: Judge a layout on paper only (for example on the controller, in CI)
  modwsgi.django.validate_sites:
    sites:
      - name: shop
        server_name: shop.example.com
        project: shop
        source: {type: git, repo: "https://git.example.com/shop.git", version: v1.4.2}
        daemon: {processes: 2, threads: 15}
      - name: blog
        server_name: shop.example.com
        mount: /blog
        project: blog
        source: {type: path, path: files/blog}
        mode: embedded
    check_filesystem: false
  delegate_to: localhost

- name: Use the normalized result
  ansible.builtin.debug:
    msg: "{{ item.name }} -> {{ item.paths.script }} ({{ item.daemon_groups | join(', ') }})"
  loop: "{{ __modwsgi_layout.sites }}"
"""

RETURN = r"""
host:
  description:
    - With O(observe), the snapshot of the target the roles plan from (module C(_observe) of the collection's
      module_utils describes its keys); the roles' action plugins answer from it what C(file_batch), C(apache_config),
      C(release_status) and C(prune_releases) would do, and run those modules only where something differs.
  returned: when O(observe) is set
  type: dict
ansible_facts:
  description:
    - With O(observe), the host facts the roles read, named as C(ansible.builtin.setup) names them, so that a play
      can set C(gather_facts) to false.
  returned: when O(observe) is set
  type: dict
  contains:
    distribution:
      description: For example V(Debian).
      type: str
    distribution_major_version:
      description: For example V(12).
      type: str
    os_family:
      description: For example V(Debian).
      type: str
    processor_vcpus:
      description: Logical CPUs.
      type: int
    memtotal_mb:
      description: Memory in MB.
      type: int
sites:
  description:
    - The sites, normalized, sorted by server_name, then deepest mount first.
    - Every input key is present with its default filled (C(deploy) is V(null) and C(daemon) is V(null) for
      embedded sites; C(daemon.home) is V(null) for bluegreen, where each color uses C(<root>/<color>)),
      plus the derived keys below.
    - The values of C(secrets) are masked.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: Site name.
      type: str
      returned: success
      sample: blog
    server_name:
      description: Host name, lower case.
      type: str
      returned: success
      sample: www.example.com
    mount:
      description: URL mount point (C(WSGIScriptAlias)).
      type: str
      returned: success
      sample: /blog
    mode:
      description: V(daemon) or V(embedded).
      type: str
      returned: success
      sample: daemon
    deploy:
      description: V(bluegreen) or V(restart); V(null) for embedded sites.
      type: str
      returned: success
      sample: bluegreen
    daemon:
      description: C(WSGIDaemonProcess) settings, every key filled; V(null) for embedded sites.
      type: dict
      returned: success
      sample: {user: blog, group: blog, processes: null, threads: 15, display_name: "%{GROUP}", home: null}
    user:
      description: Process identity (daemon user, or O(apache_user) for embedded sites).
      type: str
      returned: success
      sample: blog
    group:
      description: Process group identity.
      type: str
      returned: success
      sample: blog
    session_cookie_name:
      description: Effective C(SESSION_COOKIE_NAME) (C(<name>_sessionid) when the host is shared).
      type: str
      returned: success
      sample: blog_sessionid
    session_cookie_path:
      description: Effective C(SESSION_COOKIE_PATH) (default the mount).
      type: str
      returned: success
      sample: /blog
    csrf_cookie_name:
      description: Effective C(CSRF_COOKIE_NAME) (C(<name>_csrftoken) when the host is shared).
      type: str
      returned: success
      sample: blog_csrftoken
    csrf_cookie_path:
      description: Effective C(CSRF_COOKIE_PATH) (same as the session cookie path).
      type: str
      returned: success
      sample: /blog
    health_url_path:
      description: Mount plus C(health_path).
      type: str
      returned: success
      sample: /blog/healthz/
    paths:
      description: Derived paths on the target.
      type: dict
      returned: success
      contains:
        root:
          description: Site root.
          type: str
          sample: /srv/django/blog
        releases:
          description: Release directories.
          type: str
          sample: /srv/django/blog/releases
        venvs:
          description: Virtual environments keyed by requirements hash.
          type: str
          sample: /srv/django/blog/venvs
        conf:
          description: Directory holding C(site.json) and the settings shim.
          type: str
          sample: /srv/django/blog/conf
        site_json:
          description: Environment and settings overrides file.
          type: str
          sample: /srv/django/blog/conf/site.json
        settings_module_file:
          description: The C(_modwsgi_settings) shim.
          type: str
          sample: /srv/django/blog/conf/_modwsgi_settings.py
        script_dir:
          description: Directory holding only the WSGI script.
          type: str
          sample: /srv/django/blog/apache
        script:
          description: The WSGI script.
          type: str
          sample: /srv/django/blog/apache/django.wsgi
        manage:
          description: C(manage.py) wrapper.
          type: str
          sample: /srv/django/blog/bin/manage
        current:
          description: Symlink to the live release.
          type: str
          sample: /srv/django/blog/current
        blue:
          description: Symlink to the blue color's release.
          type: str
          sample: /srv/django/blog/blue
        green:
          description: Symlink to the green color's release.
          type: str
          sample: /srv/django/blog/green
        bin:
          description: Directory of the C(manage) wrapper.
          type: str
          sample: /srv/django/blog/bin
        cache:
          description: Root-only directory of the fetched source (tarball, git clone).
          type: str
          sample: /srv/django/blog/cache
        run:
          description: Directory where each daemon process records itself as C(<group>.<pid>) (site user).
          type: str
          sample: /srv/django/blog/run
        data:
          description: The site's own writable directory (site user), e.g. for SQLite.
          type: str
          sample: /srv/django/blog/data
        boot:
          description: The boot module the WSGI script and C(manage) load.
          type: str
          sample: /srv/django/blog/conf/_modwsgi_boot.py
        messages:
          description: The site-scoped message storage module.
          type: str
          sample: /srv/django/blog/conf/_modwsgi_messages.py
        source_archive:
          description: The tarball a release is unpacked from.
          type: str
          sample: /srv/django/blog/cache/source.tar.gz
        git_clone:
          description: The git clone of a C(git) source.
          type: str
          sample: /srv/django/blog/cache/git
        release_marker:
          description: Name of the file written last into a complete release directory.
          type: str
          sample: .modwsgi-release
        venv_link:
          description: Name of the link in a release directory to its virtualenv (C(python-home)).
          type: str
          sample: .modwsgi-venv
        partial_suffix:
          description: Suffix of a release or virtualenv being built (never live, never pruned).
          type: str
          sample: .partial
    daemon_groups:
      description: Daemon process group names (empty for embedded, C([<name>]) for restart).
      type: list
      elements: str
      returned: success
      sample: [blog_blue, blog_green]
    bluegreen:
      description: V(true) for a daemon site with C(deploy=bluegreen) (two color groups and the RewriteMap flip).
      type: bool
      returned: success
      sample: true
    activation:
      description: How a new release goes live (the C(mode) of M(modwsgi.django.activate_release)).
      type: str
      returned: success
      choices: [bluegreen, restart, embedded]
      sample: bluegreen
    color_groups:
      description: The daemon group of each color (bluegreen); empty otherwise.
      type: dict
      returned: success
      sample: {blue: blog_blue, green: blog_green}
    daemons:
      description:
        - One entry per C(WSGIDaemonProcess) of the site (C(group), C(code) it runs, its C(home)); empty for embedded.
      type: list
      elements: dict
      returned: success
      sample: [{group: blog_blue, code: /srv/django/blog/blue, home: /srv/django/blog/blue}]
    script_process_group:
      description: The C(process-group) of the site's C(WSGIScriptAlias) (V(%{GLOBAL}) for embedded); V(null) for bluegreen.
      type: str
      returned: success
      sample: null
    maintenance_retry_after:
      description: The C(Retry-After) seconds of the 503 a bluegreen site answers while the colors map names no live color for it.
      type: int
      returned: success
      sample: 5
    logs:
      description: The file names of the site's virtual host logs in Apache's log directory (C(error), C(access), C(ssl_access)).
      type: dict
      returned: success
      sample: {error: modwsgi-www.example.com-error.log, access: modwsgi-www.example.com-access.log,
               ssl_access: modwsgi-www.example.com-ssl-access.log}
    release_id_length:
      description: How many characters of a checksum or commit name a release directory.
      type: int
      returned: success
      sample: 12
    process_group:
      description: C(WSGIProcessGroup) for restart sites; V(null) for bluegreen (chosen per request) and embedded.
      type: str
      returned: success
      sample: null
    application_group:
      description: V(%{GLOBAL}) for daemon sites, V(%{RESOURCE}) for embedded sites.
      type: str
      returned: success
      sample: "%{GLOBAL}"
    code_dir:
      description: The C(sys.path) entry for restart and embedded sites (bluegreen uses each color's directory).
      type: str
      returned: success
      sample: /srv/django/blog/current
    python_path_extra:
      description: Further C(sys.path) entries (the conf dir, plus the project dir with C(legacy_relative_imports)).
      type: list
      elements: str
      returned: success
      sample: [/srv/django/blog/conf]
    django_settings_module:
      description: C(DJANGO_SETTINGS_MODULE) at run time.
      type: str
      returned: success
      sample: _modwsgi_settings
    effective_settings:
      description: What C(conf/site.json) C(settings) receives (cookies, static/media, hosts, then C(django_settings)).
      type: dict
      returned: success
      sample: {SESSION_COOKIE_NAME: blog_sessionid, STATIC_URL: /blog/static/, ALLOWED_HOSTS: [www.example.com]}
vhosts:
  description: One entry per server_name, sorted.
  returned: success
  type: list
  elements: dict
  contains:
    server_name:
      description: Host name.
      type: str
      returned: success
      sample: www.example.com
    server_aliases:
      description: Union of the sites' aliases, sorted.
      type: list
      elements: str
      returned: success
      sample: [example.com]
    tls:
      description: The shared tls settings or V(null).
      type: dict
      returned: success
      sample: null
    sites:
      description: Names of the sites on this host, deepest mount first.
      type: list
      elements: str
      returned: success
      sample: [blog, shop]
    bluegreen:
      description: Names of its bluegreen sites (the RewriteMap rules are rendered when there is one).
      type: list
      elements: str
      returned: success
      sample: [blog, shop]
    file:
      description: The virtual host's file name in C(sites-available).
      type: str
      returned: success
      sample: modwsgi-www.example.com.conf
    logs:
      description: Its log file names, as each site's C(logs).
      type: dict
      returned: success
      sample: {error: modwsgi-www.example.com-error.log}
restrict_embedded:
  description: V(true) when every site (and mass hosting) runs in daemon mode, so C(WSGIRestrictEmbedded On) is rendered.
  returned: success
  type: bool
  sample: true
mass_hosting:
  description:
    - The mass hosting settings normalized (C(daemon) filled, C(daemon_group) V(modwsgi_mass) or V(null),
      C(application_group), C(script_pattern), C(logs)), or V(null).
  returned: success
  type: dict
  sample: {server_name: sites.example.com, base_dir: /srv/django-mass, mode: daemon, daemon_group: modwsgi_mass}
findings:
  description: Every error and warning as a dict.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Stable rule id (see C(docs/rules.md)).
      type: str
      returned: always
      sample: mount
    severity:
      description: V(error) or V(warning).
      type: str
      returned: always
      sample: error
    site:
      description: Site name (or C(sites[<index>]) when the name itself is invalid); V(null) for global findings.
      type: str
      returned: always
      sample: blog
    field:
      description: The key at fault, dotted for nested keys.
      type: str
      returned: always
      sample: mount
    message:
      description: What is wrong.
      type: str
      returned: always
      sample: "'/blog/' ends with \"/\"."
    fix:
      description: What to do.
      type: str
      returned: always
      sample: use '/blog'.
"""

import os
import traceback

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.modwsgi.django.plugins.module_utils._layout.filesystem import FileSystem
from ansible_collections.modwsgi.django.plugins.module_utils._layout.findings import mask_secrets
from ansible_collections.modwsgi.django.plugins.module_utils._layout.validation import validate
from ansible_collections.modwsgi.django.plugins.module_utils._observe import facts as host_facts
from ansible_collections.modwsgi.django.plugins.module_utils._mod_wsgi_info import inspect as inspect_mod_wsgi
from ansible_collections.modwsgi.django.plugins.module_utils._plan import observe_host
from ansible_collections.modwsgi.django.plugins.module_utils._rollout import RULE, migrate_once
from ansible_collections.modwsgi.django.plugins.module_utils._sizing import mpm_sizing


def main():
    argument_spec = dict(
        sites=dict(type='list', elements='dict', required=True),
        mpm=dict(type='str', default='event', choices=['prefork', 'worker', 'event']),
        document_roots=dict(type='list', elements='str', default=['/var/www/html']),
        check_filesystem=dict(type='bool', default=True),
        mod_wsgi_python=dict(type='str'),
        mass_hosting=dict(type='dict'),
        base_dir=dict(type='str', default='/srv/django'),
        apache_user=dict(type='str', default='www-data'),
        apache_group=dict(type='str', default='www-data'),
        max_request_workers=dict(type='int'),
        server_memory_mb=dict(type='int'),
        server_cores=dict(type='int'),
        rollout=dict(type='dict', options=dict(
            migrate_on=dict(type='str', default=''),
            host=dict(type='str', required=True),
            play_hosts=dict(type='list', elements='str', default=[]),
            batch=dict(type='list', elements='str', default=[]),
            inventory_hosts=dict(type='list', elements='str', default=[]),
        )),
        apache_sizing=dict(type='dict', default={}),
        observe=dict(type='dict', options=dict(
            conf_root=dict(type='path', default='/etc/apache2'),
            log_dir=dict(type='path'),
            colors_map=dict(type='path'),
            service=dict(type='str', default='apache2'),
            mod_wsgi_module=dict(type='path', default='/usr/lib/apache2/modules/mod_wsgi.so'),
            pip_extra_args=dict(type='str', default=''),
            extra_paths=dict(type='list', elements='path', default=[]),
            mass_base_dir=dict(type='path'),
            mass_marker=dict(type='path'),
        )),
    )
    # no_log=True only stops AnsibleModule from writing the invocation (with the secrets) to syslog.
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True, no_log=True)
    params = dict(module.params)
    params['sites'] = mask_secrets(params['sites'])
    invocation = {'module_args': params}

    # The site Python is asked for its version (rule python-abi) through run_command, bounded
    # by coreutils' timeout when the target has it. OSError reaches FileSystem (a finding).
    timeout = module.get_bin_path('timeout')

    def runner(argv):
        if timeout:
            argv = [timeout, '60'] + list(argv)
        return module.run_command(argv, handle_exceptions=False)

    observe = module.params['observe']
    p = dict(module.params)
    facts = None
    if observe:
        # What validation needs to know of this host, read here instead of passed in.
        facts = host_facts()
        if p['mod_wsgi_python'] is None and os.path.exists(observe['mod_wsgi_module']):
            try:
                p['mod_wsgi_python'] = inspect_mod_wsgi(observe['mod_wsgi_module'])['python_version']
            except (OSError, ValueError):
                pass
        if p['server_cores'] is None:
            p['server_cores'] = facts['processor_vcpus']
        if p['server_memory_mb'] is None:
            p['server_memory_mb'] = facts['memtotal_mb']
    if p['max_request_workers'] is None and p['server_cores'] is not None and p['server_memory_mb'] is not None:
        try:
            p['max_request_workers'] = mpm_sizing(p['mpm'], p['server_cores'], p['server_memory_mb'],
                                                  p['apache_sizing'])['max_request_workers']
        except (TypeError, ValueError) as exc:
            module.fail_json(msg='validate_sites: apache_sizing: %s' % exc, findings=[], invocation=invocation)
    if observe and not p['sites'] and p['mass_hosting'] is None:
        # Nothing to validate (a host without sites, e.g. the apache role on its own): only read the host.
        module.exit_json(changed=False, sites=[], vhosts=[], restrict_embedded=False, mass_hosting=None, findings=[],
                         invocation=invocation, host=observe_host([], {}, observe, runner, diff=module._diff),
                         ansible_facts=facts)
    try:
        result = validate(
            p['sites'],
            mpm=p['mpm'],
            document_roots=p['document_roots'],
            check_filesystem=p['check_filesystem'],
            mod_wsgi_python=p['mod_wsgi_python'],
            mass_hosting=p['mass_hosting'],
            base_dir=p['base_dir'],
            apache_user=p['apache_user'],
            apache_group=p['apache_group'],
            max_request_workers=p['max_request_workers'],
            server_memory_mb=p['server_memory_mb'],
            server_cores=p['server_cores'],
            fs=FileSystem(runner),
        )
    except Exception as exc:  # pylint: disable=broad-exception-caught
        module.fail_json(msg='validate_sites: internal error (%s), please report it.' % exc.__class__.__name__,
                         exception=traceback.format_exc(), findings=[], invocation=invocation)

    findings = [f.as_dict() for f in result.findings]
    for warning in result.warnings:
        module.warn(warning)
    if result.failed:
        module.fail_json(msg=result.error_message, findings=findings, invocation=invocation)
    sites = result.sites
    rollout = module.params['rollout']
    if rollout:
        sites, errors, warnings = migrate_once(sites, rollout['migrate_on'], rollout['host'], rollout['inventory_hosts'],
                                               rollout['play_hosts'], rollout['batch'])
        for warning in warnings:
            module.warn('[%s] %s' % (RULE, warning))
        if errors:
            findings += [{'id': RULE, 'severity': 'error', 'site': None, 'field': field, 'message': message, 'fix': fix}
                         for field, message, fix in errors]
            module.fail_json(msg='\n'.join("[%s] field '%s': %s Fix: %s" % (RULE, field, message, fix)
                                           for field, message, fix in errors),
                             findings=findings, invocation=invocation)
    extra = {}
    if observe:
        secrets = dict((item.get('name'), item.get('secrets') or {}) for item in module.params['sites'] if isinstance(item, dict))
        extra['host'] = observe_host(sites, secrets, observe, runner, diff=module._diff)
        extra['ansible_facts'] = facts
    module.exit_json(
        changed=False,
        sites=mask_secrets(sites),
        vhosts=result.vhosts,
        restrict_embedded=result.restrict_embedded,
        mass_hosting=result.mass_hosting,
        findings=findings,
        invocation=invocation,
        **extra
    )


if __name__ == '__main__':
    main()
