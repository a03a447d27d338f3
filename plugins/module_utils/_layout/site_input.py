# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Per-site input rules: schema, name, server-name, mount, settings-module, source, static-url, env,
session-cookie syntax, tls, manage-steps."""

from __future__ import annotations

import hashlib
import json
import keyword
import re
import shlex
import unicodedata

from ansible_collections.modwsgi.django.plugins.module_utils._layout.schema import (
    COOKIE_RE,
    ENV_KEY_RE,
    IDENT_RE,
    MANAGE_STEP_OWN,
    MANAGE_STEP_RE,
    MANAGE_STEP_REFUSED,
    MAX_ENV_VALUE,
    MAX_MANAGE_STEPS,
    MAX_PATH,
    MAX_URL,
    NAME_RE,
    NULL_MEANS_NONE,
    REGEX_CHARS,
    SECRETISH_RE,
    SETTINGS_SHIM,
    SETTING_KEY_RE,
    SITE_REQUIRED,
    SITE_SCHEMA,
    SOURCE_BAD_CHARS,
    SOURCE_KEYS,
    STATIC_KEYS,
    SYSTEM_DIRS,
    TLS_KEYS,
    URL_PATH_CHARS,
    URL_SEGMENT_CHARS,
)
from ansible_collections.modwsgi.django.plugins.module_utils._layout.text import (
    as_bool,
    ascii_url_suggestion,
    bad_chars,
    char_name,
    file_path_problems,
    fs_path_fix,
    fs_path_problems,
    hostname_problem,
    key_label,
    show,
    suggest,
    type_name,
    under,
    url_path_problems,
)


def rule_schema(ctx, site):
    """schema: unknown keys (with a suggestion), required keys, value types."""
    raw = site.raw
    for key in raw:
        if key not in SITE_SCHEMA:
            ctx.error('schema', site, key_label(key), 'is not a known site key%s.' % suggest(key, SITE_SCHEMA),
                      'remove it or fix its spelling; known keys are listed in docs/rules.md and the variables reference.')
    for key in SITE_REQUIRED:
        if raw.get(key) is None:
            ctx.error('schema', site, key, 'is required but %s.' % ('missing' if key not in raw else 'null'),
                      'set %s for this site.' % key)
    for key, kind in SITE_SCHEMA.items():
        if key not in raw:
            continue
        value = raw[key]
        if value is None:
            if key in NULL_MEANS_NONE:
                site.given[key] = None
                site.explicit.add(key)
            continue
        ok = True
        if kind == 'str':
            ok = isinstance(value, str)
        elif kind == 'bool':
            converted = as_bool(value)
            ok = converted is not None
            value = converted
        elif kind == 'list':
            ok = isinstance(value, (list, tuple))
        elif kind == 'dict':
            ok = isinstance(value, dict)
        elif kind == 'dict_or_false':
            ok = isinstance(value, dict) or value is False
        if not ok:
            want = {'str': 'a string', 'bool': 'a boolean', 'list': 'a list', 'dict': 'a dict',
                    'dict_or_false': 'a dict or false'}[kind]
            shown = '' if key == 'secrets' else ' %s' % show(value, 40)
            ctx.error('schema', site, key, 'is %s%s, expected %s.' % (type_name(value), shown, want),
                      'give %s %s.' % (key, want))
            site.invalid_keys.add(key)
            continue
        site.given[key] = value
        site.explicit.add(key)


def rule_name(ctx, site):
    """name: ^[a-z][a-z0-9_]{0,30}$ (uniqueness is checked across sites)."""
    name = site.given.get('name')
    if name is None:
        return
    if NAME_RE.match(name):
        site.label = name
        site.normalized['name'] = name
        return
    hint = re.sub(r'[^a-z0-9_]+', '_', unicodedata.normalize('NFKD', name).encode('ascii', 'ignore').decode().lower())
    hint = hint.strip('_')
    if hint and not hint[0].isalpha():
        hint = 's_' + hint
    hint = hint[:31] or 'site'
    ctx.error('name', site, 'name', '%s does not match ^[a-z][a-z0-9_]{0,30}$ (it becomes a unix user and a '
              'daemon process group name).' % show(name), "use something like '%s'." % hint)


def rule_server_name(ctx, site):
    """server-name: RFC 1123 ASCII host names; aliases may start with '*.'."""
    value = site.given.get('server_name')
    if value is not None:
        problem, fix = hostname_problem(value, allow_wildcard=False)
        if problem and value.startswith('*.') and hostname_problem(value, True)[0] is None:
            problem, fix = 'is a wildcard', 'put wildcards in server_aliases and give a real server_name.'
        if problem:
            ctx.error('server-name', site, 'server_name', '%s %s.' % (show(value), problem), fix)
        else:
            site.normalized['server_name'] = value.lower()
    aliases = site.given.get('server_aliases', [])
    good = []
    for i, alias in enumerate(aliases):
        field = 'server_aliases[%d]' % i
        if not isinstance(alias, str):
            ctx.error('schema', site, field, 'is %s, not a host name.' % type_name(alias), 'give host names as strings.')
            continue
        problem, fix = hostname_problem(alias, allow_wildcard=True)
        if problem:
            ctx.error('server-name', site, field, '%s %s.' % (show(alias), problem), fix)
            continue
        alias = alias.lower()
        if alias not in good:
            good.append(alias)
    if 'server_aliases' not in site.invalid_keys:
        site.normalized['server_aliases'] = good


def rule_mount(ctx, site):
    """mount: "/" or "/a/b" - leading slash, no trailing slash, no //, no regex chars, no whitespace."""
    value = site.given.get('mount', '/')
    if value == '/':
        site.normalized['mount'] = '/'
        return
    problems = []
    if len(value) > MAX_URL:
        problems.append('is %d characters long (limit %d)' % (len(value), MAX_URL))
    if not value.startswith('/'):
        problems.append('does not start with "/"')
    if '//' in value:
        problems.append('contains "//"')
    if value.endswith('/'):
        problems.append('ends with "/" (WSGIScriptAlias /x/ would not match /x and mangles SCRIPT_NAME)')
    if any(ch.isspace() for ch in value):
        problems.append('contains whitespace')
    regex = [ch for ch in value if ch in REGEX_CHARS]
    if regex:
        problems.append('contains regex characters %s' % ' '.join(sorted(set(regex))))
    if any(ord(ch) > 127 for ch in value):
        problems.append('contains non-ASCII characters (%s)' % bad_chars(value, URL_PATH_CHARS))
    else:
        other = bad_chars(value, URL_SEGMENT_CHARS | frozenset('/') | REGEX_CHARS | frozenset(' \t'))
        if other:
            problems.append('contains %s' % other)
    if problems:
        ctx.error('mount', site, 'mount', '%s %s.' % (show(value), '; '.join(problems)),
                  "use '%s' (\"/\" or \"/a/b\": ASCII letters, digits, - _ ~ per segment, no trailing slash)."
                  % ascii_url_suggestion(value, trailing=False))
        return
    site.normalized['mount'] = value


