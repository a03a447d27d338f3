# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reload benchmark: what each way of loading new code does to traffic (issue 6, item 6).

One Debian 12 container (modwsgi-django-base:bookworm), one run, the same load for every method.
Two daemon-mode sites from the probe project, deployed with the collection
(bench/inventory/reload.yml): ``bg`` (www.test, deploy: bluegreen) and ``rs`` (rs.test,
deploy: restart), both 2 processes x 15 threads. Methods, each applied while the load runs:

1. the collection's deploy: ``ansible-playbook modwsgi.django.deploy`` with a new code version of bg;
2. SIGUSR1 to the rs daemon group (pids from /srv/django/rs/run/rs.<pid>);
3. ``apache2ctl graceful``; 4. touch /srv/django/rs/apache/django.wsgi; 5. ``apache2ctl restart``.

For 2-5, /srv/django/rs/current is first repointed (ln -sfn + mv -T) at a release prepared from
the collection-built one (same code, its own CODE_VERSION). Load (molecule/shared/files/loadgen.py, inside
the container, 127.0.0.1 only): 4 threads of GET / paced to <= 1 per 50 ms each, plus 12 GET
/slow/?s=10 started 1 s before the switch (method 1: the moment the deploy repoints the idle
color); the load stops 25 s after the switch. A control run (same load, nothing switched) shows
the machine's noise. RSS and pids of the site's wsgi daemons sampled every 0.2 s; each method
records whether its daemons were replaced (``reloaded``: the pids after the switch differ from
the pids before it).

