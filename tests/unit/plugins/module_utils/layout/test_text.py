# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Text and path helpers (_layout/text.py)."""

from __future__ import annotations

import pytest

from ansible_collections.modwsgi.django.plugins.module_utils._layout.text import (
    ancestors,
    as_bool,
    as_int,
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
    url_depth,
    url_path_problems,
)


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def test_helpers():
    assert under('/a/b', '/a') and under('/a', '/a') and under('/x', '/') and not under('/ab', '/a')
    assert list(ancestors('/a/b')) == ['/a/b', '/a', '/']
    assert as_int('12') == 12 and as_int(True) is None and as_int('1e3') is None
    assert as_bool('Yes') is True and as_bool(1) is None
    assert show('x' * 100).endswith('...')
    assert ascii_url_suggestion('/Caf\u00e9 Bar/', False) == '/Cafe-Bar'
    assert type_name(object()) == 'a object'


# ---------------------------------------------------------------------------
# path, URL and host name problems
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('value, problem', [
    ('', 'is empty'), ('srv/x', 'is not absolute'), ('/srv/../etc', "contains a '..' segment"),
    ('/srv/./x', "contains a '.' segment"), ('/srv//x', "contains '//'"), ('/srv/x/', 'ends with a slash'),
    ('/srv/a b', 'contains a space'), ('/srv/' + 'a' * 256, 'has a component longer than 255 characters'),
    ('/' + 'a/' * 600 + 'a', 'characters long (limit 1024)'),
])
def test_fs_path_problems(value, problem):
    assert any(problem in phrase for phrase in fs_path_problems(value)), fs_path_problems(value)


def test_fs_path_problems_of_good_paths_and_file_paths():
    assert fs_path_problems('/') == [] and fs_path_problems('/srv/django/shop_1.2+x~@') == []
    assert file_path_problems('/etc') == ['is a directory, not a file']
    assert file_path_problems('/etc/ssl/certs/x.pem') == []


def test_fs_path_fix():
    assert fs_path_fix('/srv//x/') == "use '/srv/x'."
    assert 'without' in fs_path_fix('/srv/../etc') and 'without' in fs_path_fix('/srv/a b')


def test_fs_path_fix_of_a_system_directory_never_suggests_it_again():
    assert fs_path_fix('/etc', example='/srv/django/shop/static') == (
        "use an absolute path such as '/srv/django/shop/static', not the system directory /etc.")
    assert fs_path_fix('/usr/bin', 'an absolute interpreter path') == (
        'use an absolute interpreter path that is not the system directory /usr/bin itself.')


@pytest.mark.parametrize('value, problem', [
    ('', 'is empty'), ('x', 'does not start with "/"'), ('/a b', 'contains a space'), ('/a//b', 'contains "//"'),
    ('/a/../b', "contains a '.' or '..' segment"), ('/' + 'a' * 300, 'characters long (limit 255)'),
])
def test_url_path_problems(value, problem):
    assert any(problem in phrase for phrase in url_path_problems(value)), url_path_problems(value)
    assert url_path_problems('/healthz/') == []


@pytest.mark.parametrize('value, wildcard, problem', [
    ('shop.example.com', False, None), ('*.example.com', True, None), ('*.example.com', False, 'contains'),
    ('', False, 'is empty'), ('shop.example.com:80', False, 'port'), ('shop.example.com.', False, 'ends with a dot'),
    ('sh\u043ep.example.com', False, 'non-ASCII'), ('a' * 254, False, 'limit 253'), ('-a.example.com', False, 'label'),
])
def test_hostname_problem(value, wildcard, problem):
    found, fix = hostname_problem(value, wildcard)
    if problem is None:
        assert (found, fix) == (None, None)
    else:
        assert problem in found and fix.endswith('.')


def test_character_names_suggestions_and_labels():
    assert bad_chars('a\nb c\x00', frozenset('abc')) == 'a newline, a space, a NUL byte'
    assert bad_chars('abcdefg', frozenset(), limit=2) == "'a', 'b', ..."
    assert char_name('\u0430') == 'non-ASCII U+0430 CYRILLIC SMALL LETTER A'
    assert char_name('\x07') == 'control character U+0007'
    assert suggest('evnt', ('prefork', 'worker', 'event')) == " (did you mean 'event'?)"
    assert suggest(5, ('event',)) == '' and suggest('zzz', ('event',)) == ''
    assert key_label('static.url') == 'static.url' and key_label('a\nb') == "'a\\nb'"
    assert (url_depth('/'), url_depth('/a'), url_depth('/a/b')) == (0, 1, 2)
