# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Faults benchmark (issue 23): what each fault costs in failed requests and seconds, over several runs.

One Debian 12 container (modwsgi-django-base:bookworm), two blue/green sites of the probe project deployed
with the collection (bench/inventory/faults.yml): kb (2 processes x 4 threads) and qf (1 process x
2 threads, queue_timeout 5, request_timeout 20). Every round runs each fault once, in this order, so
the drift of a shared host spreads over all of them:

  kill_one / kill_all        kill -9 one / every daemon process of kb's live color
  queue_full                 qf's 2 threads busy with 8 s requests, GET /minimal/ arriving at 4 per second
  broken_import              a deploy of a kb release whose settings fail to import
  broken_requirements        ... whose requirements cannot install (pip on the host: preflight off)
  broken_requirements_preflight  a release whose requirements need a newer Python than mod_wsgi's, refused
                             on the controller by the preflight (default) before the host changes
  broken_health              ... whose health view raises (500)
  config_vhost               kb's vhost broken by hand, then a converge (the plan sees it: repaired)
  config_foreign             a conf outside the collection broken by hand, then a converge with nothing
                             to change (no test, nothing changed), then one with a change (refused)

Load (molecule/shared/files/loadgen.py, inside the container, 127.0.0.1 only): kills: 4 threads of
GET / paced to one request per 20 ms each plus 2 looping GET /slow/?s=4; deploys and converges: the same
fast load plus 2 looping GET /slow/?s=10, from 2 s before the playbook until 3 s after it. The fault
injection (kill scripts, broken releases, the queue figures) is molecule/shared/files/faults.py, shared
with the fault tests of the hardening and redeploy scenarios.

Writes bench/results/<date>-faults.json and .md (median and min-max of every figure over the runs);
logs and raw load reports under bench/tmp/faults-<stamp>/. Run through scripts/bench.sh faults, or:
    .venv/bin/python bench/faults.py [--rounds 3] [--only kill_one,queue_full] [--keep] [--name modwsgi-bench-faults]
Exit status 1 when a guarantee did not hold in some run (the report says which), 2 when the setup failed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

FILES = os.path.join(C.REPO, "molecule", "shared", "files")
sys.path.insert(0, FILES)
import faults  # noqa: E402  (fault injection shared with the molecule fault tests)
import loadgen  # noqa: E402  (the one load generator, and its analysis)

PROJECTS = os.path.join(C.REPO, "molecule", "shared", "projects")
INVENTORY = os.path.join(C.HERE, "inventory", "faults.yml")
NAME = C.PREFIX + "faults"
KB = "/srv/django/kb"
MAP = "/etc/apache2/modwsgi-colors.map"
KB_VHOST = "/etc/apache2/sites-available/modwsgi-kb.test.conf"
FOREIGN = "/etc/apache2/conf-available/zz-faults-local.conf"
THREADS_KB = 4
QUEUE_TIMEOUT = 5
APACHE_STATE = ("find /etc/apache2 \\( -type f -o -type l \\) -printf '%p %l %m\\n' | sort; "
                "find /etc/apache2 -type f -exec sha256sum {} + | sort")

FAULTS = ["kill_one", "kill_all", "queue_full", "broken_import", "broken_requirements",
          "broken_requirements_preflight", "broken_health", "config_vhost", "config_foreign"]
TITLES = {
    "kill_one": "kill -9 one daemon of the live color",
    "kill_all": "kill -9 every daemon of the live color",
    "queue_full": "queue full (2 threads busy 8 s, /minimal/ at 4/s)",
    "broken_import": "release whose settings fail to import",
    "broken_requirements": "release whose requirements cannot install (pip on the host)",
    "broken_requirements_preflight": "release whose requirements need a newer Python, refused by the controller's preflight",
    "broken_health": "release whose health view raises (500)",
    "config_vhost": "vhost broken by hand, then a converge",
    "config_foreign": "conf outside the collection broken by hand, then a converge with nothing to change, then one with a change",
}


def log(msg):
    C.log("faults: " + msg)