Method 4 is measured on the collection's own configuration, not on a vhost edited for the bench:
since issue 23 every site's script directory has ``WSGIScriptReloading Off`` (vhost.conf.j2,
docs/operations.md), so touching the script is *expected* to do nothing. That is the figure worth
having: it checks, under load, that a touch (by hand, by a backup tool) neither restarts the daemons
nor cuts requests in flight, which is the reason for the setting. A vhost with ``WSGIScriptReloading
On`` would only re-measure mod_wsgi's default, which the design-phase table and the 2026-11-25 results
already give (requests in flight cut after ``shutdown-timeout``, 5 s), and no site of the collection
runs like that (mass hosting keeps the default, but is not this bench's setup). So the row reports
``reloaded: false`` (same pids), the old code still answering (``new_code_after_s: null``) and the
failed requests; the bench does not wait for the version that never comes, and fails (exit 1) if the
touch did replace the daemons, as that would break the collection's contract.

Writes bench/results/reload-<date>.json and .md; logs and raw load reports under bench/tmp/. Needs
docker, the image and the dev venv (run through scripts/bench.sh, which sources scripts/env.sh):
    python bench/reload.py [--append] [--keep] [--reuse] [--name modwsgi-bench-reload] [--render JSON]
Exit status 1 when the collection's deploy failed, a method could not be measured, or touching the
script reloaded the daemons.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common as C  # noqa: E402

PROBE = os.path.join(C.REPO, "molecule", "shared", "projects", "probe")
INVENTORY = os.path.join(C.HERE, "inventory", "reload.yml")
LOADGEN = os.path.join(C.REPO, "molecule", "shared", "files", "loadgen.py")   # the one load generator
NAME = C.PREFIX + "reload"
RS = "/srv/django/rs"
BG = "/srv/django/bg"
MAP = "/etc/apache2/modwsgi-colors.map"
BG_GROUP, RS_GROUP = "(wsgi:bg_", "(wsgi:rs)"   # title prefixes of each site's wsgi daemons
AFTER = 25.0  # seconds of load after the switch
SLOW_SECONDS = 10.0

# key, label, code version it switches to, daemon group, whether it is expected to replace the daemons
METHODS = [
    ("control", "control: same load, no switch", 1, BG_GROUP, False),
    ("deploy", "collection deploy (blue/green, RewriteMap flip)", 2, BG_GROUP, True),
    ("sigusr1", "SIGUSR1 to the daemon group", 2, RS_GROUP, True),
    ("graceful", "`apache2ctl graceful`", 3, RS_GROUP, True),
    ("touch", "touch the WSGI script (`WSGIScriptReloading Off` since issue 23)", 4, RS_GROUP, False),
    ("restart", "`apache2ctl restart`", 5, RS_GROUP, True),
]
ACTIONS = {
    "sigusr1": "for f in %s/run/rs.*; do p=${f##*.}; if head -c 6 /proc/$p/cmdline 2>/dev/null | "
    "grep -q '^(wsgi:'; then kill -USR1 $p && echo signalled $p; fi; done" % RS,
    "graceful": "apache2ctl graceful",
    "touch": "touch %s/apache/django.wsgi" % RS,
    "restart": "apache2ctl restart",
}
SUMMARY = {
    "control": ("failed", "slow_completed", "longest_fast_s", "fast_p99_window_s", "baseline_fast_max_s"),
    "deploy": ("failed", "slow_completed", "longest_fast_s", "new_code_after_s", "flip_rel_s", "playbook_s"),
    "rs": ("failed", "slow_completed", "longest_fast_s", "new_code_after_s", "reloaded", "rss_extra_mb"),
}


def log(msg):
    C.log("reload: " + msg)


class Box(C.Container):
    """The bench container (C.Container, named modwsgi-bench-*) and what the bench asks it."""

    def wait_file(self, path, timeout, error):
        deadline = time.time() + timeout
        while self.out("test -e %s && echo y || true" % path).strip() != "y":
            if time.time() > deadline:
                raise RuntimeError(error)
            time.sleep(0.2)

    def get(self, host, color=None):
        extra = " -H 'X-Modwsgi-Color: %s'" % color if color else ""
        out = self.out("curl -s -m 10 -H 'Host: %s'%s http://127.0.0.1/ || true" % (host, extra), check=False)
        try:
            return json.loads(out)
        except ValueError:
            return {}

    def wait_version(self, host, version, timeout=60, streak=10):
        deadline, ok = time.time() + timeout, 0
        while time.time() < deadline:
            ok = ok + 1 if self.get(host).get("code_version") == str(version) else 0
            if ok >= streak:
                return True
            time.sleep(0.1)
        raise RuntimeError("%s does not serve code version %s after %ss" % (host, version, timeout))

    def wsgi_pids(self, prefix):
        code = (
            "import os\nfor e in os.listdir('/proc'):\n"
            " try:\n  t = open('/proc/%s/cmdline' % e, 'rb').read(64).decode('utf-8', 'replace')\n"
            " except OSError:\n  continue\n"
            " if e.isdigit() and t.startswith(" + repr(prefix) + "):\n  print(e)\n"
        )
        return sorted(int(x) for x in self.out("python3 -c %s" % shlex.quote(code), check=False).split())

    def live_color(self, site):
        for line in self.out("cat %s" % MAP, check=False).splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == site:
                return parts[1]
        return "blue (no map line)"

    def apache_parent(self):
        """Parent pid, its start time and how many times Apache (re)loaded (its error log)."""
        return self.out(
            "p=$(cat /var/run/apache2/apache2.pid); echo pid $p started $(ps -o lstart= -p $p) "
            "loads $(grep -c 'resuming normal operations' /var/log/apache2/error.log)",
            check=False,
        ).strip()


def deploy(name, bg_code, rs_code, logfile):
    """The collection's deploy of both sites; returns (rc, seconds): a failed playbook is a result, not a crash."""
    extra = ["-e", "ansible_host=" + name, "-e", "__reload_bg_code=" + bg_code, "-e", "__reload_rs_code=" + rs_code]
    start = time.time()
    try:
        seconds, _unused1 = C.ansible_playbook(INVENTORY, extra=extra, log_path=logfile)
        return 0, seconds
    except RuntimeError:
        return 1, time.time() - start


def code_dir(tmp, version, run_id):
    """A copy of the probe reporting ``version``; RUN_ID makes its release id new on every run."""
    dest = os.path.join(tmp, "v%s" % version)
    if not os.path.exists(dest):
        shutil.copytree(PROBE, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "db.sqlite3"))
        C.write_text(os.path.join(dest, "CODE_VERSION"), "%s\n" % version)
        C.write_text(os.path.join(dest, "RUN_ID"), "%s\n" % run_id)
    return dest


