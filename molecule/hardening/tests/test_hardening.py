"""hardening scenario (issue 9): hardened by default, sites isolated, secrets kept, faults survived.

alpha.test (1 process x 2 threads, queue_timeout 5, request_timeout 10), beta.test and gamma.test
(restart mode, the site the fault tests break), all from the probe project with the file probe on.
Every check is a probe over HTTP through 127.0.0.1 or a process/file check inside the container.
Figures (failed requests, timings) are printed: run pytest with -s (molecule.yml sets it).
"""

import os
import re
import time

import pytest
import yaml

from helpers import (
    apache_parent,
    http,
    http_header_lines,
    http_json,
    registered_pids,
    run_playbook,
    start_loadgen,
    timed_get,
    wait_for_status,
    wait_loadgen,
)

SHARED = os.path.join(os.environ.get("MOLECULE_PROJECT_DIRECTORY", "."), "molecule", "shared")
BROKEN = os.path.join(SHARED, "projects", "broken_probe")
SCENARIO = os.path.join(os.path.dirname(__file__), "..")
with open(os.path.join(SCENARIO, "molecule.yml")) as _handle:
    _VARS = yaml.safe_load(_handle)["provisioner"]["inventory"]["group_vars"]["all"]
SITES = {site["name"]: site for site in _VARS["modwsgi_sites"]}
SECRETS = {"%s:%s" % (name, key): value for name, site in SITES.items() for key, value in site["secrets"].items()}
ALPHA = SITES["alpha"]["daemon"]
ALPHA_SHUTDOWN_TIMEOUT = 5  # the role's default shutdown_timeout (docs/dev/contract.md)
LOGS = "/var/log/apache2"


def figure(name, value):
    print("\n[hardening figure] %s: %s" % (name, value))


def _as_site(site, command):
    return "setpriv --reuid=%s --regid=%s --init-groups -- %s" % (site, site, command)


def _probe_file(host, site, path):
    """Ask site's own daemon process whether it can read path (the probe's /whoami-files/ view)."""
    return http_json(host, "/whoami-files/?path=" + path, vhost="%s.test" % site)


# ---------------------------------------------------------------- 1. baseline hardening

def test_server_header_and_error_pages_name_no_version(host):
    pages = [("alpha.test", "/", 200), ("alpha.test", "/static/probe/style.css", 200),
             ("alpha.test", "/static/no-such-file.css", 404), ("unknown.test", "/", 403)]
    for vhost, path, expected in pages:
        status, headers, body = http(host, path, vhost=vhost)
        assert status == expected, (vhost, path, status)
        assert headers["server"] == "Apache", (vhost, path, headers["server"])  # ServerTokens Prod
        if status >= 400:
            # ServerSignature Off: Apache's own error pages carry no "Apache/2.4.x (Debian) Server at ..." line.
            assert not re.search(r"Apache/\d|Server at|Debian|mod_wsgi|Python/", body), (vhost, path, body)


def test_trace_is_refused(host):
    for vhost in ("alpha.test", "unknown.test"):
        status, _unused1, body = http(host, "/", vhost=vhost, method="TRACE")
        assert status == 405, (vhost, status)
        assert "TRACE" not in body.split("</h1>")[0]  # not echoed back as a TRACE response would


def test_security_headers_on_django_page_static_file_and_error(host):
    for path in ("/", "/static/probe/style.css", "/static/no-such-file.css", "/fail/"):
        status, headers, _unused1 = http_header_lines(host, path, vhost="alpha.test")
        names = {}
        for name, value in headers:
            names.setdefault(name, []).append(value)
        assert names.get("x-content-type-options", [None])[-1] == "nosniff", (path, names)
        assert names.get("referrer-policy"), (path, names)
        assert names.get("x-frame-options"), (path, names)
    # The static file got Apache's baseline value, the Django page keeps its own (X_FRAME_OPTIONS = DENY).
    static_headers = dict(http_header_lines(host, "/static/probe/style.css", vhost="alpha.test")[1])
    assert static_headers["x-frame-options"] == "SAMEORIGIN"
    assert "DENY" in [v for n, v in http_header_lines(host, "/", vhost="alpha.test")[1] if n == "x-frame-options"]


def test_a_django_page_carries_each_security_header_once(host):
    _unused1, headers, _unused2 = http_header_lines(host, "/", vhost="alpha.test")
    for name in ("x-frame-options", "x-content-type-options", "referrer-policy"):
        values = [v for n, v in headers if n == name]
        assert len(values) == 1, (name, values)
    assert [v for n, v in headers if n == "x-frame-options"] == ["DENY"]  # the application's value wins


