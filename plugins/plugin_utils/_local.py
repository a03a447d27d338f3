# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Commands the action plugins run on the controller (the ``run(argv) -> (rc, out, err)`` of the engines)."""

from __future__ import annotations

import os
import subprocess


def run_command(argv, cwd=None):
    """Run ``argv`` (no shell), return (rc, stdout, stderr) as text; OSError when it cannot start."""
    env = dict(os.environ, LC_ALL='C', LANG='C')
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, errors='replace', env=env, check=False)
    return proc.returncode, proc.stdout, proc.stderr
