# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""FileSystem (_layout/filesystem.py): running the site Python for python-abi."""

from __future__ import annotations

import subprocess

from ansible_collections.modwsgi.django.plugins.module_utils._layout.filesystem import FileSystem, PYTHON_VERSION_CODE
from ansible_collections.modwsgi.django.tests.unit.plugins.module_utils.layout.helpers import (
    assert_clean,
    assert_error,
    fsrun,
    site,
)


# ---------------------------------------------------------------------------
# python-abi through FileSystem and its command runner
# ---------------------------------------------------------------------------

def subprocess_runner(argv):
    """What the module's run_command runner does, for the tests: (rc, stdout, stderr)."""
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60, check=False)
    return proc.returncode, proc.stdout.decode('utf-8', 'replace'), proc.stderr.decode('utf-8', 'replace')


def test_python_abi_real_interpreter(tree):
    fs = FileSystem(subprocess_runner)
    fake = tree['tmp'] / 'python'
    fake.write_text('#!/bin/sh\necho 3.11\n')
    fake.chmod(0o755)
    assert_clean(fsrun(tree, [site(python=str(fake))], mod_wsgi_python='3.11', fs=fs))
    assert_error(fsrun(tree, [site(python=str(fake))], mod_wsgi_python='3.12', fs=fs), 'python-abi')
    assert_error(fsrun(tree, [site(python=str(tree['tmp'] / 'missing'))], mod_wsgi_python='3.11', fs=fs), 'python-abi')
    broken = tree['tmp'] / 'broken'
    broken.write_text('#!/bin/sh\nexit 3\n')
    broken.chmod(0o755)
    assert 'exit code 3' in assert_error(fsrun(tree, [site(python=str(broken))], mod_wsgi_python='3.11', fs=fs), 'python-abi').message
    not_runnable = tree['tmp'] / 'not-runnable'
    not_runnable.write_text('#!/bin/sh\necho 3.11\n')
    not_runnable.chmod(0o644)
    finding = assert_error(fsrun(tree, [site(python=str(not_runnable))], mod_wsgi_python='3.11', fs=fs), 'python-abi')
    assert 'cannot be run (PermissionError)' in finding.message


def test_python_abi_runner_gets_argv_and_may_return_bytes(tree):
    python = tree['tmp'] / 'python-never-run'
    python.write_text('')
    calls = []

    def runner(argv):
        calls.append(argv)
        return 0, b'3.11\n', b''
    assert_clean(fsrun(tree, [site(python=str(python))], mod_wsgi_python='3.11', fs=FileSystem(runner)))
    assert calls == [[str(python), '-c', PYTHON_VERSION_CODE]]


def test_python_abi_without_runner_is_a_finding_not_a_subprocess(tree):
    python = tree['tmp'] / 'python-never-run'
    python.write_text('')
    finding = assert_error(fsrun(tree, [site(python=str(python))], mod_wsgi_python='3.11'), 'python-abi', 'python')
    assert 'no command runner' in finding.message
