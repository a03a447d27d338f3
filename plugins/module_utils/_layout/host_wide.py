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


def sites_by_host(sites):
    """server_name -> the sites on that host (sites with a valid server_name only)."""
    hosts = {}
    for site in sites:
        if 'server_name' in site.normalized:
            hosts.setdefault(site.normalized['server_name'], []).append(site)
    return hosts


def rule_name_unique(ctx, sites):
    """name: no two sites share a name."""
    seen = {}
    for site in sites:
        name = site.normalized.get('name')
        if name is None:
            continue
        if name in seen:
            ctx.error('name', site, 'name', "'%s' is already used by sites[%d]." % (name, seen[name]),
                      'give every site on a host its own name.')
        else:
            seen[name] = site.index


def rule_mount_unique(ctx, hosts):
    """mount-unique: one site per server_name + mount."""
    for host, group in hosts.items():
        mounts = {}
        for site in group:
            mount = site.normalized.get('mount')
            if mount is None:
                continue
            if mount in mounts:
                ctx.error('mount-unique', site, 'mount', "%s on %s is already taken by site '%s'." % (mount, host, mounts[mount].label),
                          'give one of the sites another mount or another server_name.')
            else:
                mounts[mount] = site


def rule_mount_nesting(ctx, hosts):
    """mount-nesting: a mount under another site's mount on the same host (a warning)."""
    for host, group in hosts.items():
        mounts = {}
        for site in group:
            if site.normalized.get('mount') is not None:
                mounts.setdefault(site.normalized['mount'], site)
        if len(mounts) < 2:
            continue
        for mount, site in mounts.items():
            for parent in ancestors(mount, include_self=False):
                if parent in mounts:
                    ctx.warn('mount-nesting', site, 'mount', "%s is nested under site '%s' at %s on %s: URLs under %s "
                             "go to '%s' (the vhost lists the deeper WSGIScriptAlias first)."
                             % (mount, mounts[parent].label, parent, host, mount, site.label),
                             "nothing if intended; make sure '%s' serves nothing under %s." % (mounts[parent].label, mount))
                    break


def rule_tls_mismatch(ctx, hosts):
    """tls-mismatch: the sites of one server_name share one tls setup."""
    for host, group in hosts.items():
        first = None
        for site in group:
            if 'tls' not in site.normalized:
                continue
            if first is None:
                first = site
                continue
            if site.normalized['tls'] != first.normalized['tls']:
                ctx.error('tls-mismatch', site, 'tls', "differs from site '%s' on the same server_name %s: one host "
                          "has one virtual host and one certificate." % (first.label, host),
                          "give every site on %s the same tls settings (or none)." % host)


def _wildcard_match(pattern, host):
    return pattern.startswith('*.') and host.endswith(pattern[1:]) and host != pattern[2:]


def rule_alias_conflict(ctx, hosts, mass):
    """alias-conflict: no host name is claimed by two virtual hosts (mass hosting included)."""
    owners = {}
    mass_name = mass['server_name'] if mass else None
    for host, group in hosts.items():
        if mass_name and host == mass_name:
            for site in group:
                ctx.error('alias-conflict', site, 'server_name', '%s is also the mass hosting server_name.' % host,
                          'give the mass hosting vhost its own host name.')
        for site in group:
            for alias in site.normalized.get('server_aliases', []):
                field = 'server_aliases'
                if alias == host:
                    ctx.warn('alias-conflict', site, field, '%s repeats the server_name.' % alias, 'remove it from server_aliases.')
                    continue
                if alias in hosts:
                    ctx.error('alias-conflict', site, field, "%s is the server_name of another virtual host (site '%s')."
                              % (alias, hosts[alias][0].label), 'remove the alias or merge the two hosts.')
                    continue
                if alias == mass_name:
                    ctx.error('alias-conflict', site, field, '%s is the mass hosting server_name.' % alias, 'remove the alias.')
                    continue
                owner = owners.setdefault(alias, host)
                if owner != host:
                    ctx.error('alias-conflict', site, field, '%s is also an alias of %s: Apache would send it to whichever '
                              'virtual host loads first.' % (alias, owner), 'keep the alias on one host only.')
                    continue
                if alias.startswith('*.'):
                    for other in list(hosts) + ([mass_name] if mass_name else []):
                        if other != host and _wildcard_match(alias, other):
                            ctx.warn('alias-conflict', site, field, '%s also matches %s, which has its own virtual host: '
                                     'Apache picks the first matching vhost in load order.' % (alias, other),
                                     'narrow the wildcard or make sure the vhost of %s loads first.' % other)