def run_load(box, logdir, label, args, during=None, timeout=600):
    """Start the load generator in the container; run ``during()`` once it is ready; return its report."""
    out, ready = "/tmp/reload-%s.json" % label, "/tmp/reload-%s.ready" % label
    box.out("rm -f %s %s" % (out, ready))
    # paced fast requests, a long fast timeout, 100,000 requests at most
    box.sh_bg(shlex.join(["python3", "/opt/loadgen.py", "--out", out, "--ready-file", ready, "--interval", "0.05",
                          "--fast-timeout", "60", "--max-requests", "100000", "--after", str(AFTER)] + args))
    box.wait_file(ready, 30, "load generator did not start (%s)" % label)
    extra = during() if during else None
    box.wait_file(out, timeout, "load generator did not finish (%s)" % label)
    report = json.loads(box.out("cat %s" % out))
    C.write_json(os.path.join(logdir, "load-%s.json" % label), report)
    return report, extra


# --------------------------------------------------------------------------------------------- analysis


def analyse(report, new_version, group):
    state = report["state"]
    switch = state["switch"]
    reqs = report["requests"]
    fast = [r for r in reqs if r["path"] == "/"]
    slow = [r for r in reqs if r["path"].startswith("/slow/")]
    res = {"switch_epoch": switch, "requests": len(reqs), "fast_requests": len(fast),
           "load_s": round(report["end"] - report["t0"], 1)}
    if switch is None:
        res["error"] = "no switch happened"
        return res
    failed = [r for r in reqs if r["status"] != 200]
    res["failed"] = len(failed)
    res["failed_fast"] = sum(1 for r in failed if r["path"] == "/")
    res["failed_slow"] = sum(1 for r in failed if r["path"] != "/")
    res["failed_examples"] = sorted({"%s %s" % (r["status"], (r["error"] or "")[:120]) for r in failed})[:5]
    ok_slow = [r for r in slow if r["status"] == 200 and r["end"] - r["start"] >= SLOW_SECONDS - 0.5]
    res["slow_completed"] = len(ok_slow)
    res["slow_total"] = len(slow)
    res["slow_started_rel"] = round(state["slow_started"] - switch, 2) if state.get("slow_started") else None
    bad_slow = sorted(round(r["end"] - switch, 1) for r in slow if r not in ok_slow)
    if bad_slow:
        res["slow_failed_at_rel"] = [bad_slow[0], bad_slow[-1]]
    new = str(new_version)

    def is_new(r):
        return r["status"] == 200 and r["code_version"] == new

    in_window = [r for r in fast if r["end"] > switch - 1.0 and r["start"] < switch + AFTER]
    durations = [r["end"] - r["start"] for r in in_window]
    res["fast_in_window"] = len(in_window)
    res["longest_fast_s"] = round(max(durations), 3) if durations else None
    if in_window:
        longest = max(in_window, key=lambda r: r["end"] - r["start"])
        res["longest_fast_started_rel"] = round(longest["start"] - switch, 2)
        res["longest_fast_code_version"] = longest["code_version"]
        for kind, pick in (("old", lambda r: r["status"] == 200 and not is_new(r)), ("new", is_new)):
            picked = [r["end"] - r["start"] for r in in_window if pick(r)]
            res["longest_fast_%s_code_s" % kind] = round(max(picked), 3) if picked else None
    res["fast_p99_window_s"] = round(C.percentile(durations, 0.99), 4) if durations else None
    before = [r["end"] - r["start"] for r in fast if r["end"] < switch - 1.0 and r["status"] == 200]
    res["baseline_fast_p50_s"] = round(statistics.median(before), 4) if before else None
    res["baseline_fast_max_s"] = round(max(before), 4) if before else None
    # New code everywhere: the first new-code response after the last response that was not new code
    # (an old-code answer, an error or a timeout) among the fast requests that ended after the switch.
    after = sorted((r for r in fast if r["end"] >= switch), key=lambda r: r["end"])
    not_new = [r for r in after if not is_new(r)]
    last_bad = not_new[-1]["end"] if not_new else switch
    res["last_not_new_response_s"] = round(last_bad - switch, 2) if not_new else None
    first_all_new = [r for r in after if r["end"] >= last_bad and is_new(r)]
    res["new_code_after_s"] = round(first_all_new[0]["end"] - switch, 2) if first_all_new else None
    res["longest_fast_whole_load_s"] = round(max(r["end"] - r["start"] for r in fast), 3) if fast else None
    res["old_code_answers_after_switch"] = sum(1 for r in after if r["status"] == 200 and not is_new(r))
    versions = {}
    for r in after:
        if r["status"] == 200:
            versions[r["code_version"]] = versions.get(r["code_version"], 0) + 1
    res["code_versions_after_switch"] = versions
    res.update(daemon_figures(report["samples"], switch, group))
    if state.get("switch_end"):
        res["switch_cmd_s"] = round(state["switch_end"] - switch, 2)
        res["switch_rc"] = state.get("switch_rc")
    return res