def test_no_directory_listing_in_a_static_dir(host):
    folder = "/srv/django/alpha/static/listing-probe"
    host.run("mkdir -p %s && echo listing-marker > %s/marker.txt && chmod 0755 %s && chmod 0644 %s/marker.txt",
             folder, folder, folder, folder)
    try:
        status, _unused1, body = http(host, "/static/listing-probe/marker.txt", vhost="alpha.test")
        assert status == 200 and "listing-marker" in body  # the directory itself is served...
        for path in ("/static/listing-probe/", "/static/listing-probe", "/static/"):
            status, _unused1, body = http(host, path, vhost="alpha.test")
            assert status in (301, 403, 404), (path, status)  # ...but never listed
            assert "marker.txt" not in body and "Index of" not in body, (path, body[:300])
            if status == 301:
                status, _unused1, body = http(host, path + "/", vhost="alpha.test")
                assert status in (403, 404) and "Index of" not in body, (path, status)
    finally:
        host.run("rm -rf %s", folder)


def test_server_status_is_not_served(host):
    for vhost in ("alpha.test", "localhost", "unknown.test"):
        for path in ("/server-status", "/server-status?auto", "/server-info"):
            status, _unused1, body = http(host, path, vhost=vhost)
            assert status in (403, 404), (vhost, path, status)
            assert "Apache Server Status" not in body and "Server Version" not in body


def test_autoindex_status_cgi_modules_not_loaded(host):
    out = host.run("apache2ctl -M")
    assert out.rc == 0, out.stderr
    loaded = {line.split()[0] for line in out.stdout.splitlines() if line.strip().endswith(")")}
    assert "wsgi_module" in loaded and "headers_module" in loaded, loaded  # the listing is real
    forbidden = {"autoindex_module", "status_module", "cgi_module", "cgid_module", "userdir_module", "info_module"}
    assert not loaded & forbidden, loaded & forbidden


def test_filesystem_root_is_denied_on_the_default_vhost(host):
    # /var/www/html/index.html exists on disk (Debian's apache2.conf grants /var/www): still refused.
    assert host.file("/var/www/html/index.html").exists
    for vhost in ("unknown.test", "localhost"):
        for path in ("/", "/index.html", "/etc/passwd", "/srv/django/alpha/conf/site.json", "/nowhere/at/all"):
            status, _unused1, body = http(host, path, vhost=vhost)
            assert status == 403, (vhost, path, status)
            assert "root:" not in body and "Apache2 Debian Default Page" not in body


def test_log_files_are_not_world_readable(host):
    modes = {path: host.file(path).mode for path in host.run("ls %s/*.log", LOGS).stdout.split()}
    assert any("modwsgi-alpha.test" in p for p in modes), modes
    readable = {p: oct(m) for p, m in modes.items() if m & 0o004}
    assert not readable, readable


def test_site_processes_cannot_read_the_logs(host):
    # Defence in depth: /var/log/apache2 is 0750 root:adm, so no site process
    # (nor any other unprivileged user) reaches the files, whatever their own mode.
    assert oct(host.file(LOGS).mode) == "0o750" and host.file(LOGS).group == "adm"
    for path in host.run("ls %s/*.log", LOGS).stdout.split():
        data = _probe_file(host, "alpha", path)
        assert data["readable"] is False, data


# ---------------------------------------------------------------- 2. isolation, seen from the site processes

def test_sites_cannot_read_each_other(host):
    beta_release = host.run("readlink -f /srv/django/beta/current").stdout.strip()
    assert beta_release.startswith("/srv/django/beta/releases/")
    denied = ["/srv/django/beta/conf/site.json", "/srv/django/beta/conf/", beta_release,
              beta_release + "/probe/settings.py", "/srv/django/beta/current/", "/srv/django/beta/venvs",
              "/srv/django/beta/media", "/srv/django/beta/data/db.sqlite3", "/srv/django/beta/run"]
    for path in denied:
        data = _probe_file(host, "alpha", path)
        assert data["readable"] is False, data
    for path in ("/srv/django/alpha/conf/site.json", "/srv/django/gamma/media"):
        data = _probe_file(host, "beta", path)
        assert data["readable"] is (path.startswith("/srv/django/beta")), data
    # The probe does see what a site may read: its own settings file, its media, its code.
    for path in ("/srv/django/alpha/conf/site.json", "/srv/django/alpha/media", "/srv/django/alpha/current/manage.py"):
        data = _probe_file(host, "alpha", path)
        assert data["readable"] is True, data
    assert http_json(host, "/", vhost="alpha.test")["user"] == "alpha"
    assert http_json(host, "/", vhost="beta.test")["user"] == "beta"


