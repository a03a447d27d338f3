# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""doc_fragments/site.py (generated from schema.py) documents the keys of validate_sites' ``sites``: merged the
way Ansible merges fragments, the option keeps the module's own description and gains one suboption per key."""

from __future__ import annotations

import copy

import yaml

from ansible_collections.modwsgi.django.plugins.doc_fragments.site import ModuleDocFragment
from ansible_collections.modwsgi.django.plugins.module_utils._layout import schema
from ansible_collections.modwsgi.django.plugins.modules import validate_sites


def _merge(target, source):
    """ansible.utils.plugin_docs.merge_fragment, for ``options``: the module's keys win, the fragment adds."""
    for key, value in source.items():
        if key in target:
            value = copy.deepcopy(value)
            value.update(target[key])
        target[key] = value


def test_the_fragment_documents_every_site_key():
    fragment = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)
    subs = fragment['options']['sites']['suboptions']
    assert list(subs) == list(schema.SITE_SCHEMA)
    assert [key for key, spec in subs.items() if spec.get('required')] == list(schema.SITE_REQUIRED)
    assert list(subs['daemon']['suboptions']) == list(schema.DAEMON_DEFAULTS)
    assert subs['mode']['choices'] == list(schema.MODES) and subs['deploy']['choices'] == list(schema.DEPLOYS)
    assert subs['source']['suboptions']['type']['choices'] == list(schema.SOURCE_KEYS)
    assert subs['static']['type'] == 'raw'  # a dict or false
    assert set(fragment) == {'options'} and set(fragment['options']['sites']) == {'suboptions'}


def test_validate_sites_extends_it_and_keeps_its_own_description():
    doc = yaml.safe_load(validate_sites.DOCUMENTATION)
    assert 'modwsgi.django.site' in doc['extends_documentation_fragment']
    assert 'suboptions' not in doc['options']['sites']  # the fragment's would be overridden
    options = copy.deepcopy(doc['options'])
    _merge(options, yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options'])
    assert options['sites']['description'] == doc['options']['sites']['description']
    assert options['sites']['type'] == 'list' and options['sites']['required'] is True
    assert list(options['sites']['suboptions']) == list(schema.SITE_SCHEMA)
