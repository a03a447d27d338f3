#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every repository path the given markdown files name exists.

    scripts/check-doc-paths.py [--root DIR] FILE.md...

A path is a word starting with one of the top-level directories of the repository (roles/, plugins/,
bench/, scripts/, molecule/, tests/, docs/, changelogs/, examples/, playbooks/) that no letter, digit
or slash precedes (so neither ``/srv/django/...`` on a target nor a URL counts), in prose, code spans
and code blocks alike. ``<placeholder>`` and ``*`` are wildcards and ``{a,b}`` alternatives: such a
path must match at least one file. Links are scripts/check-docs.sh's other check. Exits 1 naming
every missing path with its file and line.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
TOP = ("roles", "plugins", "bench", "scripts", "molecule", "tests", "docs", "changelogs", "examples", "playbooks")
PATH_RE = re.compile(r"(?<![A-Za-z0-9_./~$-])((?:%s)/(?:[A-Za-z0-9_.*+-]|<[^<>\s`]+>|\{[^{}\s`]+\}|/)*)" % "|".join(TOP))


def paths_in(text):
    """(line number, path) of every repository path the text names."""
    for number, line in enumerate(text.splitlines(), start=1):
        for match in PATH_RE.finditer(line):
            path = match.group(1).rstrip(".")
            if path.rstrip("/") in TOP:  # the directory alone ("docs/")
                continue
            yield number, path


def _alternatives(path):
    match = re.search(r"\{([^{}]+)\}", path)
    if not match:
        return [path]
    out = []
    for choice in match.group(1).split(","):
        out.extend(_alternatives(path[:match.start()] + choice + path[match.end():]))
    return out


def exists(root, path):
    for candidate in _alternatives(path):
        pattern = re.sub(r"<[^<>]+>", "*", candidate)
        full = os.path.join(root, pattern)
        if glob.has_magic(pattern):
            if glob.glob(full):
                return True
        elif os.path.exists(full):
            return True
    return False


def missing(root, docs):
    """['file:line: path'] of the named paths that do not exist under root."""
    out = []
    for doc in docs:
        with open(doc, encoding="utf-8") as handle:
            text = handle.read()
        for number, path in paths_in(text):
            if not exists(root, path):
                out.append("%s:%d: %s does not exist" % (os.path.relpath(doc, root), number, path))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=REPO, help="the repository (default: this script's)")
    parser.add_argument("docs", nargs="+", help="markdown files")
    args = parser.parse_args(argv)
    bad = missing(args.root, args.docs)
    for line in bad:
        print(line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