def test_site_user_cannot_write_code_or_venv_but_can_write_media(host):
    venv = host.run("readlink -f /srv/django/alpha/current/.modwsgi-venv").stdout.strip()
    assert venv.startswith("/srv/django/alpha/venvs/")
    for target in ("/srv/django/alpha/current/x", "/srv/django/alpha/current/probe/x.py",
                   venv + "/x", venv + "/bin/x", "/srv/django/alpha/conf/x", "/srv/django/alpha/apache/x",
                   "/srv/django/alpha/bin/x", "/srv/django/beta/media/x"):
        out = host.run(_as_site("alpha", "touch " + target))
        assert out.rc != 0, target
        assert not host.file(target).exists, target
    media = "/srv/django/alpha/media/written-by-alpha"
    out = host.run(_as_site("alpha", "touch " + media))
    assert out.rc == 0, out.stderr
    assert host.file(media).user == "alpha"
    host.run("rm -f %s", media)


def test_site_user_cannot_rewrite_the_static_files_apache_serves(host):
    target = "/srv/django/alpha/static/probe/style.css"
    assert host.file(target).exists
    out = host.run(_as_site("alpha", "sh -c 'echo defaced >> %s'" % target))
    created = host.run(_as_site("alpha", "touch /srv/django/alpha/static/planted.js"))
    host.run("rm -f /srv/django/alpha/static/planted.js")
    if out.rc == 0:
        host.run("sed -i '/^defaced$/d' %s", target)
    assert out.rc != 0 and created.rc != 0, (out.rc, created.rc)


# ---------------------------------------------------------------- 3./4. secrets and check --deploy

@pytest.fixture(scope="module")
def verbose_run(host):
    """Converge again with -vvv --diff after forcing the secret-bearing steps to run again.

    alpha's site.json is removed (so the env file is written, with a diff if one were shown), alpha's
    vhost file too (so the rendered Apache config is written and shown as a diff), and every site's
    check --deploy marker is dropped (so the check runs and prints its findings in this run).
    """
    host.run("rm -f /srv/django/alpha/conf/site.json /etc/apache2/sites-available/modwsgi-alpha.test.conf "
             "/srv/django/*/current/.modwsgi-checked")
    start = time.time()
    proc = run_playbook("converge.yml", "-vvv", "--diff")
    figure("converge -vvv --diff", "%.1f s, rc %s, %d bytes of output"
           % (time.time() - start, proc.returncode, len(proc.stdout) + len(proc.stderr)))
    return proc


def _no_secret_in(text):
    found = sorted(name for name, value in SECRETS.items() if value in text)
    assert not found, "secret values printed: %s" % found


def test_verbose_diff_converge_prints_no_secret(host, verbose_run):
    out = verbose_run.stdout + verbose_run.stderr
    assert verbose_run.returncode == 0, out[-3000:]
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in out, out[-2000:]  # validate_sites masked what it echoed
    assert "censored" in out, out[-2000:]  # the env file task is no_log
    assert "WSGIDaemonProcess alpha_blue" in out, out[-2000:]  # the vhost diff was printed, and scanned
    _no_secret_in(out)
    # The run did write the env file again, with the secrets in it (so the scan above covered that write).
    assert host.file("/srv/django/alpha/conf/site.json").exists
    content = host.file("/srv/django/alpha/conf/site.json").content_string
    assert SITES["alpha"]["secrets"]["DJANGO_SECRET_KEY"] in content


def test_no_secret_in_apache_config_logs_or_leftovers(host, verbose_run):
    for name, value in SECRETS.items():
        out = host.run("grep -rlF -- %s /etc/apache2 /var/log /tmp /root/.ansible /srv/django/%s/cache",
                       value, name.split(":")[0])
        assert out.stdout.strip() == "", "%s found in %s" % (name, out.stdout)
        assert out.rc in (1, 2), out.stderr  # 1: not found (2: a listed dir does not exist)


