"""fleet scenario: a serial: 1 rollout over 3 web hosts behind HAProxy under a bounded load
(steady paced requests + 10 s requests), migrate once on a shared PostgreSQL, an Apache configuration
change rolled with the drain hooks of examples/fleet, a release that fails its health check on host 2,
and the documented rollback of host 1.

The load runs on fleet-lb against HAProxy at 127.0.0.1:80; figures are printed (run with -s)."""

import datetime
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

import pytest
import testinfra

testinfra_hosts = ["ansible://fleet-lb"]

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(os.environ.get("MOLECULE_PROJECT_DIRECTORY", "."), "molecule", "shared")
PROBE = os.path.join(SHARED, "projects", "probe")
CONVERGE = os.path.join(HERE, "..", "converge.yml")
MAP = "/etc/apache2/modwsgi-colors.map"
WEB = ["fleet-web1", "fleet-web2", "fleet-web3"]
ROLLBACK_CMD = "ansible-playbook modwsgi.django.rollback -i INVENTORY --limit fleet-web1"


@pytest.fixture(scope="module")
def webs():
    inventory = os.environ["MOLECULE_INVENTORY_FILE"]
    return {name: testinfra.get_host("ansible://%s?ansible_inventory=%s" % (name, inventory)) for name in WEB}


@pytest.fixture(scope="module")
def variant_dir():
    root = tempfile.mkdtemp(prefix="modwsgi-fleet-")
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _variant(variant_dir, version, unhealthy=False):
    """A copy of probe answering code_version ``version``; ``unhealthy``: its DB is unreachable,
    so /healthz/ answers 503 (settings import, collectstatic and check still pass)."""
    dest = os.path.join(variant_dir, "v%s%s" % (version, "-unhealthy" if unhealthy else ""))
    if not os.path.exists(dest):
        shutil.copytree(PROBE, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "db.sqlite3"))
        with open(os.path.join(dest, "CODE_VERSION"), "w") as handle:
            handle.write(str(version))
        if unhealthy:
            with open(os.path.join(dest, "probe", "settings.py"), "a") as handle:
                handle.write('\nDATABASES["default"].update({"HOST": "127.0.0.1", "PORT": "9"})\n')
    return dest


def _rollout(*extra):
    cmd = ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"], CONVERGE, "-e", "modwsgi_serial=1"]
    return subprocess.run(cmd + list(extra), capture_output=True, text=True, timeout=900, check=False)


def _under_load(lb, action, seconds=290, slow=6, states=False):
    """Run ``action`` while the load runs through HAProxy; return (result, requests, t0, states).

    The fast load is paced (4 threads, one request per 20 ms each): enough to see every host serve,
    without starving the deploys of the 2 cores. ``states``: sample HAProxy's server states too."""
    stamp = int(time.time() * 1000)
    out, stop = "/tmp/load-%d.json" % stamp, "/tmp/load-%d.stop" % stamp
    sampled = "/tmp/states-%d.jsonl" % stamp
    start = lb.run("nohup python3 /opt/loadgen.py --host www.test --seconds %d --threads 4 --interval 0.02 --slow %d "
                   "--slow-seconds 10 --slow-after 1 --slow-loop --max-requests 100000 --out %s --stop-file %s "
                   "> /tmp/loadgen.log 2>&1 &" % (seconds, slow, out, stop))
    assert start.rc == 0
    if states:
        assert lb.run("nohup python3 /opt/haproxy_states.py --seconds %d --stop-file %s --out %s > /tmp/states.log 2>&1 &"
                      % (seconds, stop, sampled)).rc == 0
    time.sleep(2.5)  # the slow requests are in flight
    t0 = time.time()
    try:
        result = action()
    finally:
        lb.run("touch %s" % stop)
    for _attempt in range(120):
        if lb.file(out).exists and (not states or lb.file(sampled).exists):
            break
        time.sleep(1)
    else:
        raise AssertionError("load generator did not finish: " + lb.file("/tmp/loadgen.log").content_string)
    samples = [json.loads(line) for line in lb.file(sampled).content_string.splitlines()] if states else []
    return result, json.loads(lb.file(out).content_string)["requests"], t0, samples


def _served_by(requests, node):
    return sorted(r["start"] for r in requests if r["path"] == "/" and r["status"] == 200 and r.get("node") == node)