def rule_settings_module(ctx, site):
    """settings-module: dotted, starts with '<project>.'; bare 'settings' is an error."""
    project = site.normalized.get('project')
    value = site.given.get('settings')
    if value is None:
        if project:
            site.normalized['settings'] = project + '.settings'
        return
    parts = value.split('.')
    if len(parts) == 1:
        fix = "use '%s.%s'." % (project, value) if project and IDENT_RE.match(value) else "use '<project>.settings'."
        ctx.error('settings-module', site, 'settings', '%s is not qualified by the project package: the guide warns '
                  'that a bare settings module diverges from how Django itself loads it.' % show(value), fix)
        return
    if len(value) > MAX_URL or not all(IDENT_RE.match(part) and not keyword.iskeyword(part) for part in parts):
        ctx.error('settings-module', site, 'settings', '%s is not a dotted Python module path.' % show(value),
                  "use '%s.settings' (identifiers separated by dots)." % (project or '<project>'))
        return
    if project and parts[0] != project:
        ctx.error('settings-module', site, 'settings', "%s does not start with the project package '%s'." % (show(value), project),
                  "use '%s.%s', or set project: %s if that is the package holding settings.py."
                  % (project, '.'.join(parts[1:]), parts[0]))
        return
    if project:
        site.normalized['settings'] = value