def daemon_figures(samples, switch, group):
    """RSS (mean of the 3 s before the switch vs the peak after), process counts and pids before/after."""
    res = {}
    pre = [s for s in samples if switch - 3.0 <= s["t"] < switch] or [s for s in samples if s["t"] < switch]
    during = [s for s in samples if s["t"] >= switch]

    def rss(s):
        return s["groups"][group]["rss_kb"]

    def pids(s):
        return s["groups"][group]["pids"]

    if pre and during:
        res["rss_before_mb"] = round(statistics.mean(rss(s) for s in pre) / 1024, 1)
        peak = max(during, key=rss)
        res["rss_peak_mb"] = round(rss(peak) / 1024, 1)
        res["rss_extra_mb"] = round(res["rss_peak_mb"] - res["rss_before_mb"], 1)
        res["rss_peak_rel_s"] = round(peak["t"] - switch, 1)
        res["procs_before"] = max(len(pids(s)) for s in pre)
        res["procs_max_during"] = max(len(pids(s)) for s in during)
        res["min_procs_during"] = min(len(pids(s)) for s in during)
        res["pids_before"] = sorted(pids(pre[-1]))
        res["pids_after"] = sorted(pids(during[-1]))
        seen = {p for s in during for p in pids(s)}
        res["reloaded"] = bool(seen - set(res["pids_before"])) or res["pids_after"] != res["pids_before"]
    loads = [s["load1"] for s in samples if s.get("load1") is not None]
    res["loadavg1_during"] = [min(loads), max(loads)] if loads else None
    return res


# --------------------------------------------------------------------------------------------- report


def new_code_cell(key, m):
    if key == "control":
        return "(no switch)"
    if m.get("reloaded") is False:
        return "never: daemons not reloaded (same pids %s), old code kept answering (%s)" % (
            ", ".join(map(str, m["pids_after"])),
            ", ".join("v%s: %d" % kv for kv in sorted(m["code_versions_after_switch"].items())))
    if m["new_code_after_s"] is None:
        return "> %d s" % AFTER
    new = C.fmt_seconds(m["new_code_after_s"])
    if m.get("last_not_new_response_s") is not None:
        new += " (last old/failed answer +%.1f s)" % m["last_not_new_response_s"]
    return new