def _graceful_restarts(web, since):
    """Times of the graceful restarts in the host's Apache error log after ``since``."""
    found = []
    for line in web.run("grep -h 'Doing graceful restart' /var/log/apache2/error.log").stdout.splitlines():
        match = re.match(r"\[(\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2}\.\d+ \d{4})\]", line)
        if match:
            when = datetime.datetime.strptime(match.group(1), "%a %b %d %H:%M:%S.%f %Y")
            stamp = when.replace(tzinfo=datetime.timezone.utc).timestamp()
            if stamp >= since:
                found.append(stamp)
    return found


def _state_at(samples, name, when):
    """HAProxy's status of server ``name`` in the sample closest to ``when``."""
    best = min(samples, key=lambda sample: abs(sample["t"] - when))
    assert abs(best["t"] - when) < 2, "no HAProxy sample near %s" % when
    return best["servers"].get(name)


def _haproxy(lb, command):
    return lb.check_output("echo '%s' | socat stdio unix-connect:/run/haproxy/admin.sock" % command)


def _statuses(lb):
    lines = _haproxy(lb, "show stat web 4 -1").splitlines()
    header = lines[0].lstrip("# ").split(",")
    return {row[1]: row[header.index("status")] for row in (line.split(",") for line in lines[1:] if line)}


def _figures(requests):
    failed = [r for r in requests if r["status"] != 200]
    fast = [r["end"] - r["start"] for r in requests if r["path"] == "/"]
    slow = [r["end"] - r["start"] for r in requests if r["path"].startswith("/slow/")]
    return {"requests": len(requests), "failed": len(failed), "fast": len(fast),
            "fast_max_s": round(max(fast), 3) if fast else None, "slow": len(slow),
            "slow_min_s": round(min(slow), 2) if slow else None, "slow_max_s": round(max(slow), 2) if slow else None,
            "first_failures": failed[:5]}


def _flip_time(web):
    out = web.run("python3 -c 'import os, sys; print(os.stat(sys.argv[1]).st_mtime)' " + MAP)
    return float(out.stdout.strip())


def _code_version(web):
    out = web.check_output("curl -fsS -H 'Host: www.test' http://127.0.0.1/")
    return json.loads(out)["code_version"]


def _migrated_markers(web):
    return web.run("find /srv/django/shop -name .modwsgi-migrated").stdout.split()


def _report(title, figures, flips=None):
    print("\n[fleet] %s: %s" % (title, json.dumps({k: v for k, v in figures.items() if k != "first_failures"})))
    for name, offset in (flips or {}).items():
        print("[fleet]   %s switched at +%.1f s" % (name, offset))


def test_first_deploy_is_live_everywhere(host, webs):
    for name, web in webs.items():  # no ss/netstat in the image: ask each host's Apache directly
        answer = json.loads(web.check_output("curl -fsS -H 'Host: www.test' http://127.0.0.1/"))
        assert answer["node"] == name and answer["code_version"] == "1", answer
    # migrate ran on fleet-web1 only; the others share its database
    assert _migrated_markers(webs["fleet-web1"])
    assert not _migrated_markers(webs["fleet-web2"]) and not _migrated_markers(webs["fleet-web3"])
    served = json.loads(host.check_output("curl -fsS -H 'Host: www.test' http://127.0.0.1/healthz/"))
    assert served["status"] == "ok"
    assert set(_statuses(host).values()) == {"UP"}, _statuses(host)


def test_rolling_deploy_under_load(host, webs, variant_dir):
    before = {name: _flip_time(web) for name, web in webs.items()}
    proc, requests, t0, _samples = _under_load(host, lambda: _rollout("-e", "__probe=" + _variant(variant_dir, 2)))
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    figures = _figures(requests)
    flips = {name: _flip_time(web) for name, web in webs.items()}
    _report("rolling deploy (serial 1)", figures, {n: t - t0 for n, t in flips.items()})
    assert figures["failed"] == 0, figures["first_failures"]
    assert figures["slow"] >= 6 and figures["slow_min_s"] >= 9.5
    assert all(flips[n] > before[n] for n in WEB)
    assert flips["fleet-web1"] < flips["fleet-web2"] < flips["fleet-web3"]  # one host at a time
    for name, web in webs.items():
        assert _code_version(web) == "2", name
        # through the balancer: this host answered the old code until its own flip, the new one after
        served = [r for r in requests if r["path"] == "/" and r.get("node") == name]
        assert any(r["end"] < flips[name] and r["code_version"] == "1" for r in served), name
        assert not any(r["start"] > flips[name] + 1 and r["code_version"] != "2" for r in served), name
    # while web1 served the new release, web3 still served the old one: the fleet ran both side by side
    assert any(r.get("node") == "fleet-web3" and r["code_version"] == "1" and r["start"] > flips["fleet-web1"] + 1
               for r in requests if r["path"] == "/")
    assert len(_migrated_markers(webs["fleet-web1"])) == 2  # migrated the new release
    assert not _migrated_markers(webs["fleet-web2"]) and not _migrated_markers(webs["fleet-web3"])


