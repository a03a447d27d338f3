"""redeploy scenario: blue/green code deploys under load (steady fast requests + 12 requests of
10 s, longer than every mod_wsgi/Apache kill timeout), a broken release, and a rollback."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

from helpers import apache_generation, apache_parent, http, http_json, registered_pids, run_playbook

SHARED = os.path.join(os.environ.get("MOLECULE_PROJECT_DIRECTORY", "."), "molecule", "shared")
sys.path.insert(0, os.path.join(SHARED, "files"))
import faults  # noqa: E402  (fault injection shared with bench/faults.py)
PROBE = os.path.join(SHARED, "projects", "probe")
MAP = "/etc/apache2/modwsgi-colors.map"


@pytest.fixture(scope="module")
def variant_dir():
    root = tempfile.mkdtemp(prefix="modwsgi-redeploy-")
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _variant(variant_dir, version):
    dest = os.path.join(variant_dir, "v%s" % version)
    if not os.path.exists(dest):
        shutil.copytree(PROBE, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "db.sqlite3"))
        with open(os.path.join(dest, "CODE_VERSION"), "w") as handle:
            handle.write(str(version))
    return dest


def _under_load(host, action, seconds=240, slow=12):
    """Run ``action`` while the load generator runs; return (action result, requests).

    The fast requests go on until 3 s after ``action`` returned (at most ``seconds``).
    """
    stamp = int(time.time() * 1000)
    out, stop = "/tmp/load-%d.json" % stamp, "/tmp/load-%d.stop" % stamp
    start = host.run("nohup python3 /opt/loadgen.py --host www.test --seconds %d --slow %d --slow-seconds 10 "
                     "--slow-after 1 --slow-loop --out %s --stop-file %s > /tmp/loadgen.log 2>&1 &" % (seconds, slow, out, stop))
    assert start.rc == 0
    time.sleep(2.5)  # the 12 slow requests are in flight
    try:
        result = action()
    finally:
        host.run("touch %s" % stop)
    for _attempt in range(120):
        if host.file(out).exists:
            break
        time.sleep(1)
    else:
        raise AssertionError("load generator did not finish: " + host.file("/tmp/loadgen.log").content_string)
    return result, json.loads(host.file(out).content_string)["requests"]


def _flip_time(host):
    out = host.run("python3 -c 'import os, sys; print(os.stat(sys.argv[1]).st_mtime)' " + MAP)
    return float(out.stdout.strip())


def _deploy(*extra):
    return run_playbook("converge.yml", *extra)


def _assert_no_failures(requests):
    failed = [r for r in requests if r["status"] != 200]
    assert not failed, failed[:5]
    slow = [r for r in requests if r["path"].startswith("/slow/")]
    assert len(slow) >= 12 and all(r["end"] - r["start"] >= 9.5 for r in slow)
    return slow


def test_deploy_new_release_under_load(host, variant_dir):
    assert http_json(host, "/", vhost="www.test")["code_version"] == "1"
    parent, generation = apache_parent(host), apache_generation(host)
    other_pids = registered_pids(host, "other")
    assert http_json(host, "/", vhost="other.test")["pid"] in other_pids
    proc, requests = _under_load(host, lambda: _deploy("-e", "__probe=" + _variant(variant_dir, 2)))
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    slow = _assert_no_failures(requests)
    flip = _flip_time(host)
    straddling = [r for r in slow if r["start"] < flip < r["end"]]
    assert straddling, "no 10 s request was in flight at the flip"  # ... and every one of them finished
    after = [r for r in requests if r["start"] > flip + 0.05 and r["path"] == "/"]
    assert after, "no request started after the flip"
    assert all(r["code_version"] == "2" for r in after), [r for r in after if r["code_version"] != "2"][:3]
    fast = [r for r in requests if r["path"] == "/"]
    longest = max(r["end"] - r["start"] for r in fast)
    assert longest < 2.0, "a fast request stalled %.2f s" % longest
    assert apache_parent(host) == parent and apache_generation(host) == generation  # no reload, no restart
    assert registered_pids(host, "other") == other_pids  # other site untouched (one process per core by default)


@pytest.mark.parametrize("kind", sorted(faults.BROKEN_CAUSES))
def test_broken_release_is_not_activated(host, variant_dir, kind):
    """No flip, no failed request on the live color, the cause in the play output, nothing half-built."""
    before = host.file(MAP).content_string
    live = {color: host.run("readlink /srv/django/shop/%s" % color).stdout.strip() for color in ("blue", "green")}
    live_color = before.split("shop ")[-1].split()[0] if "shop " in before else "blue"
    extra = ["-e", "django_site_python_preflight=false"] if kind == "requirements" else []
    broken = faults.broken_release(os.path.join(SHARED, "projects"), variant_dir, kind)
    proc, requests = _under_load(host, lambda: _deploy("-e", "__probe=" + broken, *extra))
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "site 'shop'" in out or "site shop" in out
    assert faults.BROKEN_CAUSES[kind] in out, out[-4000:]
    _assert_no_failures(requests)
    assert host.file(MAP).content_string == before  # no flip
    assert host.run("readlink /srv/django/shop/%s" % live_color).stdout.strip() == live[live_color]
    if kind != "health":
        # A build that failed (even after the idle color was started early on the new release) leaves the
        # idle color on the release it had: the one a rollback flips to. A failed health check is the
        # activation itself: the idle color keeps the release it could not make live.
        now = {color: host.run("readlink /srv/django/shop/%s" % color).stdout.strip() for color in ("blue", "green")}
        assert now == live, (kind, live, now)
    assert http_json(host, "/", vhost="www.test")["code_version"] == "2"
    assert host.run(faults.half_built_script("/srv/django/shop")).stdout.strip() == ""


def test_rollback_flips_back_under_load(host, variant_dir):
    parent = apache_parent(host)
    # Put the good release back on the idle color first (the broken one sits there now).
    ok = _deploy("-e", "__probe=" + _variant(variant_dir, 3))
    assert ok.returncode == 0, (ok.stdout + ok.stderr)[-3000:]
    assert http_json(host, "/", vhost="www.test")["code_version"] == "3"
    proc, requests = _under_load(host, lambda: _deploy("-e", "django_site_rollback=true", "-e",
                                                       '{"django_site_rollback_sites": ["shop"]}'))
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    _assert_no_failures(requests)
    assert http_json(host, "/", vhost="www.test")["code_version"] == "2"
    assert apache_parent(host) == parent


def _collection_playbook(name, *extra):
    cmd = ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"], name] + list(extra)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)


def test_fast_rollback_playbook_flips_back_under_load(host):
    """modwsgi.django.rollback: one module run from the host's manifest, no facts, no build, no reload."""
    parent, generation = apache_parent(host), apache_generation(host)
    assert http_json(host, "/", vhost="www.test")["code_version"] == "2"   # the previous test rolled back to 2
    rollback = ("modwsgi.django.rollback", "-e", '{"modwsgi_rollback_sites": ["shop"]}')
    proc, requests = _under_load(host, lambda: _collection_playbook(*rollback))
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    _assert_no_failures(requests)
    assert http_json(host, "/", vhost="www.test")["code_version"] == "3"   # its other color
    assert out.count("TASK [") == 1 and "Gathering Facts" not in out, out[-2000:]
    assert apache_parent(host) == parent and apache_generation(host) == generation
    # every answer from the moment the map flipped comes from release 3
    flip = _flip_time(host)
    after = [r for r in requests if r["start"] > flip + 0.05 and r["path"] == "/"]
    assert after and all(r["code_version"] == "3" for r in after)
    # A site that is not deployed here: refused, nothing flipped.
    before = host.file(MAP).content_string
    bad = _collection_playbook("modwsgi.django.rollback", "-e", '{"modwsgi_rollback_sites": ["shop", "nosuch"]}')
    assert bad.returncode != 0 and "'nosuch' is not a bluegreen site deployed on this host" in bad.stdout + bad.stderr
    assert host.file(MAP).content_string == before
    # and back to 2, the state the next tests start from
    back = _collection_playbook("modwsgi.django.rollback", "-e", '{"modwsgi_rollback_sites": ["shop"]}')
    assert back.returncode == 0 and http_json(host, "/", vhost="www.test")["code_version"] == "2"


