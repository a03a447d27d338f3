# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Build one release of a site, start to finish, in one run on the target (the engine of ``build_release``).

1. unpack the tarball into ``<root>/releases/<id>`` (``_unpack``: checked members, marker last, root:<site
   group>, renamed into place);
2. its virtualenv, named after the release's requirements closure, built only when no finished one has
   that name (``_venv``), and linked from the release;
3. ``migrate``, ``collectstatic``, the site's ``manage_steps`` and ``check --deploy`` as the site user, each
   once per release (``_manage``), all in **one** Django process (``StepProcess``);
4. the site's ``blue``/``green``/``current`` links that do not exist yet (on its first release; existing links are
   never moved here: activation does that).

Nothing here changes what Apache serves. Each step raises :class:`BuildError` naming the step; what the
earlier steps finished stays (the next run goes on from there), and a failed first deploy is cleaned up by
``discard_first_deploy``.
"""

from __future__ import annotations

import os
import time

from ansible_collections.modwsgi.django.plugins.module_utils import _manage, _unpack, _venv
from ansible_collections.modwsgi.django.plugins.module_utils._release import links as site_links


class BuildError(Exception):
    """A step failed: ``step`` (unpack, requirements, links or a management step's name), ``message``
    (the whole sentence for the operator) and ``extra`` (module return values)."""

    def __init__(self, step, message, **extra):
        Exception.__init__(self, message)
        self.step = step
        self.message = message
        self.extra = extra


def first_links(site, release_dir):
    """On a site's first release, point its live links at it (existing links are left alone)."""
    made = []
    for name in site_links(site):
        path = os.path.join(site['paths']['root'], name)
        if not os.path.lexists(path):
            os.symlink(release_dir, path)
            made.append(name)
    return made


def build(site, release_dir, archive, release_id, ids, run, steps_runner, pip_extra_args='', mod_wsgi_python=None,
          clock=time.monotonic, before_steps=None):
    """Build ``release_dir`` from ``archive``; returns what was done.

    ``ids``: {'site_uid', 'site_gid', 'apache_gid'}; ``run(argv, cwd=None)`` runs pip and the interpreter;
    ``steps_runner(release_dir)`` returns a :class:`_manage.StepProcess`-like object (``step``, ``close``).
    ``timings`` in the result: seconds per phase (unpack, virtualenv, the Django process start and each
    management step by name, links; ``django`` is the start of the one Django process), in the order they ran, so that a slow deploy says where it spent them.
    ``before_steps()``: called once the release is unpacked and has its virtualenv, before the management steps
    (build_release starts a bluegreen switch there, ``_activate.prepare``); its seconds are the lap ``prepare``.
    """
    timings = {}
    result = {'release_dir': release_dir, 'release_id': release_id, 'unpacked': False, 'venv': None,
              'venv_built': False, 'ran': [], 'findings': [], 'links': [], 'timings': timings}
    started = clock()

    def lap(name):
        nonlocal started
        now = clock()
        timings[name] = round(now - started, 3)
        started = now

    try:
        result['unpacked'] = _unpack.unpack(archive, release_dir, release_id, ids['site_gid'])
    except (_unpack.UnpackError, OSError) as exc:
        raise BuildError('unpack', "site '%s', step unpack: %s. Nothing was activated; the live release keeps serving."
                         % (site['name'], exc))
    lap('unpack')
    try:
        venv = _venv.ensure(site, release_dir, run, pip_extra_args, ids['site_gid'])
    except _venv.VenvError as exc:
        raise BuildError('requirements', _venv.failure_message(site, exc, release_id, mod_wsgi_python),
                         python_mismatch=exc.python_mismatch)
    except OSError as exc:
        raise BuildError('requirements', "site '%s', step requirements: cannot build the virtualenv of release %s: %s"
                         % (site['name'], release_id, exc))
    result.update(venv=venv['venv'], venv_built=venv['built'])
    lap('virtualenv')
    if before_steps is not None:
        before_steps()
        lap('prepare')
    pending = _manage.pending(site, release_dir)
    if pending:
        runner = steps_runner(release_dir)
        lap('django')
        try:
            done = _manage.run_steps(site, release_dir, runner.step, ids, steps=pending, lap=lap)
        except _manage.StepFailed as exc:
            raise BuildError(exc.step, _manage.failure_message(site, exc, release_id))
        except OSError as exc:
            raise BuildError('owners', "site '%s': cannot set owners or modes of release %s: %s" % (site['name'], release_id, exc))
        finally:
            runner.close()
        result.update(ran=done['ran'], findings=done['findings'])
    result['links'] = first_links(site, release_dir)
    lap('links')
    result['changed'] = bool(result['unpacked'] or venv['changed'] or result['ran'] or result['links'])
    return result