class Box(C.Container):
    """The bench container (C.Container.out() is the stdout of a bash command)."""

    def report(self, path, timeout=300):
        deadline = time.time() + timeout
        while self.out("test -e %s && echo y || true" % path).strip() != "y":
            if time.time() > deadline:
                raise RuntimeError("load generator did not finish (%s): %s" % (path, self.out("cat %s.log" % path, check=False)))
            time.sleep(0.5)
        return json.loads(self.out("cat %s" % path))

    def loadavg(self):
        try:
            return float(self.out("cut -d' ' -f1 /proc/loadavg").strip())
        except ValueError:
            return None

    def generation(self):
        return int(self.out("grep -c 'resuming normal operations' /var/log/apache2/error.log || true").strip() or 0)


class Bench:
    def __init__(self, box, logdir, tmp, stamp):
        self.box, self.logdir, self.tmp, self.stamp = box, logdir, tmp, stamp
        self.good = self.code("good", {})

    def code(self, label, files):
        """A copy of the probe with ``files`` written into it (a RUN_ID makes its release id new per run)."""
        dest = os.path.join(self.tmp, label)
        if not os.path.exists(dest):
            shutil.copytree(os.path.join(PROJECTS, "probe"), dest,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "db.sqlite3"))
        for name, text in dict({"RUN_ID": "%s\n" % self.stamp}, **files).items():
            with open(os.path.join(dest, name), "w") as handle:
                handle.write(text)
        return dest

    def playbook(self, label, code=None, extra=()):
        """ansible-playbook modwsgi.django.deploy on the container; returns (rc, seconds, output)."""
        args = ["-i", INVENTORY, "modwsgi.django.deploy", "-e", "ansible_host=" + self.box.name,
                "-e", "__faults_kb_code=" + (code or self.good)] + list(extra)
        env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="default")
        env.setdefault("MODWSGI_ROOT", C.REPO)
        start = time.time()
        proc = subprocess.run(["ansible-playbook"] + args, capture_output=True, text=True, cwd=C.REPO, env=env,
                              timeout=1200, check=False)
        seconds = time.time() - start
        out = proc.stdout + proc.stderr
        with open(os.path.join(self.logdir, "%s.log" % label), "w") as handle:
            handle.write("$ ansible-playbook %s\n%s\n# %.1f s, rc %d\n" % (" ".join(args), out, seconds, proc.returncode))
        return proc.returncode, seconds, out

    def load(self, label, args):
        """Start the load generator detached; returns the path of its report."""
        out = "/tmp/faults-%s.json" % label
        self.box.out("rm -f %s %s.stop" % (out, out))
        cmd = "python3 /opt/loadgen.py --out %s %s > %s.log 2>&1" % (out, " ".join(shlex.quote(a) for a in args), out)
        self.box.sh_bg(cmd)
        return out

    def keep(self, label, report):
        with open(os.path.join(self.logdir, "load-%s.json" % label), "w") as handle:
            json.dump(report, handle)

    # -------------------------------------------------------------- the faults

    def kill(self, label, which):
        self.box.write("/tmp/faults-kill.sh", faults.kill_script("kb", which=(which,)))
        out = self.load(label, ["--host", "kb.test", "--threads", "4", "--interval", "0.02", "--slow", "2",
                                "--slow-seconds", "4", "--slow-after", "0.5", "--slow-loop", "--switch-at", "3",
                                "--switch-cmd", "sh /tmp/faults-kill.sh", "--after", "8", "--seconds", "60",
                                "--max-requests", "20000"])
        report = self.box.report(out)
        self.keep(label, report)
        marks = faults.parse_marks(report["state"]["switch_output"])
        at, color, pids = marks[which]
        done = marks[which + "_done"][0]
        fig = loadgen.fault_figures(report["requests"], at, done)
        fast = loadgen.fault_figures(report["requests"], at, done, path="/")   # the stall, without the 4 s requests
        fig.update(killed=len(pids), color=color, served_again_s=fast["served_again_s"],
                   longest_fast_after_s=fast["longest_after_s"],
                   failed_slow=sum(1 for r in report["requests"] if r["path"] != "/" and r["status"] != 200))
        fig["ok"] = fig["failed_after"] == 0 and fig["failed_in_flight"] <= len(pids) * THREADS_KB
        return fig

    def queue_full(self, label):
        out = self.load(label, ["--host", "qf.test", "--path", "/minimal/", "--rate", "4", "--fast-after", "1",
                                "--fast-timeout", "40", "--slow", "2", "--slow-seconds", "8", "--slow-after", "0",
                                "--seconds", "13"])
        report = self.box.report(out)
        self.keep(label, report)
        fig = faults.queue_figures(report["requests"], QUEUE_TIMEOUT)
        fig.pop("freed", None)
        late, early, queued = fig["late"], fig["early"], fig["queued"]
        fig.update(
            queued_requests=sum(queued.values()),
            late_504_share=round(late.get("504", 0) / max(1, sum(late.values())), 3),
            early_200_share=round(early.get("200", 0) / max(1, sum(early.values())), 3),
            after_200_share=round(fig["after"].get("200", 0) / max(1, sum(fig["after"].values())), 3),
        )
        fig["ok"] = (set(queued) <= {"200", "504"} and fig["late_504_share"] == 1 and fig["early_200_share"] == 1
                     and fig["latest_answer_after_freed_s"] < 2 and fig["after_200_share"] == 1)
        return fig

    def under_load(self, label, action):
        """Run action() with the playbook load on kb.test; returns (action result, load figures)."""
        out = self.load(label, ["--host", "kb.test", "--threads", "4", "--interval", "0.02", "--slow", "2",
                                "--slow-seconds", "10", "--slow-after", "0.5", "--slow-loop", "--seconds", "600",
                                "--stop-file", "/tmp/faults-%s.json.stop" % label, "--tail", "3",
                                "--fast-timeout", "60", "--max-requests", "100000"])
        time.sleep(2)
        start = time.time()
        try:
            result = action()
        finally:
            self.box.out("touch /tmp/faults-%s.json.stop" % label)
        report = self.box.report(out)
        self.keep(label, report)
        reqs = report["requests"]
        fig = loadgen.fault_figures(reqs, start)
        fast = [r for r in reqs if r["path"] == "/"]
        fig.update(failed_fast=sum(1 for r in fast if r["status"] != 200),
                   failed_slow=sum(1 for r in reqs if r["path"] != "/" and r["status"] != 200),
                   longest_fast_s=round(max((r["end"] - r["start"] for r in fast), default=0), 3))
        return result, fig

    def broken(self, label, kind, preflight=False):
        # A new release id every run (RUN_ID), so that no run finds the previous run's attempt.
        code = faults.broken_release(PROJECTS, self.tmp, kind, extra_files={"RUN_ID": "%s %s\n" % (self.stamp, label)})
        before = {"map": self.box.out("cat %s" % MAP), "links": self.box.out("readlink %s/blue %s/green" % (KB, KB)),
                  "apache": self.box.generation()}
        extra = [] if preflight or kind != "requirements" else ["-e", "django_site_python_preflight=false"]
        (rc, seconds, output), fig = self.under_load(label, lambda: self.playbook(label, code, extra))
        live = before["map"].split("kb ")[-1].split()[0] if "kb " in before["map"] else "blue"
        links = self.box.out("readlink %s/blue %s/green" % (KB, KB))
        live_link = dict(zip(("blue", "green"), before["links"].split()))[live]
        fig.update(
            playbook_s=round(seconds, 1), rc=rc,
            flipped=self.box.out("cat %s" % MAP) != before["map"],
            live_link_kept=dict(zip(("blue", "green"), links.split()))[live] == live_link,
            cause_shown=faults.BROKEN_CAUSES[kind] in output,
            refused_on_controller=("cannot be installed for Python" in output
                                   and re.search(r"\schanged=0\s", output) is not None),
            half_built=len(self.box.out(faults.half_built_script(KB), check=False).split("\n")) - 1,
            apache_reloaded=self.box.generation() != before["apache"],
        )
        fig["ok"] = (rc != 0 and not fig["flipped"] and fig["live_link_kept"] and fig["failed"] == 0
                     and fig["cause_shown"] and fig["half_built"] == 0 and (fig["refused_on_controller"] or not preflight))
        return fig

    def config_vhost(self, label):
        good = self.box.out("cat %s" % KB_VHOST)
        mark = int(self.box.out("wc -l < /var/log/apache2/error.log").strip())
        self.box.out("echo 'BrokenByHand on' >> %s" % KB_VHOST)
        (rc, seconds, output), fig = self.under_load(label, lambda: self.playbook(label))
        lines = self.box.out("tail -n +%d /var/log/apache2/error.log" % (mark + 1)).splitlines()
        window = faults.reload_window(lines, self.box.out("date +%z").strip())
        fig.update(playbook_s=round(seconds, 1), rc=rc,
                   repaired=self.box.out("cat %s" % KB_VHOST) == good and self.box.sh("apache2ctl -t", check=False).returncode == 0,
                   # planned: the apache and mod_wsgi roles see nothing of theirs differ and run no module
                   only_django_site="Apache | Write configuration" not in output and "Mod_wsgi | Write global" not in output,
                   reload_s=round(window[1] - window[0], 2) if window else None)
        fig["ok"] = rc == 0 and fig["repaired"]
        return fig

    def config_foreign(self, label):
        """A foreign conf broken by hand: a converge with nothing to change leaves everything alone (it runs
        no apache_config, so it tests nothing); one with a change is refused and restores its files."""
        self.box.out("echo 'ThisIsBrokenByHand on' > %s && ln -sfn ../conf-available/%s /etc/apache2/conf-enabled/"
                     % (FOREIGN, os.path.basename(FOREIGN)))
        try:
            before, generation = self.box.out(APACHE_STATE), self.box.generation()
            (rc, seconds, output), fig = self.under_load(label, lambda: self.playbook(label))
            fig.update(playbook_s=round(seconds, 1), rc=rc,
                       unchanged=rc == 0 and bool(re.search(r"\schanged=0\s", output)),
                       files_kept=self.box.out(APACHE_STATE) == before,
                       apache_reloaded=self.box.generation() != generation)
            change = ["-e", '{"apache_custom_directives": ["ServerSignature Off"]}']
            (rc, seconds, output), changing = self.under_load(label + "-change", lambda: self.playbook(label + "-change", extra=change))
            fig.update(change_playbook_s=round(seconds, 1), change_rc=rc,
                       change_failed=changing["failed"],
                       refused=rc != 0 and "already broken in /etc/apache2/conf-enabled/%s" % os.path.basename(FOREIGN) in output,
                       change_files_kept=self.box.out(APACHE_STATE) == before,
                       change_reloaded=self.box.generation() != generation)
        finally:
            self.box.out("rm -f /etc/apache2/conf-enabled/%s %s" % (os.path.basename(FOREIGN), FOREIGN))
        fig["ok"] = (fig["unchanged"] and fig["files_kept"] and not fig["apache_reloaded"] and fig["failed"] == 0
                     and fig["refused"] and fig["change_files_kept"] and not fig["change_reloaded"] and fig["change_failed"] == 0)
        return fig

    def run(self, fault, label):
        load0 = self.box.loadavg()
        start = time.time()
        if fault in ("kill_one", "kill_all"):
            fig = self.kill(label, fault.split("_")[1])
        elif fault == "queue_full":
            fig = self.queue_full(label)
        elif fault.startswith("broken_"):
            # broken_requirements_preflight: requirements only a newer Python can install, which the
            # controller's preflight refuses (one that no Python can install is left to pip on the host)
            kind = "python" if fault.endswith("_preflight") else fault.split("_")[1]
            fig = self.broken(label, kind, preflight=fault.endswith("_preflight"))
        else:
            fig = getattr(self, fault)(label)
        fig.update(wall_s=round(time.time() - start, 1), loadavg=[load0, self.box.loadavg()])
        return fig