def test_settings_change_restarts_without_downtime(host):
    """A new env value reaches the live site through the idle color, like a code deploy."""
    parent = apache_parent(host)
    proc, requests = _under_load(host, lambda: _deploy("-e", "__release_label=r9"))
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    _assert_no_failures(requests)
    assert http_json(host, "/", vhost="www.test")["release"] == "r9"
    assert apache_parent(host) == parent


def test_restart_mode_site_redeploys(host, variant_dir):
    """deploy: restart: one group, SIGUSR1 + health check (slow requests are cut at graceful-timeout)."""
    before = http_json(host, "/", vhost="other.test")
    assert before["code_version"] == "1"
    proc = _deploy("-e", "__other_probe=" + _variant(variant_dir, 4))
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    after = http_json(host, "/", vhost="other.test")
    assert after["code_version"] == "4"
    assert after["pid"] != before["pid"]


def _answers(host, vhost="www.test", count=4, headers=None):
    """(status, Retry-After, process group or None) of ``count`` GETs of / through 127.0.0.1."""
    out = []
    for _index in range(count):
        status, got, body = http(host, "/", vhost=vhost, headers=headers)
        out.append((status, got.get("retry-after"), json.loads(body)["mod_wsgi_process_group"] if status == 200 else None))
    return out


# How a map can lose the site's live color: each must park the site on a 503, never on a color.
MAP_FAULTS = {
    "no line for the site": "printf '# no shop here\\nnosuch blue\\n' > %(map)s",
    "a color that does not exist": "printf 'shop purple\\n' > %(map)s",
    "empty": ": > %(map)s",
    # mod_rewrite keeps a map's entries while its mtime is unchanged (chmod alone changes only ctime)
    "unreadable": "chmod 000 %(map)s && touch %(map)s",
    "missing": "rm -f %(map)s",
}