def rule_source(ctx, site):
    """schema/path: source {type: path|git|archive, ...}."""
    source = site.given.get('source')
    if source is None:
        return
    kind = source.get('type')
    if not isinstance(kind, str) or kind not in SOURCE_KEYS:
        ctx.error('schema', site, 'source.type', '%s is not one of path, git, archive%s.' % (show(kind), suggest(kind, SOURCE_KEYS)),
                  'set source.type to path, git or archive.')
        return
    spec = SOURCE_KEYS[kind]
    ok = True
    norm = {'type': kind}
    for key in source:
        if key not in spec:
            ctx.error('schema', site, 'source.%s' % key_label(key), 'is not a key of a %s source%s.'
                      % (kind, suggest(key, spec)), 'a %s source takes %s.' % (kind, ', '.join(sorted(spec))))
            ok = False
    for key, required in spec.items():
        if key == 'type':
            continue
        value = source.get(key)
        field = 'source.%s' % key
        if key == 'remote':
            flag = False if value is None else as_bool(value)
            if flag is None:
                ctx.error('schema', site, field, 'is %s, not a boolean.' % type_name(value), 'set true or false.')
                ok = False
            norm[key] = flag
            continue
        if value is None:
            if required:
                ctx.error('schema', site, field, 'is required for a %s source.' % kind, 'set %s.' % field)
                ok = False
            elif key == 'version':
                norm[key] = 'HEAD'
            continue
        if not isinstance(value, str) or value == '':
            ctx.error('schema', site, field, 'is %s, expected a non-empty string.' % type_name(value), 'set %s.' % field)
            ok = False
            continue
        problem = None
        if any(ch in SOURCE_BAD_CHARS or ord(ch) < 32 for ch in value):
            problem = 'contains %s' % bad_chars(value, frozenset(ch for ch in value if ord(ch) >= 32))
        elif key in ('repo', 'version') and (value.startswith('-') or any(ch.isspace() for ch in value)):
            problem = 'starts with "-" or contains whitespace (it would be read as a git option)'
        elif len(value) > 4096:
            problem = 'is too long'
        elif key in ('path', 'src') and (source.get('remote') is True or as_bool(source.get('remote')) is True):
            path_problems = fs_path_problems(value)
            if path_problems:
                problem = '; '.join(path_problems) + ' (remote sources are absolute paths on the target)'
        if problem:
            ctx.error('path', site, field, '%s %s.' % (show(value), problem), 'give a plain path, URL or git ref.')
            ok = False
            continue
        norm[key] = value
    if ok:
        site.normalized['source'] = norm


def rule_static_url(ctx, site):
    """static-url (+ path for dirs): static/media {url, dir} or false."""
    mount = site.normalized.get('mount')
    root = site.normalized.get('root')
    for key in ('static', 'media'):
        value = site.given.get(key, {})
        if value is False:
            site.normalized[key] = False
            continue
        ok = True
        for sub in value:
            if sub not in STATIC_KEYS:
                ctx.error('schema', site, '%s.%s' % (key, key_label(sub)), 'is not a %s setting%s.' % (key, suggest(sub, STATIC_KEYS)),
                          'give only url and dir, or false to disable %s.' % key)
                ok = False
        url = value.get('url')
        if url is None:
            url = None if mount is None else mount.rstrip('/') + '/%s/' % key
        elif not isinstance(url, str):
            ctx.error('schema', site, key + '.url', 'is %s, expected a string.' % type_name(url), "give a URL path like '/%s/'." % key)
            ok = False
            url = None
        else:
            problems = []
            if len(url) > MAX_URL:
                problems.append('is too long')
            if not (url.startswith('/') and url.endswith('/')):
                problems.append('must start and end with "/" (Django requires the trailing slash)')
            if url == '/':
                problems.append('is "/": the Alias would hide the whole site')
            regex = sorted(set(ch for ch in url if ch in REGEX_CHARS))
            if regex:
                problems.append('contains regex characters %s' % ' '.join(regex))
            other = bad_chars(url, URL_SEGMENT_CHARS | frozenset('/') | REGEX_CHARS)
            if other:
                problems.append('contains %s' % other)
            if '//' in url:
                problems.append('contains "//"')
            if problems:
                hint = ascii_url_suggestion(url, trailing=True)
                ctx.error('static-url', site, key + '.url', '%s %s.' % (show(url), '; '.join(problems)),
                          "use '%s'." % (hint if hint != '/' else '/%s/' % key))
                ok = False
                url = None
        directory = value.get('dir')
        if directory is None:
            directory = None if root is None else '%s/%s' % (root, key)
        elif not isinstance(directory, str):
            ctx.error('schema', site, key + '.dir', 'is %s, expected a path.' % type_name(directory), 'give an absolute path.')
            ok = False
            directory = None
        else:
            problems = fs_path_problems(directory)
            if not problems and directory in SYSTEM_DIRS:
                problems = ['is a system directory']
            if problems:
                ctx.error('path', site, key + '.dir', '%s %s.' % (show(directory), '; '.join(problems)),
                          fs_path_fix(directory, example='%s/%s' % (root or '<root>', key)))
                ok = False
                directory = None
        if ok and url and directory:
            site.normalized[key] = {'url': url, 'dir': directory}
    static, media = site.normalized.get('static'), site.normalized.get('media')
    if static and media:
        if static['url'] == media['url']:
            ctx.error('static-url', site, 'media.url', "equals static.url %s: one Alias would hide the other." % static['url'],
                      'give media and static different URLs (e.g. /static/ and /media/).')
        elif under(static['url'].rstrip('/'), media['url'].rstrip('/')) or under(media['url'].rstrip('/'), static['url'].rstrip('/')):
            ctx.error('static-url', site, 'media.url', 'and static.url (%s, %s) are nested: the outer Alias would serve '
                      'the inner one\'s files from the wrong directory.' % (static['url'], media['url']),
                      'give media and static sibling URLs such as /static/ and /media/.')
        if static['dir'] == media['dir']:
            ctx.error('static-url', site, 'media.dir', 'equals static.dir: collectstatic output and user uploads must '
                      'not share a directory.', 'give media its own directory (default <root>/media).')
    if mount is not None:
        for key in ('static', 'media'):
            url_dir = site.normalized.get(key)
            if url_dir and not under(url_dir['url'].rstrip('/'), mount):
                ctx.warn('static-url', site, key + '.url', '%s is outside the site\'s mount %s: the Alias is shared by '
                         'the whole host.' % (url_dir['url'], mount),
                         "use a URL under the mount, e.g. '%s/%s/'." % (mount.rstrip('/'), key))


