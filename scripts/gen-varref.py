#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Generate docs/variables.md from every roles/*/meta/argument_specs.yml.

    scripts/gen-varref.py                 write docs/variables.md
    scripts/gen-varref.py -o FILE         write FILE instead ("-" = stdout)

One section per role (and per entry point when a role has several), one markdown table per
section: name, type, default, choices, description. Suboptions are listed under their parent
as ``parent.child`` (``parent[].child`` for the dicts of a list). The output depends only on the
spec files, so scripts/check-docs.sh can compare a fresh run with the committed file.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
ROLE_ORDER = ("apache", "mod_wsgi", "django_site")  # the order the deploy playbook runs them
LONG = 2  # descriptions with more paragraphs than this are listed below the table

# Ansible documentation markup -> markdown. Parentheses inside a macro are balanced, so that
# C({cert, key, chain (optional)}) stays one piece of code.
_MACRO = re.compile(r"(?<![A-Za-z])(RV|C|O|V|M|E|P|I|B|U|L)\(")
_CODE = {"RV", "C", "O", "V", "M", "E", "P"}


def markup(text):
    text = str(text).replace("HORIZONTALLINE", "---")
    out = []
    pos = 0
    while True:
        match = _MACRO.search(text, pos)
        if not match:
            out.append(text[pos:])
            return "".join(out)
        depth, end = 1, match.end()
        while end < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        if depth:  # unbalanced: leave the rest alone
            out.append(text[pos:])
            return "".join(out)
        out.append(text[pos:match.start()])
        macro, body = match.group(1), text[match.end():end - 1]
        if macro in _CODE:
            out.append("`%s`" % body)
        elif macro == "I":
            out.append("*%s*" % body)
        elif macro == "B":
            out.append("**%s**" % body)
        elif macro == "U":
            out.append("<%s>" % body)
        else:  # L(text,url)
            label, url = (body.split(",", 1) + [""])[:2]
            out.append("[%s](%s)" % (label.strip(), url.strip()))
        pos = end


def cell(text):
    """One table cell: single line, pipes escaped."""
    text = " ".join(str(text).split())
    return text.replace("|", "\\|")


def code(value):
    if value is None:
        return "`null`"
    if isinstance(value, bool):
        return "`%s`" % ("true" if value else "false")
    if isinstance(value, str):
        return "`%s`" % value if value != "" else '`""`'
    return "`%s`" % json.dumps(value, sort_keys=False, separators=(", ", ": "))


def type_of(spec):
    kind = spec.get("type", "str")
    if kind == "list" and spec.get("elements"):
        return "list of %s" % spec["elements"]
    return kind


def paragraphs(spec):
    desc = spec.get("description", "")
    if not isinstance(desc, (list, tuple)):
        desc = [desc]
    return [" ".join(markup(d).split()) for d in desc if str(d).strip()]


NAMED = re.compile(r" ?(Default|Choices): ([^.]*(?:\.[^ .][^.]*)*)\.$")


def rows(options, prefix="", details=None):
    """Table rows; options with a long description (more than LONG paragraphs) get their first
    paragraph in the table and the rest in ``details`` (rendered as a list below the table)."""
    for name, spec in (options or {}).items():
        spec = spec or {}
        full = prefix + name
        paras = paragraphs(spec)
        # Options that name their default or choices at the end of their text (gen-schema-docs.py does so
        # where the role's argument check would refuse an explicit null) get them in their columns.
        named = {}
        if paras:
            match = NAMED.search(paras[-1])
            while match:
                named[match.group(1)] = match.group(2)
                paras[-1] = paras[-1][:match.start()]
                match = NAMED.search(paras[-1])
            if not paras[-1]:
                paras.pop()
        if spec.get("required"):
            default = "**required**"
        elif "default" in spec:
            default = code(spec["default"])
        else:
            default = named.get("Default", "`null`")
        choices = ", ".join(code(c) for c in spec.get("choices", []) or []) or named.get("Choices", "")
        if details is not None and len(paras) > LONG:
            details.append((full, paras[1:]))
            text = "%s See [`%s`](#%s) below." % (paras[0], full, anchor(full))
        else:
            text = " ".join(paras)
        yield (full, type_of(spec), default, choices, text)
        subs = spec.get("options") or spec.get("suboptions")
        if subs:
            sep = "[]." if spec.get("type") == "list" else "."
            yield from rows(subs, full + sep, details)


def anchor(name):
    """GitHub's anchor for a heading "`name`"."""
    return re.sub(r"[^a-z0-9_ -]", "", name.lower()).replace(" ", "-")


def role_dirs():
    roles_dir = os.path.join(REPO, "roles")
    names = sorted(d for d in os.listdir(roles_dir) if os.path.isdir(os.path.join(roles_dir, d)))
    ordered = [n for n in ROLE_ORDER if n in names] + [n for n in names if n not in ROLE_ORDER]
    return [(n, os.path.join(roles_dir, n)) for n in ordered]


def render():
    out = [
        "<!-- Generated by scripts/gen-varref.py from roles/*/meta/argument_specs.yml; do not edit by hand.",
        "     Regenerate with: .venv/bin/python scripts/gen-varref.py (scripts/check-docs.sh fails when stale). -->",
        "",
        "# Variables reference",
        "",
        "Every public variable of the collection's roles, taken from each role's `meta/argument_specs.yml`",
        "(the same specs Ansible uses to check the variables when a role starts, and that",
        "`ansible-doc -t role modwsgi.django.<role>` shows). The rules `modwsgi_sites` must satisfy",
        "are in [rules.md](rules.md); how the sites land on a host is in [getting-started.md](getting-started.md).",
        "",
        "A default of `null` means \"not set\": the role derives the value (the description says how).",
        "",
    ]
    missing = []
    for name, path in role_dirs():
        spec_file = os.path.join(path, "meta", "argument_specs.yml")
        out.append("## Role `modwsgi.django.%s`" % name)
        out.append("")
        if not os.path.exists(spec_file):
            missing.append(name)
            out.append("*This role has no `meta/argument_specs.yml` yet; its variables are not documented here.*")
            out.append("")
            continue
        with open(spec_file, encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
        entries = data.get("argument_specs") or {}
        for entry, spec in entries.items():
            spec = spec or {}
            if len(entries) > 1 or entry != "main":
                out.append("### Entry point `%s`" % entry)
                out.append("")
            if spec.get("short_description"):
                out.append("%s." % markup(spec["short_description"]).rstrip("."))
                out.append("")
            desc = spec.get("description") or []
            if isinstance(desc, str):
                desc = [desc]
            for para in desc:
                out.append(" ".join(markup(para).split()))
                out.append("")
            details = []
            table = list(rows(spec.get("options"), details=details))
            if not table:
                out.append("*No options.*")
                out.append("")
                continue
            out.append("| name | type | default | choices | description |")
            out.append("|---|---|---|---|---|")
            for row in table:
                out.append("| `%s` | %s | %s | %s | %s |" % tuple(cell(c) for c in row))
            out.append("")
            for full, paras in details:
                out.append("#### `%s`" % full)
                out.append("")
                for para in paras:
                    out.append("- %s" % para)
                out.append("")
    return "\n".join(out).rstrip("\n") + "\n", missing


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default=os.path.join(REPO, "docs", "variables.md"),
                        help="file to write (default docs/variables.md; '-' for stdout)")
    args = parser.parse_args(argv)
    text, missing = render()
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    for name in missing:
        sys.stderr.write("gen-varref: roles/%s/meta/argument_specs.yml does not exist; role listed without variables\n" % name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