def test_config_change_drains_each_host_around_its_reload(host, webs, variant_dir):
    """A new server alias (same code) reloads Apache on every host; the drain hooks of examples/fleet
    take each host out of HAProxy first and put it back once its sites are healthy."""
    since = time.time()
    proc, requests, _t0, samples = _under_load(host, lambda: _rollout(
        "-e", "__probe=" + _variant(variant_dir, 2), "-e", "__fleet_drain=true",
        "-e", '{"__fleet_aliases": ["shop.test"]}'), slow=2, states=True)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    figures = _figures(requests)
    _report("configuration change with drain", figures)
    assert figures["failed"] == 0, figures["first_failures"]
    assert "Drain this host from HAProxy" in out and "Put this host back into HAProxy" in out
    for name, web in webs.items():
        assert _code_version(web) == "2", name  # a configuration change only
        assert web.run("curl -fsS -o /dev/null -H 'Host: shop.test' http://127.0.0.1/").rc == 0, name
        restarts = _graceful_restarts(web, since)
        assert restarts, "%s: no graceful restart in its error log" % name
        served = _served_by(requests, name)
        for when in restarts:
            assert _state_at(samples, name, when) == "DRAIN", (name, when)
            assert not [t for t in served if when - 0.5 <= t <= when + 0.5], (name, when)
        assert [t for t in served if t < min(restarts)] and [t for t in served if t > max(restarts)], name
    assert set(_statuses(host).values()) == {"UP"}, _statuses(host)


def test_failing_release_on_host2_stops_the_rollout(host, webs, variant_dir):
    before = {name: webs[name].file(MAP).content_string for name in WEB}
    proc, requests, _t0, _samples = _under_load(host, lambda: _rollout(
        "-e", "__fleet_drain=true", "-e", '{"__fleet_aliases": ["shop.test"]}',
        "-e", "__probe=" + _variant(variant_dir, 3), "-e", "__fleet_web2_src=" + _variant(variant_dir, 3, True)))
    out = proc.stdout + proc.stderr
    figures = _figures(requests)
    _report("failing release on fleet-web2", figures)
    assert proc.returncode != 0
    assert "Hosts that already serve the new release: fleet-web1" in out, out[-3000:]
    assert ROLLBACK_CMD in " ".join(out.split()), out[-3000:]
    assert "Not touched: fleet-web3" in out
    assert figures["failed"] == 0, figures["first_failures"]
    assert _code_version(webs["fleet-web1"]) == "3"
    assert _code_version(webs["fleet-web2"]) == "2" and _code_version(webs["fleet-web3"]) == "2"
    assert webs["fleet-web2"].file(MAP).content_string == before["fleet-web2"]
    assert webs["fleet-web3"].file(MAP).content_string == before["fleet-web3"]
    # the failed host stays out of the balancer until it is fixed; the others serve
    assert _statuses(host) == {"fleet-web1": "UP", "fleet-web2": "DRAIN", "fleet-web3": "UP"}


def test_documented_rollback_of_host1(host, webs):
    # the command the stopped rollout printed: the fast path, one module run on the host
    cmd = ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"], "modwsgi.django.rollback", "--limit", "fleet-web1"]
    proc, requests, _t0, _samples = _under_load(host, lambda: subprocess.run(cmd, capture_output=True, text=True, timeout=600,
                                                                             check=False), slow=2)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    figures = _figures(requests)
    _report("rollback of fleet-web1", figures)
    assert figures["failed"] == 0, figures["first_failures"]
    for name, web in webs.items():
        assert _code_version(web) == "2", name
    _haproxy(host, "set server web/fleet-web2 state ready")
    for _attempt in range(30):
        if set(_statuses(host).values()) == {"UP"}:
            break
        time.sleep(1)
    assert set(_statuses(host).values()) == {"UP"}, _statuses(host)