def rule_daemon_name(ctx, sites, mass):
    """daemon-name: every daemon process group name is defined once."""
    owners = {}
    if mass and mass['mode'] == 'daemon':
        owners[MASS_GROUP] = 'mass_hosting'
    for site in sites:
        if site.normalized.get('mode') != 'daemon' or 'deploy' not in site.normalized or 'name' not in site.normalized:
            continue
        for group in daemon_groups(site.normalized['name'], 'daemon', site.normalized['deploy']):
            if group in owners:
                other = owners[group]
                who = 'mass hosting' if other == 'mass_hosting' else "site '%s'" % other
                ctx.error('daemon-name', site, 'name', "daemon process group '%s' is also defined by %s: two "
                          "WSGIDaemonProcess directives with one name stop Apache." % (group, who),
                          "rename one site (group names are <name> for restart, <name>_blue/<name>_green for bluegreen).")
            else:
                owners[group] = site.label


def _cookie_paths_overlap(path, other):
    path, other = path.rstrip('/') or '/', other.rstrip('/') or '/'
    return under(path, other) or under(other, path)


def effective_cookie(site, key, shared):
    """The session/csrf cookie name the site gets: its own, else the default (prefixed when the host is shared)."""
    if key in site.normalized:
        return site.normalized[key]
    base = 'sessionid' if key == 'session_cookie_name' else 'csrftoken'
    return '%s_%s' % (site.normalized['name'], base) if shared else base


def rule_session_cookie(ctx, hosts):
    """session-cookie: sites sharing a host use distinct cookie names or disjoint cookie paths."""
    for host, group in hosts.items():
        shared = len(group) > 1
        for site in group:
            if 'name' in site.normalized:
                site.normalized['_shared'] = shared
        if not shared:
            continue
        for key in ('session_cookie_name', 'csrf_cookie_name'):
            by_name = {}
            for site in group:
                if 'name' not in site.normalized or 'session_cookie_path' not in site.normalized:
                    continue
                by_name.setdefault(effective_cookie(site, key, True), []).append(site)
            for cookie, owners in by_name.items():
                for i, site in enumerate(owners):
                    for other in owners[:i]:
                        if _cookie_paths_overlap(site.normalized['session_cookie_path'], other.normalized['session_cookie_path']):
                            ctx.error('session-cookie', site, key, "cookie '%s' (path %s) collides with site '%s' (path %s) "
                                      "on %s: logging into one site logs the other out." % (
                                          cookie, site.normalized['session_cookie_path'], other.label,
                                          other.normalized['session_cookie_path'], host),
                                      "omit %s (default '%s_%s') or give the sites disjoint cookie paths."
                                      % (key, site.normalized['name'], 'sessionid' if key.startswith('session') else 'csrftoken'))
                            break


def rule_static_url_cross(ctx, hosts):
    """static-url: Alias URLs distinct per host and never covering another site's mount."""
    for host, group in hosts.items():
        urls = {}
        for site in group:
            for key in ('static', 'media'):
                url_dir = site.normalized.get(key)
                if not url_dir:
                    continue
                url = url_dir['url']
                if url in urls and urls[url][0] is not site:
                    other, other_key = urls[url]
                    ctx.error('static-url', site, key + '.url', "%s is also %s.url of site '%s' on %s: one Alias "
                              "would serve both." % (url, other_key, other.label, host),
                              "use a URL under the site's mount, e.g. '%s/%s/'." % (site.normalized.get('mount', '').rstrip('/'), key))
                else:
                    urls.setdefault(url, (site, key))
        if not urls:
            continue
        for site in group:
            mount = site.normalized.get('mount')
            if mount is None or mount == '/':
                continue
            for prefix in ancestors(mount):
                hit = urls.get(prefix + '/') if prefix != '/' else None
                if hit:
                    other, other_key = hit
                    ctx.error('static-url', other, other_key + '.url', "%s covers the mount %s of site '%s': the Alias "
                              "would hide that application." % (other.normalized[other_key]['url'], mount, site.label),
                              'move the static/media URL out of that mount.')
                    break
            # another (shallower) site's Alias inside this mount takes its URLs away
            for url, (other, other_key) in urls.items():
                path = url.rstrip('/')
                if other is site or path == mount or not under(path, mount):
                    continue
                if under(other.normalized.get('mount', '/'), mount):
                    continue
                ctx.error('static-url', other, other_key + '.url', "%s is inside the mount %s of site '%s': the Alias "
                          "would take those URLs away from it." % (url, mount, site.label),
                          "use a URL under the site's own mount.")