@pytest.mark.parametrize("fault", sorted(MAP_FAULTS))
def test_a_map_without_the_live_color_answers_503_with_retry_after(host, fault):
    """The mod_wsgi guide's rule for a RewriteMap miss: a maintenance answer (503 + Retry-After), never a
    live color by default. A color pinned from 127.0.0.1 (the health checks) and the other sites still answer;
    the map put back, the live color answers again, with no reload."""
    saved = host.file(MAP).content_string
    live = saved.split("shop ")[-1].split()[0]
    assert live in ("blue", "green"), saved
    assert _answers(host) == [(200, None, "shop_" + live)] * 4
    parent, generation = apache_parent(host), apache_generation(host)
    host.run("cp %s /tmp/colors.map.saved" % MAP)
    try:
        assert host.run(MAP_FAULTS[fault] % {"map": MAP}).rc == 0
        time.sleep(0.2)
        assert _answers(host) == [(503, "5", None)] * 4, fault
        assert _answers(host, headers={"X-Modwsgi-Color": live}, count=1) == [(200, None, "shop_" + live)]
        assert _answers(host, vhost="other.test", count=1) == [(200, None, "other")]
    finally:
        assert host.run("install -m 0644 -o root -g root /tmp/colors.map.saved %s" % MAP).rc == 0
    time.sleep(0.2)
    assert host.file(MAP).content_string == saved
    assert _answers(host) == [(200, None, "shop_" + live)] * 4
    assert apache_parent(host) == parent and apache_generation(host) == generation


def test_touching_the_wsgi_scripts_restarts_no_daemon(host):
    """WSGIScriptReloading Off: a touched (or rewritten) script no longer restarts the groups that run it, so
    no request in flight is cut after shutdown-timeout (with reloading on, the 10 s requests were); new code
    goes live only through activate_release's SIGUSR1 (test_restart_mode_site_redeploys, the deploys above)."""
    colors = ("blue", "green")
    before = {"shop": dict((color, registered_pids(host, "shop", color)) for color in colors),
              "other": registered_pids(host, "other")}
    assert all(before["shop"].values()) and before["other"]

    def touch_and_ask():
        assert host.run("touch /srv/django/shop/apache/django.wsgi /srv/django/other/apache/django.wsgi").rc == 0
        time.sleep(0.5)
        answers = [http_json(host, "/", vhost=vhost)["pid"] for vhost in ("www.test", "other.test") for _index in range(3)]
        time.sleep(8)   # past shutdown-timeout (5 s): a reload the touch caused would have cut the 10 s requests
        return answers

    pids, requests = _under_load(host, touch_and_ask)
    _assert_no_failures(requests)
    after = {"shop": dict((color, registered_pids(host, "shop", color)) for color in colors),
             "other": registered_pids(host, "other")}
    assert after == before
    served = set(before["shop"]["blue"] + before["shop"]["green"] + before["other"])
    assert set(pids) <= served and set(r["pid"] for r in requests if r.get("pid")) <= served