def _check_env_dict(ctx, site, field, value, secret):
    """env/secrets: (the values as strings, True when every key is fine)."""
    out = {}
    ok = True
    for key, val in value.items():
        if not isinstance(key, str) or not ENV_KEY_RE.match(key):
            ctx.error('env', site, field, 'key %s is not an environment variable name.' % show(key, 40),
                      'use upper-case names matching ^[A-Z_][A-Z0-9_]*$.')
            ok = False
            continue
        kfield = '%s.%s' % (field, key)
        if key == 'FORCE_SCRIPT_NAME':
            ctx.error('force-script-name', site, kfield, 'is set: mod_wsgi passes the mount point as SCRIPT_NAME, '
                      'so Django already builds correct URLs; forcing it hides a configuration mistake.',
                      'remove FORCE_SCRIPT_NAME and fix mount (or urls.py) instead.')
            ok = False
            continue
        if key == 'DJANGO_SETTINGS_MODULE':
            ctx.error('env', site, kfield, 'is managed by the role (it points at the %s shim that imports your '
                      'settings).' % SETTINGS_SHIM, 'remove it and set the site key `settings` instead.')
            ok = False
            continue
        if val is None or isinstance(val, bool) or not isinstance(val, (str, int, float)):
            ctx.error('env', site, kfield, 'is %s; environment values are strings.' % type_name(val),
                      'quote the value, e.g. "1" or "true".')
            ok = False
            continue
        text = val if isinstance(val, str) else str(val)
        if '\x00' in text:
            ctx.error('env', site, kfield, 'value contains a NUL byte, which no process environment can hold.',
                      'remove it (base64-encode binary material).')
            ok = False
            continue
        # conf/site.json (JSON) carries any other character byte for byte. Secrets may span lines (keys,
        # certificates); plain env values are shown in logs and diffs, where a line break would make one
        # value look like several settings, so they stay on one line.
        if not secret and ('\n' in text or '\r' in text):
            ctx.error('env', site, kfield, 'value contains a newline or carriage return.',
                      'store a single-line value; multi-line material (keys, certificates) belongs in secrets, '
                      'which reach the application byte for byte.')
            ok = False
            continue
        if len(text) > MAX_ENV_VALUE:
            ctx.error('env', site, kfield, 'value is longer than %d characters.' % MAX_ENV_VALUE, 'store large data in a file.')
            ok = False
            continue
        if not secret and SECRETISH_RE.search(key):
            ctx.warn('env', site, kfield, 'looks like a secret but is in env (shown in logs and diffs).',
                     'move it to secrets (no_log, env file 0640).')
        out[key] = text
    return out, ok