def test_env_file_mode_and_owner(host, verbose_run):
    for name in SITES:
        conf = host.file("/srv/django/%s/conf" % name)
        assert (conf.user, conf.group, oct(conf.mode)) == ("root", name, "0o750"), name
        site_json = host.file("/srv/django/%s/conf/site.json" % name)
        assert (site_json.user, site_json.group, oct(site_json.mode)) == ("root", name, "0o640"), name
        # The other sites' users cannot read it (checked as those users, not from the mode bits).
        for other in SITES:
            out = host.run(_as_site(other, "cat /srv/django/%s/conf/site.json" % name))
            assert (out.rc == 0) == (other == name), (other, name)


def test_check_deploy_ran_per_site_in_the_converge(host, verbose_run):
    out = verbose_run.stdout
    sections = out.split("TASK [modwsgi.django.django_site : Django_site | ")
    for name in SITES:
        # build_release runs every management step of the new release (its result lists them in "ran")
        ran = [s for s in sections if s.startswith("Unpack, virtualenv and management steps on the new release | %s]" % name)]
        assert ran and "changed: [" in ran[0] and '"check --deploy"' in ran[0], (name, ran[:1])
        shown = [s for s in sections if s.startswith("check --deploy findings | %s]" % name)]
        assert shown, name
        assert "System check identified" in shown[0] and "security.W0" in shown[0], shown[0][:2000]
        assert host.file("/srv/django/%s/current/.modwsgi-checked" % name).exists


def test_check_deploy_runs_as_the_site_user(host):
    out = host.run(_as_site("alpha", "/srv/django/alpha/bin/manage check --deploy"))
    figure("alpha manage.py check --deploy", (out.stdout + out.stderr).strip().splitlines()[-1])
    assert out.rc == 0, out.stderr
    assert "System check identified" in out.stdout + out.stderr
    assert re.search(r"security\.W0(04|08|12|16)", out.stderr), out.stderr
    assert not re.search(r"security\.W0(09|18|20)", out.stderr), out.stderr  # key strong, DEBUG off, hosts set


# ---------------------------------------------------------------- 5. faults

def _live_alpha_pid(host):
    data = http_json(host, "/", vhost="alpha.test")
    group = data["mod_wsgi_process_group"]
    assert group in ("alpha_blue", "alpha_green"), group
    pids = registered_pids(host, "alpha", group.split("_")[1])
    assert data["pid"] in pids, (data["pid"], pids)
    return data["pid"], group


def test_fault_kill_9_of_a_daemon_under_load(host):
    pid, group = _live_alpha_pid(host)
    out = "/tmp/fault-kill.json"
    start_loadgen(host, "alpha.test", out, seconds=10, threads=4)
    time.sleep(3)
    killed = host.run("date +%s.%N && kill -9 " + str(pid))
    assert killed.rc == 0, killed.stderr
    kill_at = float(killed.stdout.split()[0])
    requests = wait_loadgen(host, out)
    failed = [r for r in requests if r["status"] != 200]
    before = [r for r in requests if r["end"] < kill_at]
    after = [r for r in requests if r["start"] > kill_at]
    ok_after = [r for r in after if r["status"] == 200]
    assert before and ok_after, "no requests around the kill"
    recovered = min(r["end"] for r in ok_after) - kill_at
    worst = max(r["end"] - r["start"] for r in requests)
    figure("kill -9 %s (%s) under load" % (pid, group),
           "%d requests, %d failed (%d cut in flight, %d queue timeouts), first success after the kill "
           "at +%.2f s, slowest request %.2f s"
           % (len(requests), len(failed), len([r for r in failed if r["status"] != 504]),
              len([r for r in failed if r["status"] == 504]), recovered, worst))
    assert host.run("test -d /proc/%s", str(pid)).rc != 0, "pid %s still alive" % pid
    # Only the requests inside the killed process may be lost (500: truncated response): at most its
    # thread count. The ones queued meanwhile wait for the new process; on a loaded machine whose restart
    # takes longer than queue_timeout they get 504 (queue timeout), and only those queued before it served.
    killed_in_flight = [r for r in failed if r["status"] != 504]
    queued = [r for r in failed if r["status"] == 504]
    assert len(killed_in_flight) <= ALPHA["threads"], killed_in_flight[:5]
    assert all(r["start"] < kill_at + 0.5 for r in killed_in_flight), killed_in_flight[:5]
    assert all(r["start"] < kill_at + recovered for r in queued), queued[:5]
    assert recovered < 15, recovered
    new_pid, new_group = _live_alpha_pid(host)
    assert new_pid != pid and new_group == group
    statuses = [timed_get(host, "/minimal/", "alpha.test")[0] for _unused1 in range(20)]
    assert statuses == [200] * 20, statuses