# ------------------------------------------------------------------------------------------------ report

# Per fault: the figures in the table (key, label, unit). Booleans are shown as "n of runs".
COLUMNS = {
    "kill": [("requests", "requests", ""), ("failed_in_flight", "failed: in flight", ""),
             ("failed_slow", "of them 4 s requests", ""), ("failed_after", "failed: arrived after", ""),
             ("served_again_s", "first answer after the kill", "s"), ("all_ok_after_s", "every request OK after", "s"),
             ("longest_fast_after_s", "slowest fast request after", "s")],
    "queue_full": [("queued_requests", "queued", ""), ("late_504_share", "waited > 5 s: 504", "share"),
                   ("early_200_share", "waited < 5 s: 200", "share"), ("longest_wait_s", "longest wait", "s"),
                   ("latest_answer_after_freed_s", "last answer after a thread freed", "s"),
                   ("after_200_share", "afterwards: 200", "share")],
    "broken": [("playbook_s", "playbook", "s"), ("flipped", "flipped", "bool"), ("failed_fast", "failed fast", ""),
               ("failed_slow", "failed slow", ""), ("cause_shown", "cause in output", "bool"),
               ("refused_on_controller", "before any host change", "bool"), ("half_built", "half-built leftovers", ""),
               ("longest_fast_s", "slowest fast request", "s")],
    "config_vhost": [("playbook_s", "playbook", "s"), ("repaired", "repaired", "bool"),
                     ("only_django_site", "only django_site's step ran", "bool"),
                     ("failed_fast", "failed fast", ""), ("failed_slow", "failed slow (> 3 s, cut by the reload)", ""),
                     ("reload_s", "graceful reload", "s"), ("longest_fast_s", "slowest fast request", "s")],
    "config_foreign": [("playbook_s", "nothing to change: playbook", "s"), ("unchanged", "changed=0", "bool"),
                       ("files_kept", "files kept", "bool"), ("apache_reloaded", "reloaded", "bool"), ("failed", "failed", ""),
                       ("change_playbook_s", "with a change: playbook", "s"), ("refused", "refused, cause named", "bool"),
                       ("change_files_kept", "files kept", "bool"), ("change_reloaded", "reloaded", "bool"),
                       ("change_failed", "failed", "")],
}


