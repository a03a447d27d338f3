# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The mpm_sizing filter: a thin wrapper that turns bad input into AnsibleFilterError."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.modwsgi.django.plugins.filter.mpm_sizing import FilterModule
from ansible_collections.modwsgi.django.plugins.module_utils._sizing import mpm_sizing

SIZING = FilterModule().filters()["mpm_sizing"]


def test_filter_is_registered_and_matches_the_pure_function():
    assert SIZING("event", 4, 8192) == mpm_sizing("event", 4, 8192)
    assert SIZING("prefork", 2, 2048, {"max_request_workers": 20}) == mpm_sizing(
        "prefork", 2, 2048, {"max_request_workers": 20})


@pytest.mark.parametrize("args", [
    ("itk", 2, 4096),
    ("event", 2, 4096, {"bogus": 1}),
    ("event", "two", 4096),
    ("event", 2, 4096, ["not", "a", "dict"]),
])
def test_bad_input_is_a_filter_error(args):
    with pytest.raises(AnsibleFilterError, match="mpm_sizing"):
        SIZING(*args)