SATURATE = r"""
set -u
rm -f /tmp/sat-*
for i in $(seq 1 {n}); do
  curl -s -o /dev/null -m 45 -w '%{{http_code}} %{{time_total}}\n' --resolve alpha.test:80:127.0.0.1 \
       'http://alpha.test/slow/?s=30' > /tmp/sat-slow-$i &
done
sleep 1.5
curl -s -o /dev/null -m 45 -w '%{{http_code}} %{{time_total}}\n' --resolve alpha.test:80:127.0.0.1 \
     'http://alpha.test/minimal/' > /tmp/sat-alpha &
probe=$!
while kill -0 $probe 2>/dev/null; do
  curl -s -o /dev/null -m 10 -w '%{{http_code}} %{{time_total}}\n' --resolve beta.test:80:127.0.0.1 \
       'http://beta.test/minimal/' >> /tmp/sat-beta
  sleep 0.5
done
wait
cat /tmp/sat-alpha; echo --; cat /tmp/sat-beta; echo --; cat /tmp/sat-slow-*
"""


def test_fault_saturated_daemon_fails_fast_and_other_site_serves(host):
    n = 3 * ALPHA["threads"]  # 2 busy threads + 4 queued behind them (processes: 1)
    start = time.time()
    out = host.run("bash -c %s", SATURATE.format(n=n))
    assert out.rc == 0, out.stderr
    alpha, beta, slow = out.stdout.split("--\n")
    alpha_status, alpha_time = alpha.split()
    alpha_status, alpha_time = int(alpha_status), float(alpha_time)
    beta = [(int(s), float(t)) for s, t in (line.split() for line in beta.split("\n") if line.strip())]
    slow = [(int(s), float(t)) for s, t in (line.split() for line in slow.split("\n") if line.strip())]
    figure("saturated alpha (%d x /slow/?s=30 on %d threads)" % (n, ALPHA["threads"]),
           "new request -> %d in %.2f s; slow ones %s; beta meanwhile %d/%d ok, slowest %.3f s; %.1f s in all"
           % (alpha_status, alpha_time, slow, sum(1 for s, _unused1 in beta if s == 200), len(beta),
              max(t for _unused1, t in beta), time.time() - start))
    # Fails fast instead of hanging: without request_timeout/queue_timeout the new request would wait for
    # three rounds of 30 s requests. mod_wsgi checks queue-timeout only when a daemon thread takes the
    # request, so while every thread is stuck the bound is request-timeout + shutdown-timeout + a restart.
    assert alpha_status in (500, 503, 504), alpha_status
    assert alpha_time < ALPHA["request_timeout"] + ALPHA_SHUTDOWN_TIMEOUT + 8, alpha_time
    assert len(slow) == n and all(s in (500, 503, 504) and t < 30 for s, t in slow), slow  # cut, not finished
    assert len(beta) >= 5 and all(s == 200 for s, _unused1 in beta), beta
    assert max(t for _unused1, t in beta) < 2.0, beta
    waited, seen = wait_for_status(host, "/minimal/", "alpha.test", timeout=30)
    figure("alpha serving again after the saturation", "%.1f s (%s)" % (waited, seen))


def _daemon_pids(host):
    """Every daemon pid of every site (both colors of bluegreen sites)."""
    return {name: sorted(registered_pids(host, name, "blue") + registered_pids(host, name, "green") + registered_pids(host, name))
            for name in SITES}


def test_fault_broken_release_of_one_site_is_not_activated(host):
    before = _daemon_pids(host)
    assert all(before.values()), before
    gamma_release = host.run("readlink -f /srv/django/gamma/current").stdout.strip()
    start = time.time()
    proc = run_playbook("converge.yml", "-e", "__gamma_src=" + BROKEN)
    out = proc.stdout + proc.stderr
    figure("converge with a broken gamma release", "%.1f s, rc %s" % (time.time() - start, proc.returncode))
    assert proc.returncode != 0, out[-3000:]
    failures = re.findall(r"site '(\w+)', step '([\w -]+?)' failed", out)
    assert failures and {site for site, _unused1 in failures} == {"gamma"}, (failures, out[-3000:])
    assert "ModuleNotFoundError" in out or "probe_missing_dependency" in out, out[-3000:]
    _no_secret_in(out)
    assert host.run("readlink -f /srv/django/gamma/current").stdout.strip() == gamma_release
    assert _daemon_pids(host) == before  # nobody restarted, gamma still runs its old release
    assert http_json(host, "/healthz/", vhost="gamma.test")["status"] == "ok"


