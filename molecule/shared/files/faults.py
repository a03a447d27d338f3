"""Fault injection shared by the fault tests (molecule hardening/redeploy) and bench/faults.py; stdlib only.

Everything here builds commands to run inside a test container, or reads what they produced; the
load itself is molecule/shared/files/loadgen.py (its fault_figures() and phase_figures()).

- kill_script(): kill -9 daemon processes of a site's live color, printing when ("one", "all");
- broken_release(): a copy of the probe project that fails in one way (import, requirements, health, python);
- BROKEN_CAUSES: what the play output must show for each of those;
- half_built_script(): lists anything a failed build left half done under a site root;
- queue_figures(): what requests queued behind busy daemon threads got;
- reload_window(): when Apache's graceful reloads ran, from its error log.
"""

import calendar
import datetime
import os
import shutil

KILL_SCRIPT = r"""
root=%(root)s site=%(site)s
color=$(awk -v s="$site" '$1 == s {print $2}' %(colors)s 2>/dev/null); [ -n "$color" ] || color=blue
live() {
  for f in "$root/run/${site}_$color".*; do
    p=${f##*.}
    case $p in '' | *[!0-9]*) continue ;; esac
    head -c 6 "/proc/$p/cmdline" 2>/dev/null | grep -q '^(wsgi:' && echo "$p"
  done
}
"""
KILL_ONE = """one=$(live | head -1); echo one $(date +%s.%N) $color $one; kill -9 $one; echo one_done $(date +%s.%N)
"""
KILL_ALL = """all=$(live | tr '\\n' ' '); echo all $(date +%s.%N) $color $all; kill -9 $all; echo all_done $(date +%s.%N)
"""


def kill_script(site, root=None, which=("one", "all"), pause=6, colors_map="/etc/apache2/modwsgi-colors.map"):
    """sh script: kill -9 one live daemon of ``site``, and/or (``pause`` s later) all of them.

    The live color comes from the colors map (blue if it has no line: the site then answers 503 and
    no color is live); the daemons from <root>/run/. It
    prints "<mark> <epoch> <color> <pids>" before and "<mark>_done <epoch>" after each kill.
    """
    parts = [KILL_SCRIPT % {"root": root or "/srv/django/%s" % site, "site": site, "colors": colors_map}]
    for index, mark in enumerate(which):
        if index:
            parts.append("sleep %s\n" % pause)
        parts.append(KILL_ONE if mark == "one" else KILL_ALL)
    return "".join(parts)


def parse_marks(output):
    """{mark: (epoch, color, [pids])} and {mark_done: (epoch,)} from a kill_script() run."""
    marks = {}
    for line in output.splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[0] in ("one", "all", "one_done", "all_done"):
            marks[fields[0]] = (float(fields[1]),) + ((fields[2], fields[3:]) if len(fields) > 2 else ())
    return marks


# What the play output must show as the cause of each kind of broken release: the traceback's last
# line, pip's own error, and the health view's exception (the health check quotes the error log).
BROKEN_CAUSES = {
    "import": "ModuleNotFoundError: No module named 'probe_missing_dependency'",
    "requirements": "No matching distribution found for Django==99.0",
    "health": "RuntimeError: probe: this release fails its health check (HEALTHZ_FAIL)",
    # requirements that resolve for a newer Python only: the controller's preflight refuses them by name
    "python": "A requirement needs a different Python than",
}


def broken_release(projects, dest_dir, kind, extra_files=None):
    """Path of a probe release broken by ``kind`` (import: the broken_probe project as it is).

    ``projects`` is molecule/shared/projects; copies go to ``dest_dir``; ``extra_files`` ({name: text})
    are written into the copy too (e.g. a RUN_ID that makes the release id new).
    """
    if kind == "import" and not extra_files:
        return os.path.join(projects, "broken_probe")
    source = os.path.join(projects, "broken_probe" if kind == "import" else "probe")
    dest = os.path.join(dest_dir, "broken-%s" % kind)
    if not os.path.exists(dest):
        shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "db.sqlite3"))
    files = dict(extra_files or {})
    if kind == "requirements":
        files["requirements.txt"] = "Django==99.0\n"      # a real package, a version that does not exist
    elif kind == "python":
        files["requirements.txt"] = "Django>=6.0,<6.1\n"  # Django 6.0 requires Python >= 3.12 (Debian 12 has 3.11)
    elif kind == "health":
        files["HEALTHZ_FAIL"] = "1\n"
    for name, text in files.items():
        with open(os.path.join(dest, name), "w") as handle:
            handle.write(text)
    return dest


