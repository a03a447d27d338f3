# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One Python per Apache: the interpreter mod_wsgi is built for, and the sites that disagree with it."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.modwsgi.django.plugins.filter.mod_wsgi_python import FilterModule
from ansible_collections.modwsgi.django.plugins.filter.mod_wsgi_python_version import FilterModule as VersionFilter
from ansible_collections.modwsgi.django.plugins.module_utils._one_python import OnePythonError, one_python, python_version

PY313 = '/opt/python3.13/bin/python3.13'


def test_the_sites_one_python():
    assert one_python([{'name': 'a', 'python': PY313}, {'name': 'b', 'python': PY313}]) == PY313
    assert one_python([{'name': 'a'}]) == '/usr/bin/python3'
    assert one_python([{'name': 'a', 'python': PY313}], PY313) == PY313
    assert one_python([], PY313) == PY313


def test_sites_that_disagree_are_named_with_their_interpreters():
    with pytest.raises(OnePythonError) as caught:
        one_python([{'name': 'a', 'python': PY313}, {'name': 'b'}, {'name': 'c'}])
    message = str(caught.value)
    assert 'one Python per Apache' in message and '2 interpreters' in message
    assert "%s for site 'a'" % PY313 in message and "/usr/bin/python3 for sites 'b', 'c'" in message and 'Fix:' in message


def test_an_explicit_python_every_site_must_use():
    with pytest.raises(OnePythonError) as caught:
        one_python([{'name': 'a', 'python': PY313}, {'name': 'b'}], PY313)
    assert "/usr/bin/python3 for site 'b'" in str(caught.value) and '"python: %s"' % PY313 in str(caught.value)
    with pytest.raises(OnePythonError):
        one_python([], 'python3')
    with pytest.raises(OnePythonError):
        one_python([])


def test_filters():
    assert FilterModule().filters()['mod_wsgi_python']([{'name': 'a', 'python': PY313}]) == PY313
    with pytest.raises(AnsibleFilterError):
        FilterModule().filters()['mod_wsgi_python']([{'name': 'a', 'python': PY313}, {'name': 'b'}])
    version = VersionFilter().filters()['mod_wsgi_python_version']
    assert version([{'name': 'a', 'python': PY313}], 'pip') == '3.13'
    assert version([{'name': 'a', 'python': PY313}], 'package') == ''
    assert version([{'name': 'a', 'python': PY313}, {'name': 'b'}], 'pip') == ''  # the role says why
    assert python_version('/usr/bin/python3') == '' and python_version('/usr/local/bin/python3.12') == '3.12'