def test_fault_import_error_in_one_site_leaves_the_others_serving(host):
    settings = "/srv/django/gamma/conf/_modwsgi_settings.py"
    original = host.file(settings).content_string
    assert host.run("cp -p %s /root/gamma-settings.bak", settings).rc == 0
    error_log = "%s/modwsgi-gamma.test-error.log" % LOGS
    mark = int(host.run("wc -l < %s", error_log).stdout.strip() or 0)
    try:
        host.run("echo 'raise ImportError(\"boom\")' >> %s", settings)
        pids = registered_pids(host, "gamma")
        assert pids
        host.run("kill -USR1 %s" % " ".join(map(str, pids)))
        waited, seen = wait_for_status(host, "/", "gamma.test", statuses=(500,), timeout=40)
        statuses = {name: [timed_get(host, "/minimal/", "%s.test" % name)[0] for _unused1 in range(5)] for name in SITES}
        figure("gamma settings raise ImportError", "gamma 500 after %.1f s (%s); then %s" % (waited, seen, statuses))
        assert statuses == {"alpha": [200] * 5, "beta": [200] * 5, "gamma": [500] * 5}, statuses
        new_lines = host.run("tail -n +%s %s", str(mark + 1), error_log).stdout
        assert "ImportError: boom" in new_lines, new_lines[-2000:]
    finally:
        host.run("cp -p /root/gamma-settings.bak %s", settings)
        host.run("kill -USR1 %s" % " ".join(map(str, registered_pids(host, "gamma"))))
    waited, seen = wait_for_status(host, "/", "gamma.test", timeout=60)
    figure("gamma restored", "200 after %.1f s (%s)" % (waited, seen))
    restored = host.file(settings)
    assert restored.content_string == original
    assert (restored.user, restored.group, oct(restored.mode)) == ("root", "gamma", "0o640")


def test_fault_restart_with_a_site_whose_venv_is_gone(host):
    parent = apache_parent(host)
    error_log = "%s/modwsgi-gamma.test-error.log" % LOGS
    marks = {log: int(host.run("wc -l < %s", log).stdout.strip() or 0) for log in (error_log, LOGS + "/error.log")}
    assert host.run("mv /srv/django/gamma/venvs /srv/django/gamma/venvs.gone").rc == 0
    try:
        graceful = host.run("apache2ctl graceful")
        assert graceful.rc == 0, graceful.stderr
        recovered = {name: wait_for_status(host, "/minimal/", "%s.test" % name, timeout=40)
                     for name in ("alpha", "beta")}
        gamma_status, gamma_time = timed_get(host, "/minimal/", "gamma.test")
        statuses = {name: [timed_get(host, "/minimal/", "%s.test" % name)[0] for _unused1 in range(10)]
                    for name in ("alpha", "beta")}
        figure("graceful with gamma's venv gone",
               "alpha/beta serving %s; gamma -> %d in %.2f s; then %s"
               % ({n: (round(w, 1), s) for n, (w, s) in recovered.items()}, gamma_status, gamma_time, statuses))
        assert apache_parent(host) == parent and host.run("kill -0 %s", parent[0]).rc == 0  # Apache stayed up
        assert 500 <= gamma_status < 600, gamma_status
        assert statuses == {"alpha": [200] * 10, "beta": [200] * 10}, statuses
        vhost_lines = host.run("tail -n +%s %s", str(marks[error_log] + 1), error_log).stdout
        main_lines = host.run("tail -n +%s %s/error.log", str(marks[LOGS + "/error.log"] + 1), LOGS).stdout
        assert "daemon process 'gamma'" in vhost_lines, vhost_lines[-2000:]
        assert "Unable to stat Python home /srv/django/gamma/" in main_lines, main_lines[-2000:]
    finally:
        host.run("mv /srv/django/gamma/venvs.gone /srv/django/gamma/venvs && apache2ctl graceful")
    waited, seen = wait_for_status(host, "/minimal/", "gamma.test", timeout=90)
    figure("gamma restored after the venv came back", "200 after %.1f s (%s)" % (waited, seen))
    for name in SITES:
        assert http_json(host, "/healthz/", vhost="%s.test" % name)["status"] == "ok"
