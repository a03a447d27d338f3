# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read the mod_wsgi version and the Python it embeds from the installed module file."""

from __future__ import annotations

import os
import re

_PYLIB = re.compile(rb"libpython(\d+)\.(\d+)")
_VERSION = re.compile(rb"mod_wsgi/(\d+\.\d+\.\d+)")


def inspect(path):
    """Return {'path', 'realpath', 'version', 'python_version'} for a mod_wsgi .so file.

    The Python version comes from the shared library the module links (DT_NEEDED
    ``libpython3.X.so``); the mod_wsgi version from the ``mod_wsgi/X.Y.Z`` banner string
    the module adds to the Server header. Both are read from the binary itself, not assumed
    from the distribution.
    """
    real = os.path.realpath(path)
    with open(real, "rb") as handle:
        data = handle.read()
    py = _PYLIB.search(data)
    ver = _VERSION.search(data)
    if py is None:
        raise ValueError("%s does not link a libpython; is it a mod_wsgi module?" % real)
    return {
        "path": path,
        "realpath": real,
        "version": ver.group(1).decode() if ver else None,
        "python_version": "%s.%s" % (py.group(1).decode(), py.group(2).decode()),
    }
