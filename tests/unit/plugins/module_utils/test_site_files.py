# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-site file_batch entries: owners, modes, order, secrets, and the filters that expose them."""

from __future__ import annotations

import json

import pytest

from ansible.errors import AnsibleFilterError
from ansible.plugins.filter.core import to_nice_json

from ansible_collections.modwsgi.django.plugins.filter import file_entries, site_entries, site_json
from ansible_collections.modwsgi.django.plugins.module_utils import _site_files as S
from ansible_collections.modwsgi.django.plugins.module_utils._layout.validation import validate

RENDERED = {'boot': 'B', 'settings': 'S', 'wsgi': 'W', 'manage': 'M', 'messages': 'G'}


def normalized(**extra):
    site = {'name': 'shop', 'server_name': 'shop.example.com', 'project': 'shop',
            'source': {'type': 'path', 'path': '/src/shop'}, 'env': {'A': '1'}, 'secrets': {'DJANGO_SECRET_KEY': 'x' * 50}}
    site.update(extra)
    result = validate([site], check_filesystem=False)
    assert not result.errors, result.errors
    return result.sites, [site]


def test_layout_entries_owners_modes_and_order():
    sites, _raw = normalized()
    entries = S.layout_entries(sites, {'shop': RENDERED}, 'www-data')
    by_path = {e['path']: e for e in entries}
    root = sites[0]['paths']['root']
    assert entries[0] == {'path': root, 'state': 'directory', 'owner': 'root', 'group': 'root', 'mode': '0711'}
    assert by_path[root + '/run']['owner'] == sites[0]['user']
    assert by_path[root + '/cache']['mode'] == '0700'
    static = by_path[sites[0]['static']['dir']]
    assert (static['owner'], static['group'], static['mode']) == ('root', 'www-data', '2755')
    media = by_path[sites[0]['media']['dir']]
    assert (media['owner'], media['mode']) == (sites[0]['user'], '2750')
    files = [e for e in entries if e['state'] == 'file']
    assert [e['content'] for e in files] == ['B', 'S', 'W', 'M', 'G']
    assert all(e['tag'] == 'shop' for e in files)
    assert all(e['tag'] == 'shop' for e in entries if 'tag' in e)
    assert by_path[sites[0]['paths']['manage']]['mode'] == '0755'
    assert by_path[sites[0]['paths']['script']]['group'] == 'root'
    # every directory comes before the files of the same site
    last_dir = max(i for i, e in enumerate(entries) if e['state'] == 'directory')
    assert last_dir < min(i for i, e in enumerate(entries) if e['state'] == 'file')


def test_site_json_has_env_and_secrets_and_matches_to_nice_json():
    sites, raw = normalized(env={'A': '1', 'B': 'two'})
    [entry] = S.json_entries(sites, raw)
    data = json.loads(entry['content'])
    assert data['environ'] == {'A': '1', 'B': 'two', 'DJANGO_SECRET_KEY': 'x' * 50}
    assert data['settings'] == sites[0]['effective_settings']
    assert entry['no_diff'] is True and entry['mode'] == '0640' and entry['group'] == sites[0]['group']
    assert entry['content'] == to_nice_json(data, sort_keys=True) + '\n'


def test_site_json_numbers_in_env_and_secrets_are_text():
    # The application's os.environ holds strings only: 1234 in the inventory arrives as "1234".
    sites, raw = normalized(env={'A': 7}, secrets={'PIN': 1234, 'RATIO': 1.5, 'KEY': 'x' * 50})
    [entry] = S.json_entries(sites, raw)
    assert json.loads(entry['content'])['environ'] == {'A': '7', 'PIN': '1234', 'RATIO': '1.5', 'KEY': 'x' * 50}


def test_site_json_without_secrets():
    sites, _raw = normalized()
    [entry] = S.json_entries(sites, [])
    assert json.loads(entry['content'])['environ'] == {'A': '1'}


def test_filters():
    sites, raw = normalized()
    assert site_entries.FilterModule().filters()['site_entries'](sites, {'shop': RENDERED})[-1]['content'] == 'G'
    assert site_json.FilterModule().filters()['site_json'](sites, raw)[0]['tag'] == 'shop'
    with pytest.raises(AnsibleFilterError, match='rendered files'):
        site_entries.FilterModule().filters()['site_entries'](sites, {})
    entries = file_entries.FilterModule().filters()['file_entries'](['/a', '/b'], 'file', 'root', 'adm', '0640')
    assert entries == [{'path': '/a', 'state': 'file', 'owner': 'root', 'group': 'adm', 'mode': '0640'},
                       {'path': '/b', 'state': 'file', 'owner': 'root', 'group': 'adm', 'mode': '0640'}]
    assert file_entries.FilterModule().filters()['file_entries'](['/a'], 'directory') == [{'path': '/a', 'state': 'directory'}]
    with pytest.raises(AnsibleFilterError, match='state must be'):
        file_entries.FilterModule().filters()['file_entries'](['/a'], 'link')