def table(run):
    lines = [
        "| method | failed requests (fast / slow) | 10 s requests in flight completed | longest fast request "
        "in the switch window (p99) | new code on every request after | daemon RSS before → peak (extra) |",
        "|---|---|---|---|---|---|",
    ]
    for key, label, _version, _group, _reload in METHODS:
        m = run["methods"].get(key)
        if not m or "failed" not in m:
            lines.append("| %s | (not measured: %s) | | | | |" % (label, (m or {}).get("error", "missing")))
            continue
        failed = "%d (%d / %d)" % (m["failed"], m["failed_fast"], m["failed_slow"])
        if m.get("slow_failed_at_rel"):
            a, b = m["slow_failed_at_rel"]
            failed += "; slow ones cut at +%.1f s" % a if a == b else "; slow ones cut at +%.1f..+%.1f s" % (a, b)
        mem = ("%.0f → %.0f MB (%+.0f)" % (m["rss_before_mb"], m["rss_peak_mb"], m["rss_extra_mb"])
               if "rss_before_mb" in m else "n/a")
        longest = "%s (%s)" % (C.fmt_seconds(m["longest_fast_s"]), C.fmt_seconds(m["fast_p99_window_s"]))
        lines.append("| %s | %s | %d/%d | %s | %s | %s |" % (
            "**%s**" % label if key == "deploy" else label, failed, m["slow_completed"], m["slow_total"], longest,
            new_code_cell(key, m), mem))
    return "\n".join(lines)


def reading(run):
    ms = run["methods"]
    d = ms.get("deploy", {})
    c = ms.get("control", {})
    fs = C.fmt_seconds
    parts = []
    if "failed" in d:
        ok = d["failed"] == 0 and d["longest_fast_s"] is not None and d["longest_fast_s"] < 0.1
        parts.append(
            "The collection's deploy (playbook %s s, rc %s) had %d failed requests, %d/%d slow requests completed, "
            "its longest fast request in the switch window took %s (p99 %s) and every request got the new code "
            "%s after the idle color was repointed (map flip at +%s s); that longest request started at +%s s and "
            "was answered by code version %s (longest answered by the old code, i.e. the live color while the idle "
            "one restarted: %s; by the new code: %s); over the whole %s s of load around the playbook the longest "
            "fast request took %s; the issue's target (0 failed, longest fast < 100 ms) is %s. Both "
            "colors stay resident: %.0f MB of daemons for the blue/green site against %.0f MB for the same site "
            "in restart mode."
            % (d.get("playbook_s"), d.get("playbook_rc"), d["failed"], d["slow_completed"], d["slow_total"],
               fs(d["longest_fast_s"]), fs(d["fast_p99_window_s"], True),
               fs(d["new_code_after_s"]) if d["new_code_after_s"] is not None else "not",
               d.get("flip_rel_s", "?"), d.get("longest_fast_started_rel"), d.get("longest_fast_code_version"),
               fs(d.get("longest_fast_old_code_s")), fs(d.get("longest_fast_new_code_s")), d.get("load_s"),
               fs(d.get("longest_fast_whole_load_s")), "met" if ok else "NOT met", d.get("rss_before_mb", 0),
               ms.get("sigusr1", {}).get("rss_before_mb", 0)))
    alts = []
    for key, label, _version, _group, _reload in METHODS[2:]:
        m = ms.get(key, {})
        if "failed" not in m:
            continue
        if m.get("reloaded") is False:
            new = "daemons not reloaded (pids %s before and after), the old code kept answering" % (
                ", ".join(map(str, m["pids_after"])))
        else:
            new = "new code after %s" % (fs(m["new_code_after_s"]) if m["new_code_after_s"] is not None
                                         else "> %d s" % AFTER)
        alts.append("%s: %d failed, %d/%d slow, longest fast %s, %s" % (
            label.replace("`", ""), m["failed"], m["slow_completed"], m["slow_total"], fs(m["longest_fast_s"]), new))
    if alts:
        parts.append("The alternatives on the restart-mode site: " + "; ".join(alts) + ".")
    loads = [x for m in ms.values() if m.get("loadavg1_during") for x in m["loadavg1_during"]]
    if "failed" in c and loads:
        parts.append(
            "Noise: with the same load and nothing switched (control) the longest fast request took %s "
            "(p99 %s); the 1-minute load average of this %s-core box, shared with other jobs, was "
            "%.1f-%.1f during the run, so single fast requests of that order are the machine, not the method."
            % (fs(c["longest_fast_s"]), fs(c["fast_p99_window_s"], True), run["env"]["cpus"], min(loads), max(loads)))
    return " ".join(parts)