def half_built_script(root):
    """sh script printing what a failed build left half done under a site root (nothing when clean).

    Partial releases and virtualenvs (<name>.partial), temporary files of an interrupted write (*.tmp, at
    most three levels down: not inside a virtualenv's own files), virtualenvs without their completion
    marker, releases without theirs or whose virtualenv link leads nowhere complete.
    """
    return (
        "find {r} -maxdepth 3 \\( -name '*.partial' -o -name '*.tmp' \\) -print; "
        "for v in {r}/venvs/*/; do [ -d \"$v\" ] || continue; [ -e \"$v.modwsgi-complete\" ] || echo \"incomplete venv $v\"; done; "
        "for r in {r}/releases/*/; do [ -d \"$r\" ] || continue; [ -e \"$r.modwsgi-release\" ] || echo \"incomplete release $r\"; "
        "[ ! -L \"$r.modwsgi-venv\" ] || [ -e \"$r.modwsgi-venv/.modwsgi-complete\" ] || echo \"release $r without its venv\"; "
        "done"
    ).format(r=root)


def queue_figures(requests, queue_timeout, fast_path="/minimal/", band=0.5):
    """What fast requests that arrived while every daemon thread was busy with a slow one got.

    The threads free when the first slow request ends. Returns freed (epoch), queued / late (waited more
    than queue_timeout + band) / early (less than queue_timeout - band) status counts, the latest answer
    to a queued request after the threads freed (seconds), and the statuses and slowest answer of the
    requests that arrived after every slow one ended.
    """
    slow = [r for r in requests if r["path"] != fast_path]
    fast = [r for r in requests if r["path"] == fast_path]
    if not slow:
        return {"error": "no slow requests"}
    freed, all_free = min(r["end"] for r in slow), max(r["end"] for r in slow)
    queued = [r for r in fast if r["start"] < freed - 0.2]
    late = [r for r in queued if freed - r["start"] > queue_timeout + band]
    early = [r for r in queued if freed - r["start"] < queue_timeout - band]
    after = [r for r in fast if r["start"] > all_free + 0.2]

    def counts(reqs):
        out = {}
        for r in reqs:
            out[str(r["status"])] = out.get(str(r["status"]), 0) + 1
        return out

    return {
        "freed": freed,
        "slow_statuses": counts(slow),
        "queued": counts(queued),
        "late": counts(late),
        "early": counts(early),
        "latest_answer_after_freed_s": round(max((r["end"] for r in queued), default=freed) - freed, 3),
        "after": counts(after),
        "after_slowest_s": round(max((r["end"] - r["start"] for r in after), default=0.0), 3),
        "longest_wait_s": round(max((r["end"] - r["start"] for r in queued), default=0.0), 3),
    }


def reload_window(error_log_lines, utc_offset):
    """(start, end) epoch of the graceful reloads in Apache error log lines, or None.

    ``utc_offset`` is ``date +%z`` on the host (Apache logs local time).
    """
    sign = 1 if utc_offset[0] == "+" else -1
    shift = sign * (int(utc_offset[1:3]) * 3600 + int(utc_offset[3:5]) * 60)
    stamps = []
    for line in error_log_lines:
        if "SIGUSR1 received" in line or "resuming normal operations" in line:
            when = datetime.datetime.strptime(line[1:line.index("]")], "%a %b %d %H:%M:%S.%f %Y")
            stamps.append(calendar.timegm(when.timetuple()) + when.microsecond / 1e6 - shift)
    return (min(stamps), max(stamps)) if stamps else None
