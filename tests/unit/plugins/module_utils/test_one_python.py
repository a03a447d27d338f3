# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One Python per Apache: the interpreter mod_wsgi is built for, and the sites that disagree with it."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.modwsgi.django.plugins.filter.mod_wsgi_python import FilterModule
from ansible_collections.modwsgi.django.plugins.filter.mod_wsgi_python_version import FilterModule as VersionFilter
from ansible_collections.modwsgi.django.plugins.module_utils._one_python import OnePythonError, one_python, pip_plan, python_version

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


# --- pip_plan: whether the module on the host is already the one pip builds -----------------------
MODULE = '/usr/lib/apache2/modules/mod_wsgi.so'
REQUEST = {'python': PY313, 'dir': '/opt/modwsgi-django/mod_wsgi', 'spec': 'mod_wsgi>=5.0,<7',
           'module_path': MODULE, 'package': 'libapache2-mod-wsgi-py3'}


def _snapshot(mod_wsgi=None, packages=('apache2', 'apache2-dev'), version_line='3.13.5 (main, Jan  1 2026) [GCC 12.2.0]\n'):
    return {'version': 1, 'paths': {}, 'packages': list(packages), 'mod_wsgi': mod_wsgi,
            'pythons': {PY313: version_line}}


def _module(python_version='3.13', version='5.0.2', realpath=MODULE):
    return {'path': MODULE, 'realpath': realpath, 'version': version, 'python_version': python_version}


def test_pip_plan_current_module_builds_nothing():
    plan = pip_plan(_snapshot(_module()), REQUEST)
    assert plan == {'python': PY313, 'venv': '/opt/modwsgi-django/mod_wsgi/python3.13', 'remove_package': False,
                    'build': False, 'why': ''}


@pytest.mark.parametrize('snapshot, why', [
    (None, 'no read of the host'),
    (_snapshot(None), 'no mod_wsgi module at %s' % MODULE),
    (_snapshot(_module('3.11')), 'the module embeds Python 3.11, %s is 3.13' % PY313),
    (_snapshot(_module(version='4.9.4')), 'mod_wsgi 4.9.4 is not mod_wsgi>=5.0,<7'),
    (_snapshot(_module(version=None)), 'mod_wsgi None is not mod_wsgi>=5.0,<7'),
    (_snapshot(_module(realpath='/opt/x/mod_wsgi.so')), '%s is a link to /opt/x/mod_wsgi.so' % MODULE),
])
def test_pip_plan_builds_and_says_why(snapshot, why):
    plan = pip_plan(snapshot, REQUEST)
    assert plan['build'] is True and why in plan['why']


def test_pip_plan_removes_debians_package_first():
    plan = pip_plan(_snapshot(_module('3.13'), packages=['apache2', 'libapache2-mod-wsgi-py3']), REQUEST)
    assert plan['remove_package'] is True and plan['build'] is True and "Debian's libapache2-mod-wsgi-py3" in plan['why']
    assert pip_plan(None, REQUEST)['remove_package'] is True   # unknown: apt makes sure


def test_pip_plan_version_of_the_python_from_the_read_over_its_name():
    # The interpreter's own sys.version wins over its name; a name without a version needs the read.
    plan = pip_plan(_snapshot(_module('3.13'), version_line='3.12.9 (main)\n'), REQUEST)
    assert plan['build'] is True and 'is 3.12' in plan['why']
    unversioned = dict(REQUEST, python='/opt/py/bin/python3')
    snapshot = _snapshot(_module('3.13'))
    snapshot['pythons'] = {'/opt/py/bin/python3': '3.13.1 (main)\n'}
    assert pip_plan(snapshot, unversioned)['build'] is False
    snapshot['pythons'] = {'/opt/py/bin/python3': None}   # does not run
    assert 'the version of /opt/py/bin/python3 is unknown' in pip_plan(snapshot, unversioned)['why']


def test_pip_plan_spec_changes_rebuild():
    assert pip_plan(_snapshot(_module(version='5.0.2')), dict(REQUEST, spec='mod_wsgi>=5.0.3'))['build'] is True
    assert pip_plan(_snapshot(_module(version='5.0.2')), dict(REQUEST, spec='mod_wsgi==5.0.2'))['build'] is False
    # Not a requirement (a path or URL): the controller cannot tell, pip decides.
    assert pip_plan(_snapshot(_module()), dict(REQUEST, spec='/tmp/mod_wsgi-5.0.2.tar.gz'))['build'] is True


def test_host_plan_question():
    from ansible_collections.modwsgi.django.plugins.filter.host_plan import FilterModule as HostPlan
    host_plan = HostPlan().filters()['host_plan']
    assert host_plan(_snapshot(_module()), 'mod_wsgi_pip', REQUEST)['build'] is False
    assert host_plan(None, 'mod_wsgi_pip', REQUEST)['build'] is True
    assert host_plan({'version': 0}, 'mod_wsgi_pip', REQUEST)['why'] == 'no read of the host'