INTRO = (
    "What each way of loading new code does to traffic: one Debian 12 container "
    "(`%s`), Apache event MPM, two daemon-mode sites of the probe project (2 processes x 15 threads): "
    "`bg` (blue/green) takes the collection's deploy, `rs` (deploy: restart) takes the others after "
    "`current` is repointed. Load inside the container on 127.0.0.1: 4 threads of `GET /` (each at most one "
    "request per 50 ms) plus 12 `GET /slow/?s=10` started 1 s before the switch (collection deploy: "
    "when it repoints the idle color), load stops 25 s after the switch. Failed = non-200 or connection "
    "error (fast requests wait up to 60 s, slow ones 40 s); longest fast request = among fast requests overlapping "
    "[switch - 1 s, switch + 25 s]; new code on every request after = end of the first new-version response "
    "after the last old-version, failed or timed-out one; RSS = sum over the site's wsgi "
    "daemon processes, mean of the 3 s before the switch vs the peak afterwards (0.2 s samples). Touching the "
    "script runs against the collection's own vhost, which sets `WSGIScriptReloading Off` (issue 23): the row "
    "checks that the touch replaces no daemon (pids sampled before and after) and cuts no request; it is not "
    "mod_wsgi's default behaviour. Made by `bench/reload.py` (load: `molecule/shared/files/loadgen.py`, "
    "inventory: `bench/inventory/reload.yml`)." % C.IMAGE
)


def write_results(runs, outdir, date):
    base = os.path.join(outdir, "reload-%s" % date)
    C.write_json(base + ".json", {"benchmark": "reload", "runs": runs})
    md = ["# Reload benchmark, %s" % date, "", INTRO, ""]
    for i, run in enumerate(runs, 1):
        title = "Run %d" % i if len(runs) > 1 else "Results"
        md += ["## %s (%s, wall time %.0f s)" % (title, run["started"], run["wall_s"]), "", table(run), "",
               reading(run), ""]
        for key, what in (("deploy", "Collection deploy checks"), ("touch", "Touch checks")):
            checks = run["methods"].get(key, {}).get("checks")
            if checks:
                md += ["%s: %s" % (what, "; ".join("%s: %s" % kv for kv in sorted(checks.items()))), ""]
        md += ["Environment: %s" % ", ".join("%s %s" % (k, v) for k, v in sorted(run["env"].items())), ""]
    C.write_text(base + ".md", "\n".join(md))
    return base


def render(path):
    """Re-analyse the kept load reports (bench/tmp) of a results file and rewrite its .json/.md."""
    with open(path) as handle:
        runs = json.load(handle)["runs"]
    for run in runs:
        for key, _label, version, group, _reload in METHODS:
            report = os.path.join(C.REPO, run.get("logs", ""), "load-%s.json" % key)
            if key in run["methods"] and os.path.exists(report):
                with open(report) as handle:
                    run["methods"][key].update(analyse(json.load(handle), version, group))
    write_results(runs, os.path.dirname(os.path.abspath(path)), os.path.basename(path)[len("reload-"):-len(".json")])


# --------------------------------------------------------------------------------------------- main


