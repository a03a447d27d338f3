# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""scripts/check-doc-paths.py: every repository path the docs name exists."""

from __future__ import annotations

import importlib.util
import os

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
_spec = importlib.util.spec_from_file_location('check_doc_paths', os.path.join(ROOT, 'scripts', 'check-doc-paths.py'))
check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check)


def test_the_repository_docs_name_only_paths_that_exist():
    docs = [os.path.join(ROOT, 'README.md')] + [os.path.join(ROOT, 'docs', name) for name in os.listdir(os.path.join(ROOT, 'docs'))
                                                if name.endswith('.md')]
    assert check.missing(ROOT, docs) == []
    assert len([p for doc in docs for p in check.paths_in(open(doc, encoding='utf-8').read())]) > 50


def test_what_counts_as_a_path():
    text = ("See roles/apache/tasks/main.yml, `plugins/modules/*.py` and molecule/<scenario>/.\n"
            "Not /srv/django/shop/releases, https://example.com/roles/x nor docs/ alone; bench/results/<date>.{json,md}.")
    assert list(check.paths_in(text)) == [(1, 'roles/apache/tasks/main.yml'), (1, 'plugins/modules/*.py'),
                                          (1, 'molecule/<scenario>/'), (2, 'bench/results/<date>.{json,md}')]


def test_a_missing_path_fails_with_file_and_line(tmp_path):
    (tmp_path / 'roles' / 'apache').mkdir(parents=True)
    (tmp_path / 'roles' / 'apache' / 'README.md').write_text('x')
    (tmp_path / 'bench').mkdir()
    (tmp_path / 'bench' / 'r.json').write_text('{}')
    doc = tmp_path / 'doc.md'
    doc.write_text('roles/apache/README.md is there.\nroles/apache/tasks/gone.yml is not; bench/<x>.{json,md} is; '
                   'roles/<role>/meta/ is not.\n')
    assert check.missing(str(tmp_path), [str(doc)]) == [
        'doc.md:2: roles/apache/tasks/gone.yml does not exist', 'doc.md:2: roles/<role>/meta/ does not exist']
    assert check.main(['--root', str(tmp_path), str(doc)]) == 1
