# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the module tests (the helpers themselves are in site_harness.py)."""

from __future__ import annotations

import functools
import os
import shutil
import tempfile

import pytest

from ansible_collections.modwsgi.django.tests.unit.plugins.modules.site_harness import LiveTree


@pytest.fixture
def live_tree():
    """``make(**site_keys) -> site_harness.LiveTree`` under a fresh directory of /tmp, removed afterwards."""
    top = tempfile.mkdtemp(prefix='modwsgi-unit-', dir='/tmp')
    os.chmod(top, 0o755)
    try:
        yield functools.partial(LiveTree, top)
    finally:
        shutil.rmtree(top, ignore_errors=True)
