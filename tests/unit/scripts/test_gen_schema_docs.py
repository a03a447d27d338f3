# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""scripts/gen-schema-docs.py (the `docs` stage runs it with --check) on a copy of the repository's files:
a description changed in schema.py makes every generated file stale, and so does a hand edit of one."""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))


def _script(name):
    spec = importlib.util.spec_from_file_location(name.replace('-', '_'), os.path.join(ROOT, 'scripts', name))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _script('gen-schema-docs.py')


@pytest.fixture
def copy(tmp_path):
    for path in (gen.SCHEMA,) + gen.GENERATED_FILES:
        os.makedirs(os.path.dirname(str(tmp_path / path)), exist_ok=True)
        shutil.copy(os.path.join(ROOT, path), str(tmp_path / path))
    return tmp_path


def _edit(path, old, new):
    text = path.read_text(encoding='utf-8')
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding='utf-8')


def test_the_committed_files_are_up_to_date():
    assert gen.main(['--check']) == 0


def test_a_changed_description_makes_every_generated_file_stale(copy, capsys):
    assert gen.main(['--check', '--root', str(copy)]) == 0
    _edit(copy / gen.SCHEMA, "'Backlog of the daemon listener socket.'", "'Backlog of the daemon socket (listen).'")
    assert gen.main(['--check', '--root', str(copy)]) == 1
    err = capsys.readouterr().err
    for path in gen.GENERATED_FILES:
        assert '%s is stale' % path in err
    # --check changed nothing; a run without it writes the new text, then the check passes
    assert 'daemon socket (listen)' not in (copy / gen.ARGSPEC).read_text(encoding='utf-8')
    assert gen.main(['--root', str(copy)]) == 0
    for path in gen.GENERATED_FILES:
        assert 'Backlog of the daemon socket (listen).' in (copy / path).read_text(encoding='utf-8'), path
    assert gen.main(['--check', '--root', str(copy)]) == 0


def test_a_hand_edit_of_a_generated_part_is_stale(copy, capsys):
    _edit(copy / gen.ARGSPEC, 'default: /usr/bin/python3\n          mode:', 'default: /usr/bin/python\n          mode:')
    assert gen.main(['--check', '--root', str(copy)]) == 1
    assert capsys.readouterr().err.strip().splitlines() == [
        "gen-schema-docs: %s is stale (%s changed): run 'python scripts/gen-schema-docs.py' and commit the result"
        % (gen.ARGSPEC, gen.SCHEMA)]


def test_the_hand_written_parts_are_kept(copy):
    _edit(copy / gen.CONTRACT, '## Module options', '## Module options (edited)')
    _edit(copy / gen.SCHEMA, "'Backlog of the daemon listener socket.'", "'Backlog.'")
    assert gen.main(['--root', str(copy)]) == 0
    assert '## Module options (edited)' in (copy / gen.CONTRACT).read_text(encoding='utf-8')


def test_missing_markers_are_an_error(copy):
    _edit(copy / gen.CONTRACT, gen.MD_END, '')
    with pytest.raises(SystemExit, match='needs exactly one'):
        gen.main(['--check', '--root', str(copy)])


# --- the mass hosting keys (schema.MASS_DOC): a part of their own in the argument specs and the contract

MASS_DOC_TEXT = "'Host name of the mass hosting vhost (RFC 1123 labels, no port, no wildcard).'"


def test_a_changed_mass_hosting_description_makes_every_generated_file_stale(copy, capsys):
    _edit(copy / gen.SCHEMA, MASS_DOC_TEXT, "'Name of the mass vhost.'")
    assert gen.main(['--check', '--root', str(copy)]) == 1
    err = capsys.readouterr().err
    for path in gen.GENERATED_FILES:
        assert '%s is stale' % path in err
    assert gen.main(['--root', str(copy)]) == 0
    for path in gen.GENERATED_FILES:
        text = (copy / path).read_text(encoding='utf-8')
        assert 'Name of the mass vhost.' in text and 'no port, no wildcard' not in text, path
    assert gen.main(['--check', '--root', str(copy)]) == 0


def test_a_changed_mass_hosting_default_is_stale(copy, capsys):
    _edit(copy / gen.SCHEMA, "'embedded mode in the Apache processes.', default='daemon'",
          "'embedded mode in the Apache processes.', default='embedded'")
    assert gen.main(['--check', '--root', str(copy)]) == 1
    assert '%s is stale' % gen.ARGSPEC in capsys.readouterr().err
    assert gen.main(['--root', str(copy)]) == 0
    mass = yaml.safe_load((copy / gen.ARGSPEC).read_text(encoding='utf-8'))['argument_specs']['main']['options']['modwsgi_mass_hosting']
    assert 'Default: V(embedded).' in mass['options']['mode']['description'][0]
    assert '| `mode` | str: `daemon`, `embedded` | `embedded` |' in (copy / gen.CONTRACT).read_text(encoding='utf-8')


@pytest.mark.parametrize('path_name,old,new', [
    ('ARGSPEC', 'Host name of the mass hosting vhost', 'Host name of the vhost'),
    ('ARGSPEC', '        # END generated (modwsgi_mass_hosting)\n',
     '          extra:\n            type: str\n            description: [Hand-written.]\n        # END generated (modwsgi_mass_hosting)\n'),
    ('CONTRACT', '| `python_home` | absolute path |', '| `python_home` | path |'),
])
def test_a_hand_edit_of_the_mass_hosting_part_is_stale(copy, capsys, path_name, old, new):
    path = getattr(gen, path_name)
    _edit(copy / path, old, new)
    assert gen.main(['--check', '--root', str(copy)]) == 1
    assert capsys.readouterr().err.strip().splitlines() == [
        "gen-schema-docs: %s is stale (%s changed): run 'python scripts/gen-schema-docs.py' and commit the result"
        % (path, gen.SCHEMA)]


def test_the_hand_written_mass_hosting_description_is_kept(copy):
    _edit(copy / gen.ARGSPEC, 'turns mass hosting off.', 'turns mass hosting off (edited).')
    _edit(copy / gen.SCHEMA, MASS_DOC_TEXT, "'Name of the mass vhost.'")
    assert gen.main(['--root', str(copy)]) == 0
    text = (copy / gen.ARGSPEC).read_text(encoding='utf-8')
    assert 'turns mass hosting off (edited).' in text and 'Name of the mass vhost.' in text


@pytest.mark.parametrize('path_name,marker', [('ARGSPEC', 'MASS_YAML_BEGIN'), ('ARGSPEC', 'MASS_YAML_END'),
                                              ('CONTRACT', 'MASS_MD_BEGIN'), ('CONTRACT', 'MASS_MD_END')])
def test_missing_mass_hosting_markers_are_an_error(copy, path_name, marker):
    _edit(copy / getattr(gen, path_name), getattr(gen, marker), '# gone' if path_name == 'ARGSPEC' else '')
    with pytest.raises(SystemExit, match='needs exactly one'):
        gen.main(['--check', '--root', str(copy)])


def test_role_options_name_default_and_choices_in_the_text_where_a_null_would_be_refused():
    mode = {'key': 'mode', 'kind': 'str', 'doc': 'The mode.', 'default': 'daemon', 'choices': ('daemon', 'embedded')}
    threads = {'key': 'threads', 'kind': 'int', 'doc': 'Threads.', 'default': 15}
    mount = {'key': 'mount', 'kind': 'str', 'doc': 'Mount.', 'default': '/'}
    assert gen.option(mode, 'options', True) == {'description': ['The mode. Choices: V(daemon), V(embedded). Default: V(daemon).'],
                                                 'type': 'str'}
    assert gen.option(threads, 'options', True) == {'description': ['Threads. Default: V(15).'], 'type': 'int'}
    assert gen.option(mount, 'options', True) == {'description': ['Mount.'], 'type': 'str', 'default': '/'}
    # the module's doc fragment is no check: it keeps both
    assert gen.option(mode, 'suboptions', False) == {'description': ['The mode.'], 'type': 'str', 'default': 'daemon',
                                                     'choices': ['daemon', 'embedded']}


def test_the_variables_reference_puts_a_named_default_and_choices_in_their_columns():
    varref = _script('gen-varref.py')
    spec = {'type': 'str', 'description': ['The mode. Choices: V(daemon), V(embedded). Default: V(daemon).']}
    ((name, kind, default, choices, text),) = varref.rows({'mode': spec})
    assert (name, kind, default, choices, text) == ('mode', 'str', '`daemon`', '`daemon`, `embedded`', 'The mode.')
    spec = {'type': 'str', 'description': ['Settings module. Default: C(<project>.settings).']}
    assert list(varref.rows({'settings': spec}))[0][2:] == ('`<project>.settings`', '', 'Settings module.')
    # a sentence in the middle stays where it is
    spec = {'type': 'int', 'description': ['Default: V(1) here. Then more.']}
    assert list(varref.rows({'n': spec}))[0][2:] == ('`null`', '', 'Default: `1` here. Then more.')