def columns(fault):
    if fault.startswith("kill"):
        return COLUMNS["kill"]
    if fault.startswith("broken"):
        return COLUMNS["broken"]
    return COLUMNS[fault]


def spread(values, unit):
    values = [v for v in values if v is not None]
    if not values:
        return "n/a"
    if unit == "bool":
        return "%d/%d" % (sum(1 for v in values if v), len(values))
    med, low, high = statistics.median(values), min(values), max(values)

    def fmt(v):
        if unit == "share":
            return "%.0f%%" % (100 * v)
        if unit == "s":
            return "%.2f" % v if v < 10 else "%.1f" % v
        return "%g" % v

    text = fmt(med) + (" s" if unit == "s" else "")
    return text if low == high else "%s (%s-%s)" % (text, fmt(low), fmt(high))


def write_results(data, outdir, date):
    base = os.path.join(outdir, "%s-faults" % date)
    C.write_json(base + ".json", data)
    rounds = data["rounds"]
    md = ["# Faults benchmark, %s" % date, "",
          "What each fault costs under load, over %d run(s) per fault (median, and min-max when the runs differ). "
          "One Debian 12 container (`%s`), Apache event MPM, two blue/green sites of the probe project: `kb` "
          "(2 processes x 4 threads) and `qf` (1 process x 2 threads, queue_timeout 5, request_timeout 20). Rounds "
          "interleave the faults. Load inside the container on 127.0.0.1 (`molecule/shared/files/loadgen.py`): kills: "
          "4 threads of `GET /`, each at most one request per 20 ms, plus 2 looping `GET /slow/?s=4`; deploys and "
          "converges: the same fast load plus 2 looping `GET /slow/?s=10`, from 2 s before the playbook to 3 s after. "
          "Failed = not 200 or no answer. Made by `bench/faults.py` (fault injection: `molecule/shared/files/faults.py`)."
          % (len(rounds), C.IMAGE), ""]
    for fault in data["faults"]:
        runs = [r[fault] for r in rounds if fault in r]
        if not runs:
            continue
        cols = columns(fault)
        md += ["## %s (`%s`, %d runs)" % (TITLES[fault], fault, len(runs)), "",
               "| " + " | ".join(label for _key, label, _unit in cols) + " | guarantee held |",
               "|" + "---|" * (len(cols) + 1),
               "| " + " | ".join(spread([r.get(key) for r in runs], unit) for key, _label, unit in cols)
               + " | %d/%d |" % (sum(1 for r in runs if r.get("ok")), len(runs)), ""]
        notes = sorted({e for r in runs for e in r.get("errors", [])})
        if notes:
            md += ["Failed requests seen: " + "; ".join("`%s`" % n.replace("\n", " ")[:90] for n in notes[:4]), ""]
    loads = [x for r in rounds for f in r.values() for x in f.get("loadavg", []) if x is not None]
    md += ["Host: %s; 1-minute load average during the faults %.1f-%.1f (2 shared cores: other jobs ran too)."
           % (", ".join("%s %s" % kv for kv in sorted(data["env"].items())), min(loads or [0]), max(loads or [0])), ""]
    C.write_text(base + ".md", "\n".join(md))
    return base


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", help="comma-separated faults (default: all): " + ",".join(FAULTS))
    parser.add_argument("--name", default=NAME, help="container name (%s*)" % C.PREFIX)
    parser.add_argument("--keep", action="store_true", help="keep the container afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse a running container of that name (already deployed)")
    parser.add_argument("--outdir", default=C.RESULTS)
    args = parser.parse_args()
    if not args.name.startswith(C.PREFIX):
        parser.error("--name must start with %s" % C.PREFIX)
    chosen = args.only.split(",") if args.only else FAULTS
    unknown = [f for f in chosen if f not in FAULTS]
    if unknown:
        parser.error("unknown faults: %s" % ", ".join(unknown))
    C.require_tools()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    logdir = os.path.join(C.TMP, "faults-%s" % stamp)
    os.makedirs(logdir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="modwsgi-faults-")
    box = Box(args.name)
    wall0 = time.time()
    data = {"benchmark": "faults", "started": C.now_iso(), "faults": chosen, "rounds": [], "env": {},
            "logs": os.path.relpath(logdir, C.REPO)}
    try:
        bench = Bench(box, logdir, tmp, stamp)
        if not (args.reuse and box.exists()):
            log("fresh container %s" % args.name)
            box.start()
            rc, seconds, _out = bench.playbook("setup")
            if rc != 0:
                log("setup deploy failed (rc %d), see %s/setup.log" % (rc, logdir))
                return 2
            data["setup_s"] = round(seconds, 1)
        box.put(os.path.join(FILES, "loadgen.py"), "/opt/loadgen.py")
        data["env"] = dict(C.host_info(), apache=box.out("apache2 -v | sed -n 's/^Server version: //p'").strip(),
                           mod_wsgi=box.out("dpkg-query -W -f '${Version}' libapache2-mod-wsgi-py3").strip(),
                           git=subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=C.REPO, capture_output=True,
                                              text=True, check=False).stdout.strip())
        for number in range(1, args.rounds + 1):
            result = {}
            for fault in chosen:
                label = "%s-%d" % (fault, number)
                log("round %d/%d: %s" % (number, args.rounds, fault))
                try:
                    result[fault] = bench.run(fault, label)
                except (RuntimeError, subprocess.SubprocessError, KeyError, ValueError) as exc:
                    result[fault] = {"ok": False, "error": "%s: %s" % (type(exc).__name__, str(exc)[:500])}
                log("  %s" % json.dumps({k: v for k, v in result[fault].items() if not isinstance(v, (dict, list))}))
                time.sleep(2)
            data["rounds"].append(result)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if not args.keep:
            box.remove()
    data["wall_s"] = round(time.time() - wall0, 1)
    base = write_results(data, args.outdir, C.today())
    log("wrote %s.json and %s.md (%.0f s)" % (base, base, data["wall_s"]))
    held = all(r.get("ok") for rnd in data["rounds"] for r in rnd.values())
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())
