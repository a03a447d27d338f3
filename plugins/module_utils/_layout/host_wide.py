# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Host-wide rules: what the sites of one host must not share (names, mounts, tls, aliases, daemon
process groups, cookies, static/media URLs)."""

from __future__ import annotations

from ansible_collections.modwsgi.django.plugins.module_utils._layout.schema import MASS_GROUP
from ansible_collections.modwsgi.django.plugins.module_utils._layout.text import ancestors, under
from ansible_collections.modwsgi.django.plugins.module_utils._layout.runtime import daemon_groups


def _by_host(sites):
    hosts = {}
    for st in sites:
        if 'server_name' in st.n:
            hosts.setdefault(st.n['server_name'], []).append(st)
    return hosts


def _rule_name_unique(ctx, sites):
    seen = {}
    for st in sites:
        name = st.n.get('name')
        if name is None:
            continue
        if name in seen:
            ctx.error('name', st, 'name', "'%s' is already used by sites[%d]." % (name, seen[name]),
                      'give every site on a host its own name.')
        else:
            seen[name] = st.index


def _rule_mount_unique(ctx, hosts):
    for host, group in hosts.items():
        mounts = {}
        for st in group:
            mount = st.n.get('mount')
            if mount is None:
                continue
            if mount in mounts:
                ctx.error('mount-unique', st, 'mount', "%s on %s is already taken by site '%s'." % (mount, host, mounts[mount].label),
                          'give one of the sites another mount or another server_name.')
            else:
                mounts[mount] = st


def _rule_mount_nesting(ctx, hosts):
    for host, group in hosts.items():
        mounts = {}
        for st in group:
            if st.n.get('mount') is not None:
                mounts.setdefault(st.n['mount'], st)
        if len(mounts) < 2:
            continue
        for mount, st in mounts.items():
            for parent in ancestors(mount, include_self=False):
                if parent in mounts:
                    ctx.warn('mount-nesting', st, 'mount', "%s is nested under site '%s' at %s on %s: URLs under %s "
                             "go to '%s' (the vhost lists the deeper WSGIScriptAlias first)."
                             % (mount, mounts[parent].label, parent, host, mount, st.label),
                             "nothing if intended; make sure '%s' serves nothing under %s." % (mounts[parent].label, mount))
                    break


def _rule_tls_mismatch(ctx, hosts):
    for host, group in hosts.items():
        first = None
        for st in group:
            if 'tls' not in st.n:
                continue
            if first is None:
                first = st
                continue
            if st.n['tls'] != first.n['tls']:
                ctx.error('tls-mismatch', st, 'tls', "differs from site '%s' on the same server_name %s: one host "
                          "has one virtual host and one certificate." % (first.label, host),
                          "give every site on %s the same tls settings (or none)." % host)


def _wildcard_match(pattern, host):
    return pattern.startswith('*.') and host.endswith(pattern[1:]) and host != pattern[2:]


def _rule_alias_conflict(ctx, hosts, mass):
    owners = {}
    mass_name = mass['server_name'] if mass else None
    for host, group in hosts.items():
        if mass_name and host == mass_name:
            for st in group:
                ctx.error('alias-conflict', st, 'server_name', '%s is also the mass hosting server_name.' % host,
                          'give the mass hosting vhost its own host name.')
        for st in group:
            for alias in st.n.get('server_aliases', []):
                field = 'server_aliases'
                if alias == host:
                    ctx.warn('alias-conflict', st, field, '%s repeats the server_name.' % alias, 'remove it from server_aliases.')
                    continue
                if alias in hosts:
                    ctx.error('alias-conflict', st, field, "%s is the server_name of another virtual host (site '%s')."
                              % (alias, hosts[alias][0].label), 'remove the alias or merge the two hosts.')
                    continue
                if alias == mass_name:
                    ctx.error('alias-conflict', st, field, '%s is the mass hosting server_name.' % alias, 'remove the alias.')
                    continue
                owner = owners.setdefault(alias, host)
                if owner != host:
                    ctx.error('alias-conflict', st, field, '%s is also an alias of %s: Apache would send it to whichever '
                              'virtual host loads first.' % (alias, owner), 'keep the alias on one host only.')
                    continue
                if alias.startswith('*.'):
                    for other in list(hosts) + ([mass_name] if mass_name else []):
                        if other != host and _wildcard_match(alias, other):
                            ctx.warn('alias-conflict', st, field, '%s also matches %s, which has its own virtual host: '
                                     'Apache picks the first matching vhost in load order.' % (alias, other),
                                     'narrow the wildcard or make sure the vhost of %s loads first.' % other)


def _rule_daemon_name(ctx, sites, mass):
    owners = {}
    if mass and mass['mode'] == 'daemon':
        owners[MASS_GROUP] = 'mass_hosting'
    for st in sites:
        if st.n.get('mode') != 'daemon' or 'deploy' not in st.n or 'name' not in st.n:
            continue
        for group in daemon_groups(st.n['name'], 'daemon', st.n['deploy']):
            if group in owners:
                other = owners[group]
                who = 'mass hosting' if other == 'mass_hosting' else "site '%s'" % other
                ctx.error('daemon-name', st, 'name', "daemon process group '%s' is also defined by %s: two "
                          "WSGIDaemonProcess directives with one name stop Apache." % (group, who),
                          "rename one site (group names are <name> for restart, <name>_blue/<name>_green for bluegreen).")
            else:
                owners[group] = st.label


def _cookie_paths_overlap(a, b):
    a, b = a.rstrip('/') or '/', b.rstrip('/') or '/'
    return under(a, b) or under(b, a)


def _effective_cookie(st, key, shared):
    if key in st.n:
        return st.n[key]
    base = 'sessionid' if key == 'session_cookie_name' else 'csrftoken'
    return '%s_%s' % (st.n['name'], base) if shared else base


def _rule_session_cookie(ctx, hosts):
    for host, group in hosts.items():
        shared = len(group) > 1
        for st in group:
            if 'name' in st.n:
                st.n['_shared'] = shared
        if not shared:
            continue
        for key in ('session_cookie_name', 'csrf_cookie_name'):
            by_name = {}
            for st in group:
                if 'name' not in st.n or 'session_cookie_path' not in st.n:
                    continue
                by_name.setdefault(_effective_cookie(st, key, True), []).append(st)
            for cookie, owners in by_name.items():
                for i, st in enumerate(owners):
                    for other in owners[:i]:
                        if _cookie_paths_overlap(st.n['session_cookie_path'], other.n['session_cookie_path']):
                            ctx.error('session-cookie', st, key, "cookie '%s' (path %s) collides with site '%s' (path %s) "
                                      "on %s: logging into one site logs the other out." % (
                                          cookie, st.n['session_cookie_path'], other.label,
                                          other.n['session_cookie_path'], host),
                                      "omit %s (default '%s_%s') or give the sites disjoint cookie paths."
                                      % (key, st.n['name'], 'sessionid' if key.startswith('session') else 'csrftoken'))
                            break


def _rule_static_url_cross(ctx, hosts):
    """static-url: Alias URLs distinct per host and never covering another site's mount."""
    for host, group in hosts.items():
        urls = {}
        for st in group:
            for key in ('static', 'media'):
                cfg = st.n.get(key)
                if not cfg:
                    continue
                url = cfg['url']
                if url in urls and urls[url][0] is not st:
                    other, okey = urls[url]
                    ctx.error('static-url', st, key + '.url', "%s is also %s.url of site '%s' on %s: one Alias "
                              "would serve both." % (url, okey, other.label, host),
                              "use a URL under the site's mount, e.g. '%s/%s/'." % (st.n.get('mount', '').rstrip('/'), key))
                else:
                    urls.setdefault(url, (st, key))
        if not urls:
            continue
        for st in group:
            mount = st.n.get('mount')
            if mount is None or mount == '/':
                continue
            for prefix in ancestors(mount):
                hit = urls.get(prefix + '/') if prefix != '/' else None
                if hit:
                    other, okey = hit
                    ctx.error('static-url', other, okey + '.url', "%s covers the mount %s of site '%s': the Alias "
                              "would hide that application." % (other.n[okey]['url'], mount, st.label),
                              'move the static/media URL out of that mount.')
                    break
            # another (shallower) site's Alias inside this mount takes its URLs away
            for url, (other, okey) in urls.items():
                path = url.rstrip('/')
                if other is st or path == mount or not under(path, mount):
                    continue
                if under(other.n.get('mount', '/'), mount):
                    continue
                ctx.error('static-url', other, okey + '.url', "%s is inside the mount %s of site '%s': the Alias "
                          "would take those URLs away from it." % (url, mount, st.label),
                          "use a URL under the site's own mount.")