class Bench:
    def __init__(self, box, logdir, tmp, stamp):
        self.box, self.logdir, self.tmp, self.stamp = box, logdir, tmp, stamp
        self.run = {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "methods": {}, "env": {},
                    "logs": os.path.relpath(logdir, C.REPO)}

    def record(self, key, res, summary):
        self.run["methods"][key] = res
        log("%s: %s" % (key, json.dumps({k: res.get(k) for k in SUMMARY[summary]})))

    def setup(self):
        v1 = code_dir(self.tmp, 1, self.stamp)
        log("setup: deploying bg and rs (code version 1) with the collection")
        rc, seconds = deploy(self.box.name, v1, v1, os.path.join(self.logdir, "deploy-setup.log"))
        self.run["setup_deploy_s"] = round(seconds, 1)
        if rc != 0:
            raise RuntimeError("setup deploy failed, see %s/deploy-setup.log" % self.logdir)
        self.box.put(LOADGEN, "/opt/loadgen.py")
        self.box.wait_version("rs.test", 1)
        self.box.wait_version("www.test", 1)
        for color in ("blue", "green"):  # warm both colors (from 127.0.0.1 a request may pin one)
            self.box.out("for i in $(seq 20); do curl -s -o /dev/null -m 10 -H 'Host: www.test' "
                         "-H 'X-Modwsgi-Color: %s' http://127.0.0.1/; done" % color)
        self.run["env"] = {
            "cpus": os.cpu_count(), "image": C.IMAGE,
            "apache": self.box.out("apache2 -v | sed -n 's/^Server version: //p'").strip(),
            "mod_wsgi": self.box.out("dpkg-query -W -f '${Version}' libapache2-mod-wsgi-py3").strip(),
            "git": C.git_head(), "roles+plugins sha256": C.tree_hash("roles", "plugins"),
            "loadavg1 at start": C.loadavg(),
        }

    def control(self):
        """The same load on www.test with nothing switched (what this machine's noise looks like)."""
        log("control: same load, no switch")
        report, _unused1 = run_load(self.box, self.logdir, "control", [
            "--host", "www.test", "--slow-after", "1", "--switch-at", "2", "--seconds", "60", "--group", BG_GROUP])
        self.record("control", analyse(report, 1, BG_GROUP), "control")

    def bluegreen(self):
        """The collection's deploy of bg, code version 2 (rs keeps version 1: untouched)."""
        box, v1, v2 = self.box, code_dir(self.tmp, 1, self.stamp), code_dir(self.tmp, 2, self.stamp)
        before = {"apache": box.apache_parent(), "rs_pids": box.wsgi_pids(RS_GROUP)}
        live = box.live_color("bg")

        def do_deploy():
            time.sleep(3)  # baseline under load
            return deploy(box.name, v2, v1, os.path.join(self.logdir, "deploy-bg-v2.log"))

        log("method deploy: collection deploy of bg code version 2 under load")
        report, (rc, seconds) = run_load(box, self.logdir, "deploy", [
            "--host", "www.test", "--trigger-links", BG + "/blue", BG + "/green", "--seconds", "420",
            "--group", BG_GROUP], during=do_deploy)
        res = analyse(report, 2, BG_GROUP)
        res.update(playbook_rc=rc, playbook_s=round(seconds, 1), trigger=report["state"].get("trigger_link"))
        try:
            flip = float(box.out("python3 -c 'import os; print(os.stat(\"%s\").st_mtime)'" % MAP).strip())
            res["flip_rel_s"] = round(flip - res["switch_epoch"], 2) if res.get("switch_epoch") else None
        except ValueError:
            pass
        res["checks"] = {
            "playbook rc": rc,
            "Apache not reloaded or restarted (parent and reload count unchanged)": before["apache"] == box.apache_parent(),
            "rs daemons untouched": before["rs_pids"] == box.wsgi_pids(RS_GROUP),
            "live color before -> after": "%s -> %s" % (live, box.live_color("bg")),
        }
        res["links_after"] = box.out("ls -l %s | grep -- '->' | awk '{print $(NF-2), $NF}'" % BG)
        self.record("deploy", res, "deploy")
        if rc != 0:
            log("collection deploy failed (rc %s), see %s/deploy-bg-v2.log" % (rc, self.logdir))
        else:
            box.wait_version("www.test", 2)

    def restart_site(self):
        """Methods 2-5 on rs: releases prepared from the collection-built one (same code, own CODE_VERSION)."""
        box = self.box
        base_rel = box.out("readlink %s/current" % RS).strip()
        served = 1
        for key, _label, version, group, expect_reload in METHODS[2:]:
            rel = "%s/releases/reload-v%d" % (RS, version)
            box.out("rm -rf {r} && cp -a {b} {r} && printf '{v}\\n' > {r}/CODE_VERSION && "
                    "echo reload-v{v} > {r}/.modwsgi-release".format(r=rel, b=base_rel, v=version))
            time.sleep(2)
            log("method %s: rs code version %d" % (key, version))
            cmd = "ln -sfn %s %s/current.reload-tmp && mv -T %s/current.reload-tmp %s/current && %s" % (
                rel, RS, RS, RS, ACTIONS[key])
            report, _unused1 = run_load(box, self.logdir, key, [
                "--host", "rs.test", "--slow-after", "1", "--switch-at", "2", "--switch-cmd", cmd,
                "--seconds", "60", "--group", group])
            res = analyse(report, version, group)
            res["switch_output"] = report["state"].get("switch_output", "")[-300:]
            res["expected_reload"] = expect_reload
            if not expect_reload:
                # nothing reloads: the version served before keeps answering; no wait for the new one
                after = box.get("rs.test").get("code_version")
                res["checks"] = {
                    "daemons not reloaded (same pids before and after)": res.get("reloaded") is False,
                    "code version served after the load: %s (before: %s)" % (after, served): after == str(served),
                    "no failed request": res.get("failed") == 0,
                }
            self.record(key, res, "rs")
            if expect_reload:
                try:
                    box.wait_version("rs.test", version, timeout=40)
                    served = version
                except RuntimeError as exc:
                    log(str(exc))
            deadline = time.time() + 30
            while len(box.wsgi_pids(RS_GROUP)) > 2 and time.time() < deadline:
                time.sleep(0.5)

    def keep_errors(self):
        C.write_text(os.path.join(self.logdir, "apache-errors.log"), self.box.out(
            "cat /var/log/apache2/modwsgi-rs.test-error.log /var/log/apache2/modwsgi-www.test-error.log "
            "/var/log/apache2/error.log 2>&1 | tail -n 400", check=False))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--name", default=NAME, help="container name (%s*, default %s)" % (C.PREFIX, NAME))
    parser.add_argument("--reuse", action="store_true", help="reuse a running container of that name")
    parser.add_argument("--keep", action="store_true", help="keep the container afterwards")
    parser.add_argument("--append", action="store_true", help="add this run to today's results instead of replacing them")
    parser.add_argument("--outdir", default=C.RESULTS)
    parser.add_argument("--render", metavar="JSON", help="no run: re-analyse the kept load reports (bench/tmp) "
                        "of a results file and rewrite its .json/.md")
    args = parser.parse_args()
    if args.render:
        render(args.render)
        return 0
    if not args.name.startswith(C.PREFIX):
        parser.error("--name must start with %s" % C.PREFIX)
    C.require_tools()

    wall0 = time.time()
    date = C.today()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    logdir = os.path.join(C.TMP, "reload-%s" % stamp)
    os.makedirs(logdir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="modwsgi-reload-")
    box = Box(args.name)
    bench = Bench(box, logdir, tmp, stamp)
    created = False
    try:
        if not (args.reuse and box.exists()):
            log("fresh container %s" % args.name)
            box.start()
            created = True
        bench.setup()
        log("setup done after %.0f s" % (time.time() - wall0))
        bench.control()
        time.sleep(2)
        bench.bluegreen()
        bench.restart_site()
        bench.keep_errors()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if (created or args.reuse) and not args.keep:
            box.remove()
    run = bench.run
    run["wall_s"] = round(time.time() - wall0, 1)
    runs = []
    path = os.path.join(args.outdir, "reload-%s.json" % date)
    if args.append and os.path.exists(path):
        with open(path) as handle:
            runs = json.load(handle).get("runs", [])
    runs.append(run)
    base = write_results(runs, args.outdir, date)
    log("wrote %s.json and %s.md (wall time %.0f s)" % (base, base, run["wall_s"]))
    print(table(run))
    print()
    print(reading(run))
    ms = run["methods"]
    measured = all("failed" in ms.get(m[0], {}) for m in METHODS)
    return 0 if measured and ms["deploy"].get("playbook_rc") == 0 and ms["touch"].get("reloaded") is False else 1


if __name__ == "__main__":
    sys.exit(main())