def rule_env(ctx, site):
    """env / force-script-name: env, secrets and django_settings."""
    env, env_ok = _check_env_dict(ctx, site, 'env', site.given.get('env', {}), secret=False)
    secrets, sec_ok = _check_env_dict(ctx, site, 'secrets', site.given.get('secrets', {}), secret=True)
    for key in sorted(set(env) & set(secrets)):
        ctx.error('env', site, 'secrets.%s' % key, 'is also set in env.', 'keep the key in secrets only.')
        sec_ok = False
    if env_ok and 'env' not in site.invalid_keys:
        site.normalized['env'] = env
    if sec_ok and 'secrets' not in site.invalid_keys:
        site.normalized['secrets'] = secrets
    settings = site.given.get('django_settings', {})
    out = {}
    ok = True
    for key, val in settings.items():
        if not isinstance(key, str) or not SETTING_KEY_RE.match(key):
            ctx.error('env', site, 'django_settings', 'key %s is not a Django setting name.' % show(key, 40),
                      'use upper-case setting names matching ^[A-Z][A-Z0-9_]*$.')
            ok = False
            continue
        field = 'django_settings.%s' % key
        if key == 'FORCE_SCRIPT_NAME':
            ctx.error('force-script-name', site, field, 'is set: mod_wsgi passes the mount point as SCRIPT_NAME, so '
                      'FORCE_SCRIPT_NAME is never needed (the guide: "you have done something wrong").',
                      'remove it and fix mount (or urls.py) instead.')
            ok = False
            continue
        try:
            json.dumps(val, allow_nan=False)
        except (TypeError, ValueError, RecursionError):
            ctx.error('env', site, field, 'is not a JSON value (conf/site.json stores it).',
                      'use strings, numbers, booleans, null, lists and dicts only.')
            ok = False
            continue
        if key == 'SECRET_KEY':
            ctx.warn('env', site, field, 'puts the secret key in plain settings (shown in logs and diffs).',
                     'set secrets.DJANGO_SECRET_KEY and read it from the environment in settings.py.')
        out[key] = val
    if ok and 'django_settings' not in site.invalid_keys:
        site.normalized['django_settings'] = out


def rule_cookie_syntax(ctx, site):
    """session-cookie: cookie names and path syntax; path covers the mount."""
    overrides = site.normalized.get('django_settings', {})
    for key, setting in (('session_cookie_name', 'SESSION_COOKIE_NAME'), ('csrf_cookie_name', 'CSRF_COOKIE_NAME')):
        value = site.given.get(key)
        if isinstance(overrides.get(setting), str):
            value = overrides[setting]
        if value is None:
            continue
        if not COOKIE_RE.match(value):
            ctx.error('session-cookie', site, key, '%s is not a plain cookie name.' % show(value),
                      "use letters, digits, _ and - only, e.g. '%s_%s'." % (site.normalized.get('name', 'site'), key.split('_', maxsplit=1)[0]))
            continue
        site.normalized[key] = value
    path = site.given.get('session_cookie_path')
    if isinstance(overrides.get('SESSION_COOKIE_PATH'), str):
        path = overrides['SESSION_COOKIE_PATH']
    if path is not None:
        problems = url_path_problems(path)
        if problems:
            ctx.error('session-cookie', site, 'session_cookie_path', '%s %s.' % (show(path), '; '.join(problems)),
                      'use the mount (the default) or a parent of it.')
            return
        site.normalized['session_cookie_path'] = path
    elif 'mount' in site.normalized:
        site.normalized['session_cookie_path'] = site.normalized['mount']
    path = site.normalized.get('session_cookie_path')
    mount = site.normalized.get('mount')
    if path and mount and not under(mount, path.rstrip('/') or '/'):
        ctx.warn('session-cookie', site, 'session_cookie_path', '%s does not cover the mount %s: browsers will not '
                 'send the session cookie to the site.' % (path, mount), 'use the mount (the default) or a parent of it.')
    session_name, csrf_name = site.normalized.get('session_cookie_name'), site.normalized.get('csrf_cookie_name')
    if session_name and session_name == csrf_name:
        ctx.error('session-cookie', site, 'csrf_cookie_name', 'equals session_cookie_name %s: the two cookies '
                  'would overwrite each other.' % session_name, 'give them different names.')


