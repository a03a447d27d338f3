# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Apache configuration the django_site role renders, byte for byte, for representative layouts.

Each case is an inventory (``CASES``) normalized by ``validate`` and rendered through the role's own
templates (vhosts.json.j2, which includes vhost.conf.j2, sites.conf.j2 and mass.conf.j2) the way
tasks/main.yml renders them, plus each site's boot module (boot.py.j2, which reads the site's
mode). The expected files in ``rendered/`` were generated from the code on main before the
normalized site carried every derived value (issue 24), and that refactoring left them byte for
byte unchanged. A deliberate change to the rendered configuration (since then: issue 23's 503 on a
colors map miss and WSGIScriptReloading Off) updates them with
``MODWSGI_RENDERED_UPDATE=1 pytest tests/unit/roles/django_site/test_rendered_config.py``, and the
diff shows up in review.
"""

from __future__ import annotations

import json
import os
import re

import jinja2
import pytest

from ansible_collections.modwsgi.django.plugins.module_utils._layout import validate

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..', '..', '..'))
TEMPLATES = os.path.join(REPO, 'roles', 'django_site', 'templates')
EXPECTED = os.path.join(HERE, 'rendered')
UPDATE = os.environ.get('MODWSGI_RENDERED_UPDATE') == '1'

TLS = {'cert': '/etc/ssl/certs/shop.pem', 'key': '/etc/ssl/private/shop.key'}


def site(name, **extra):
    raw = {'name': name, 'server_name': '%s.example.com' % name, 'project': name, 'root': '/srv/django/%s' % name,
           'python': '/usr/bin/python3', 'requirements': None, 'source': {'type': 'path', 'path': '/src/%s' % name}}
    raw.update(extra)
    return raw


CASES = {
    # one bluegreen site with the defaults
    'bluegreen': dict(sites=[site('shop')]),
    # bluegreen + restart + embedded on one host name (deepest mount first), aliases, static and media
    'shared-host': dict(sites=[
        site('shop', server_aliases=['www.shop.example.com', '*.shop.example.com'],
             static={'url': '/static/', 'dir': '/srv/django/shop-public/static'},
             media={'url': '/media/', 'dir': '/srv/django/shop-public/media'}),
        site('api', server_name='shop.example.com', mount='/api', deploy='restart',
             static={'url': '/api/static/', 'dir': '/srv/django/api-public/static'}),
        site('legacy', server_name='shop.example.com', mount='/legacy', mode='embedded'),
    ], mpm='event'),
    # TLS with redirect, HSTS and a chain; a second host with TLS, neither redirect nor HSTS
    'tls': dict(sites=[
        site('shop', tls=dict(TLS, chain='/etc/ssl/certs/chain.pem', redirect=True, hsts=True)),
        site('blog', tls=dict(TLS), deploy='restart'),
    ], apache={'listen_http': 8080, 'listen_https': 8443}),
    'tls-standard-ports': dict(sites=[site('shop', tls=dict(TLS, redirect=True))]),
    # every daemon option set
    'daemon-options': dict(sites=[
        site('shop', daemon={'user': 'shopper', 'group': 'shoppers', 'processes': 3, 'threads': 5,
                             'display_name': 'shop-wsgi', 'maximum_requests': 1000, 'inactivity_timeout': 300,
                             'home': '/srv/django/shop/data', 'graceful_timeout': 20, 'queue_timeout': 9},
             script_dir='/srv/django/shop/wsgi'),
        site('blog', deploy='restart', thread_safe=False, daemon={'processes': 4}),
    ]),
    'sized': dict(sites=[site('shop'), site('blog', deploy='restart')], server_cores=4, server_memory_mb=8192),
    'embedded-only': dict(sites=[site('shop', mode='embedded'), site('blog', mode='embedded', server_name='shop.example.com',
                                                                     mount='/blog')], mpm='prefork'),
    'mass-daemon': dict(sites=[site('shop')], mass_hosting={'server_name': 'mass.example.com', 'base_dir': '/srv/mass'}),
    'mass-daemon-user': dict(sites=[], mass_hosting={'server_name': 'mass.example.com', 'base_dir': '/srv/mass',
                                                     'python_home': '/opt/massvenv',
                                                     'daemon': {'user': 'massuser', 'threads': 7}}),
    'mass-embedded': dict(sites=[site('shop', mode='embedded')],
                          mass_hosting={'server_name': 'mass.example.com', 'base_dir': '/srv/mass', 'mode': 'embedded'}),
}


def layout_of(case):
    options = dict(case)
    sites = options.pop('sites')
    apache = options.pop('apache', {})
    result = validate(sites, check_filesystem=False, **options)
    assert not result.errors, result.errors
    layout = {'sites': result.sites, 'vhosts': result.vhosts, 'restrict_embedded': result.restrict_embedded,
              'mass_hosting': result.mass_hosting}
    apache_vars = {'listen_http': 80, 'listen_https': 443, 'conf_root': '/etc/apache2', 'log_dir': '/var/log/apache2'}
    apache_vars.update(apache)
    return layout, apache_vars


def regex_escape(value):
    return re.sub(r'([].^$*+?{}()|\[\\])', r'\\\1', value)   # ansible.builtin.regex_escape (re_type python)


def render_all(case):
    """The files tasks/main.yml renders for ``case``: {name: text}."""
    layout, apache = layout_of(case)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), trim_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters.update(to_json=lambda value: json.dumps(value, sort_keys=False), regex_escape=regex_escape,
                       basename=os.path.basename, bool=bool, ternary=lambda value, yes, no: yes if value else no)
    variables = {'__django_site_layout': layout, '__django_site_apache': apache,
                 'django_site_colors_map': '/etc/apache2/modwsgi-colors.map', 'mod_wsgi_facts': {},
                 'django_site_mass_venv': '/srv/django/.mass-venv'}
    out = {}
    for vhost in json.loads(env.get_template('vhosts.json.j2').render(variables)):
        out[os.path.basename(vhost['path'])] = vhost['content']
    out['sites.conf'] = env.get_template('sites.conf.j2').render(variables)
    if layout['mass_hosting']:
        out['mass.conf'] = env.get_template('mass.conf.j2').render(variables)
    for item in layout['sites']:
        out['%s/_modwsgi_boot.py' % item['name']] = env.get_template('boot.py.j2').render(variables, __django_site_item=item)
    return out


def flatten(rendered):
    return ''.join('==> %s <==\n%s\n' % (name, rendered[name]) for name in sorted(rendered))


@pytest.mark.parametrize('name', sorted(CASES))
def test_rendered_apache_config_is_unchanged(name):
    text = flatten(render_all(CASES[name]))
    path = os.path.join(EXPECTED, name + '.txt')
    if UPDATE:
        with open(path, 'w') as handle:
            handle.write(text)
    with open(path) as handle:
        assert text == handle.read()


def test_every_expected_file_has_a_case():
    assert sorted(name[:-len('.txt')] for name in os.listdir(EXPECTED)) == sorted(CASES)
