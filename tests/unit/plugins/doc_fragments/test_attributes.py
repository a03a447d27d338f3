# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared ``attributes`` entries live in doc_fragments/attributes.py, not copied into the modules."""

from __future__ import annotations

import glob
import os
import re

import pytest
import yaml

from ansible_collections.modwsgi.django.plugins.doc_fragments.attributes import ModuleDocFragment

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
MODULES = sorted(glob.glob(os.path.join(REPO, 'plugins', 'modules', '*.py')))
FRAGMENTS = {'modwsgi.django.attributes': ModuleDocFragment.DOCUMENTATION,
             'modwsgi.django.attributes.read_only': ModuleDocFragment.READ_ONLY}


def documentation(path):
    with open(path) as handle:
        text = handle.read()
    return yaml.safe_load(re.search(r'DOCUMENTATION = r"""(.*?)"""', text, re.S).group(1))


@pytest.mark.parametrize('path', MODULES, ids=[os.path.basename(path) for path in MODULES])
def test_no_module_copies_a_shared_attribute_and_each_names_both(path):
    doc = documentation(path)
    own = doc.get('attributes') or {}
    extends = doc.get('extends_documentation_fragment') or []
    merged = {}
    for name, fragment in FRAGMENTS.items():
        shared = yaml.safe_load(fragment)['attributes']
        for key, value in shared.items():
            assert own.get(key) != value, '%s copies attributes.%s: use extends_documentation_fragment %s' % (path, key, name)
        if name in extends:
            merged.update(shared)
    merged.update(own)
    # what every module documents, one way or the other
    assert merged.get('check_mode', {}).get('support') in ('full', 'partial', 'none'), path
    assert merged.get('diff_mode', {}).get('support') in ('full', 'partial', 'none'), path