def rule_tls(ctx, site):
    """schema/path: tls {cert, key, chain, hsts, redirect} or null."""
    tls = site.given.get('tls')
    if tls is None:
        site.normalized['tls'] = None
        return
    norm = {'cert': None, 'key': None, 'chain': None, 'hsts': False, 'redirect': False}
    ok = True
    for key in tls:
        if key not in TLS_KEYS:
            ctx.error('schema', site, 'tls.%s' % key_label(key), 'is not a tls setting%s.' % suggest(key, TLS_KEYS),
                      'use cert, key, chain, hsts, redirect.')
            ok = False
    for key in ('cert', 'key', 'chain'):
        value = tls.get(key)
        field = 'tls.%s' % key
        if value is None:
            if key != 'chain':
                ctx.error('schema', site, field, 'is required when tls is set.', 'give the %s file path, or tls: null.' % key)
                ok = False
            continue
        if not isinstance(value, str):
            ctx.error('schema', site, field, 'is %s, expected a path.' % type_name(value), 'give an absolute path.')
            ok = False
            continue
        problems = file_path_problems(value)
        if problems:
            ctx.error('path', site, field, '%s %s.' % (show(value), '; '.join(problems)), fs_path_fix(value))
            ok = False
            continue
        norm[key] = value
    for key in ('hsts', 'redirect'):
        value = tls.get(key)
        if value is None:
            continue
        flag = as_bool(value)
        if flag is None:
            ctx.error('schema', site, 'tls.%s' % key, 'is %s, not a boolean.' % type_name(value), 'set true or false.')
            ok = False
            continue
        norm[key] = flag
    if ok:
        site.normalized['tls'] = norm


def manage_step_marker(argv):
    """Marker file a finished extra management step leaves in the release (one per command line)."""
    return '.modwsgi-step-' + hashlib.sha256('\0'.join(argv).encode('utf-8')).hexdigest()[:12]


def rule_manage_steps(ctx, site):
    """manage-steps: extra Django management commands run on each new release before activation."""
    site.normalized['manage_steps'] = []
    value = site.given.get('manage_steps')
    if value is None:
        return
    fix_shape = "give command lines such as ['compilemessages', 'compress --force', 'createcachetable']."
    if len(value) > MAX_MANAGE_STEPS:
        ctx.error('manage-steps', site, 'manage_steps', 'has %d steps; at most %d are allowed.' % (len(value), MAX_MANAGE_STEPS),
                  'run fewer steps, or one custom management command that does them all.')
        return
    steps, seen = [], {}
    for index, item in enumerate(value):
        field = 'manage_steps[%d]' % index
        if not isinstance(item, str):
            ctx.error('manage-steps', site, field, 'is %s, expected a command line string.' % type_name(item), fix_shape)
            continue
        problems = []
        controls = sorted(set(ch for ch in item if unicodedata.category(ch).startswith('C')))
        if controls:
            problems.append('contains %s' % ', '.join(char_name(ch) for ch in controls[:5]))
        if len(item) > MAX_PATH:
            problems.append('is longer than %d characters' % MAX_PATH)
        argv = None
        if not problems:
            try:
                argv = shlex.split(item)
            except ValueError as exc:
                problems.append('cannot be split into arguments (%s)' % exc)
        if argv is not None and not argv:
            problems.append('is empty')
        if problems:
            ctx.error('manage-steps', site, field, '%s %s.' % (show(item), '; '.join(problems)), fix_shape)
            continue
        command = argv[0]
        if not MANAGE_STEP_RE.match(command) or command.startswith('python') or command == 'django_admin':
            ctx.error('manage-steps', site, field, '%s does not start with a management command name (%s).'
                      % (show(item), show(command)),
                      "start with the command as `manage.py help` lists it, e.g. 'compress --force' (no 'python manage.py').")
            continue
        if command in MANAGE_STEP_OWN:
            ctx.error('manage-steps', site, field, "'%s' is a step the role runs itself on each release." % command,
                      'remove it; the site key %s controls it.' % MANAGE_STEP_OWN[command])
            continue
        if command in MANAGE_STEP_REFUSED:
            ctx.error('manage-steps', site, field, "'%s' is interactive, never ends, or changes code or data in a way "
                      'a deploy must not.' % command,
                      'run it by hand with <root>/bin/manage (docs/getting-started.md §7).')
            continue
        line = ' '.join(shlex.quote(arg) for arg in argv)
        if line in seen:
            ctx.error('manage-steps', site, field, "repeats manage_steps[%d] '%s'." % (seen[line], line),
                      'give each step once; a step runs once per release.')
            continue
        seen[line] = index
        steps.append({'name': line, 'argv': argv, 'marker': manage_step_marker(argv)})
    site.normalized['manage_steps'] = steps
