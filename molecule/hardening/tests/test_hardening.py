"""hardening scenario (issue 9): hardened by default, sites isolated, secrets kept, faults survived.

alpha.test (1 process x 2 threads, queue_timeout 5, request_timeout 10), beta.test and gamma.test
(restart mode, the site the fault tests break), all from the probe project with the file probe on.
Every check is a probe over HTTP through 127.0.0.1 or a process/file check inside the container.
Figures (failed requests, timings) are printed: run pytest with -s (molecule.yml sets it).
"""

import json
import os
import re
import sys
import time

import pytest
import yaml

from helpers import (
    apache_generation,
    apache_parent,
    http,
    http_header_lines,
    http_json,
    leaked_secrets,
    registered_pids,
    run_playbook,
    start_cmdline_sampler,
    start_loadgen,
    stop_cmdline_sampler,
    timed_get,
    verified_checks,
    verify_report,
    wait_for_status,
    wait_loadgen,
)

SHARED = os.path.join(os.environ.get("MOLECULE_PROJECT_DIRECTORY", "."), "molecule", "shared")
BROKEN = os.path.join(SHARED, "projects", "broken_probe")
sys.path.insert(0, os.path.join(SHARED, "files"))
import faults  # noqa: E402  (fault injection shared with bench/faults.py)
import loadgen  # noqa: E402  (the load generator's own analysis: fault_figures, phase_figures)
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


def test_collection_verify_passes_and_fails_on_code_linked_under_the_document_root(host):
    """modwsgi.django.verify (as a user's CI would run it): no listing, static/media by Apache, daemons
    as their users...; a symlink to a site's code under the DocumentRoot fails its exposed check."""
    proc, report = verify_report()
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    [name] = report
    checks = verified_checks(report, name)
    for site in SITES:
        for check in ("mount", "static", "media", "listing", "daemon", "exposed"):
            assert [item["status"] for item in checks[(site, check)]] == ["ok"] * len(checks[(site, check)]), (site, check)
    assert len(checks[("alpha", "listing")]) == 2  # static and media, each with a directory inside
    link = "/var/www/html/alpha-code"
    assert host.run("ln -sfn /srv/django/alpha/current %s", link).rc == 0
    try:
        proc, report = verify_report()
    finally:
        host.run("rm -f %s", link)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-3000:]
    checks = verified_checks(report, name)
    [exposed] = checks[("alpha", "exposed")]
    assert exposed["status"] == "failed" and link in exposed["detail"], exposed
    assert "site 'alpha', check exposed: " in out and link in out
    assert report[name]["summary"]["failed"] == 1, report[name]["failures"]  # nothing else failed
    _no_secret_in(out)


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


# ---------------------------------------------------------------- 1b. dev-sec apache-baseline
#
# The controls of https://github.com/dev-sec/apache-baseline that apply to this collection, as checks
# of the running host (the dev-sec ids in the test names). Not applied, and why (docs/operations.md,
# "Hardening: the dev-sec apache-baseline"):
# - apache-02 (service enabled at boot): containers have no init system to enable it in.
# - apache-04/05 for Debian's own files (apache2.conf, envvars, mods-available/*, the directories):
#   Debian ships them root:root 0644/0755 and dpkg puts that mode back on every apache2 upgrade; their
#   content is the same on every Debian host (dpkg --verify proves it unmodified below), so reading
#   them tells nothing about this host. Every file the collection writes is root:root 0640, except the
#   colors map, which Apache's children (www-data) read on every request (RewriteMap txt:).
# - apache-10 (<LimitExcept GET POST>): Django views decide their methods (REST APIs use PUT, PATCH,
#   DELETE; CORS preflights OPTIONS); TRACE is off globally (apache-09).
# - apache-11 (-FollowSymLinks in alias.conf): Debian's /icons/ alias is left as shipped; the sites'
#   own directories (script dir, static, media) get "Options None", which follows no symlinks.
# - apache-13 (SSLHonorCipherOrder): this scenario has no TLS site; TLS vhosts use Debian's mod_ssl
#   settings as shipped (SSLCipherSuite HIGH:!aNULL).

CONFIG_WALK = r"""
import glob, json, os, re
ROOT = '/etc/apache2'
out, counter = [], [0]
def walk(path, stack):
    with open(path, encoding='utf-8', errors='replace') as handle:
        text = re.sub(r'\\\n', ' ', handle.read())
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith('#'):
            continue
        if line.startswith('</'):
            if stack:
                stack.pop()
            continue
        match = re.match(r'<(\w+)\s*(.*?)\s*>$', line)
        if match:
            counter[0] += 1
            stack.append([match.group(1).lower(), match.group(2).strip('"'), counter[0], path])
            continue
        name, _sep, args = line.partition(' ')
        if name.lower() in ('include', 'includeoptional'):
            pattern = args.strip().strip('"')
            for inc in sorted(glob.glob(pattern if pattern.startswith('/') else os.path.join(ROOT, pattern))):
                if os.path.isfile(inc):
                    walk(inc, stack)
            continue
        out.append({'file': path, 'line': number, 'directive': name.lower(), 'args': args.strip(),
                    'sections': [list(item) for item in stack]})
walk(ROOT + '/apache2.conf', [])
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def apache_directives(host):
    """Every directive Apache reads, in order, with its enclosing sections (IfModule read as transparent)."""
    out = host.run("python3 -c %s", CONFIG_WALK)
    assert out.rc == 0, out.stderr
    directives = json.loads(out.stdout)
    assert len(directives) > 100 and any(d["directive"] == "wsgidaemonprocess" for d in directives)
    return directives


def _top_level(directive):
    return all(kind == "ifmodule" for kind, _arg, _id, _file in directive["sections"])


def test_devsec_apache_03_one_root_process_and_no_root_daemon(host):
    out = host.run("ps -eo pid=,user=,comm=,args=")
    rows = [line.split(None, 3) for line in out.stdout.splitlines() if len(line.split(None, 3)) == 4]
    apache = [row for row in rows if row[2] == "apache2"]
    parent = host.run("cat /var/run/apache2/apache2.pid").stdout.strip()
    assert [row[0] for row in apache if row[1] == "root"] == [parent], apache
    daemons = [row for row in apache if row[3].startswith("(wsgi:")]
    assert {row[1] for row in daemons} == set(SITES), daemons           # every site runs as its own user
    assert {row[1] for row in apache if row not in daemons and row[0] != parent} == {"www-data"}, apache


def test_devsec_apache_04_05_configuration_owned_by_root_and_private(host):
    """Everything under /etc/apache2 is root:root; every file the collection writes is 0640 (not world-readable)."""
    out = host.run("find /etc/apache2 -printf '%U %G %m %y %p\\n'")
    entries = [line.split(" ", 4) for line in out.stdout.splitlines()]
    assert len(entries) > 50
    assert [e for e in entries if e[:2] != ["0", "0"]] == []                      # root-owned
    assert [e for e in entries if e[3] != "l" and int(e[2], 8) & 0o022] == []     # nobody else writes
    ours = host.run("grep -rlsF '# Managed by Ansible: modwsgi.django.' /etc/apache2 --exclude-dir='*-enabled'")
    ours = sorted(ours.stdout.split())
    assert len(ours) >= 6 and "/etc/apache2/sites-available/modwsgi-alpha.test.conf" in ours, ours
    modes = {path: oct(host.file(path).mode) for path in ours}
    readable = {path: mode for path, mode in modes.items() if mode != "0o640"}
    assert readable == {}, readable
    manifest = host.file("/etc/apache2/modwsgi-sites.json")                     # the rollback's record, read by root
    assert (manifest.user, manifest.group, oct(manifest.mode)) == ("root", "root", "0o640")
    # The one exception: the colors map is read by Apache's children (www-data) on every request.
    colors = host.file("/etc/apache2/modwsgi-colors.map")
    assert (colors.user, colors.group, oct(colors.mode)) == ("root", "root", "0o644")
    # Debian's own files stay as the package ships them: unmodified (dpkg --verify prints nothing for them
    # but ports.conf, which the apache role writes).
    verify = host.run("dpkg --verify apache2 apache2-data libapache2-mod-wsgi-py3")
    changed = [line.split()[-1] for line in verify.stdout.splitlines() if "/etc/apache2" in line]
    assert [path for path in changed if path not in ours] == [], verify.stdout


def test_devsec_apache_07_09_server_tokens_prod_trace_off(host, apache_directives):
    last = {}
    for directive in apache_directives:
        if _top_level(directive) and directive["directive"] in ("servertokens", "traceenable", "serversignature"):
            last[directive["directive"]] = (directive["args"].lower(), directive["file"])
    assert {k: v[0] for k, v in last.items()} == {"servertokens": "prod", "traceenable": "off", "serversignature": "off"}, last
    # What a client sees (ServerTokens, TRACE) is probed over HTTP in the baseline tests above.


def test_devsec_apache_08_no_dav_cgi_or_include(host):
    loaded = host.run("apache2ctl -M").stdout
    for module in ("dav_module", "dav_fs_module", "dav_lock_module", "cgi_module", "cgid_module", "include_module"):
        assert module not in loaded, module
    load_lines = host.run("cat /etc/apache2/mods-enabled/*.load").stdout
    assert not re.search(r"^\s*LoadModule\s+(dav|dav_fs|dav_lock|cgid?|include)_module", load_lines, re.M)


def _options(args, current):
    tokens = args.split()
    if any(not t.startswith(("+", "-")) for t in tokens):
        current = set()
        for token in tokens:
            if token.lower() == "all":
                current |= {"indexes", "includes", "followsymlinks", "execcgi", "symlinksifownermatch"}
            elif token.lower() != "none":
                current.add(token.lstrip("+").lower())
    for token in tokens:
        if token.startswith("+"):
            current.add(token[1:].lower())
        elif token.startswith("-"):
            current.discard(token[1:].lower())
    return current


def test_devsec_apache_12_no_directory_listing_anywhere(host, apache_directives):
    """The Options Apache ends up with for every <Directory> it knows (sections merged shortest path first)."""
    sections = []   # (path, order, args) of every Options line inside a <Directory>
    for order, directive in enumerate(apache_directives):
        kinds = [(kind, arg) for kind, arg, _id, _file in directive["sections"] if kind != "ifmodule"]
        if directive["directive"] != "options":
            continue
        assert kinds, "Options outside any section: %s" % directive
        kind, arg = kinds[-1]
        assert kind in ("directory", "location", "files", "virtualhost"), directive
        if kind != "directory":
            assert "indexes" not in directive["args"].lower() or "-indexes" in directive["args"].lower(), directive
            continue
        sections.append((arg.rstrip("/") or "/", order, directive["args"]))
    assert sections
    listing = {}
    for path, _order, _args in sections:
        applied = sorted((p.count("/") if p != "/" else 0, o, a) for p, o, a in sections
                         if p == "/" or path == p or path.startswith(p + "/"))
        effective = set()
        for _depth, _o, args in applied:
            effective = _options(args, effective)
        if "indexes" in effective:
            listing[path] = effective
    assert listing == {}, listing
    assert "autoindex_module" not in host.run("apache2ctl -M").stdout   # and nothing could render a listing


def test_devsec_apache_14_every_virtual_host_has_its_own_access_log(host, apache_directives):
    vhosts = {}
    for directive in apache_directives:
        for kind, arg, ident, path in directive["sections"]:
            if kind == "virtualhost":
                vhosts.setdefault((path, ident, arg), []).append(directive["directive"])
    assert len(vhosts) >= 4, vhosts.keys()   # 3 sites + the catch-all
    assert [vhost for vhost, names in vhosts.items() if "customlog" not in names] == []


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
    sampler = start_cmdline_sampler(host)
    try:
        proc = run_playbook("converge.yml", "-vvv", "--diff")
    finally:
        cmdlines = stop_cmdline_sampler(host, sampler)
    proc.cmdlines = cmdlines
    figure("converge -vvv --diff", "%.1f s, rc %s, %d bytes of output, %d distinct command lines on the target"
           % (time.time() - start, proc.returncode, len(proc.stdout) + len(proc.stderr), len(proc.cmdlines)))
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


def test_no_secret_in_a_process_command_line_during_the_converge(host, verbose_run):
    """Every command line on the target, sampled every 10 ms while the secret-bearing steps ran."""
    cmdlines = verbose_run.cmdlines
    # The steps (check --deploy among them) run in one Django process per release, sent over a socket:
    # seeing that process proves the sampler ran while they did.
    assert any("--modwsgi-steps" in line for line in cmdlines), cmdlines[:50]
    assert leaked_secrets("\n".join(cmdlines), SECRETS) == []


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


# ---------------------------------------------------------------- 6. faults under a bounded load (issue 23)
#
# Each fault runs under molecule/shared/files/loadgen.py on 127.0.0.1; its figures are printed here and
# measured with spread by bench/faults.py (docs/benchmarks.md). The assertions are the guarantees.

BETA = SITES["beta"]["daemon"]


def _load_report(host, out, timeout=120):
    for _unused in range(timeout):
        if host.file(out).exists:
            return json.loads(host.file(out).content_string)
        time.sleep(1)
    raise AssertionError("load generator did not finish: " + host.run("cat %s.log", out).stdout)


def test_fault_kill_9_one_then_every_daemon_of_the_live_color_under_load(host):
    """kill -9 one daemon process of beta's live color, then all of them: only requests in flight in a
    killed process may fail; every request that arrives afterwards waits for the restarted daemon and
    succeeds, on the same color."""
    host.run("cat > /tmp/kill-beta.sh << 'EOS'\n%sEOS" % faults.kill_script("beta"))
    out = "/tmp/fault-kill-beta.json"
    started = host.run("rm -f %s; nohup python3 /opt/loadgen.py --host beta.test --out %s --threads 4 --interval 0.02 "
                       "--slow 2 --slow-seconds 4 --slow-after 0.5 --slow-loop --switch-at 3 --switch-cmd 'sh /tmp/kill-beta.sh' "
                       "--after 14 --seconds 40 --max-requests 20000 > %s.log 2>&1 &" % (out, out, out))
    assert started.rc == 0
    report = _load_report(host, out)
    marks = faults.parse_marks(report["state"]["switch_output"])
    assert set(marks) == {"one", "one_done", "all", "all_done"}, report["state"]["switch_output"]
    color, killed_one, killed_all = marks["one"][1], marks["one"][2], marks["all"][2]
    assert len(killed_one) == 1 and killed_all and killed_one[0] not in killed_all, marks
    t_one, t_one_done, t_all, t_all_done = (marks[k][0] for k in ("one", "one_done", "all", "all_done"))
    reqs = report["requests"]
    one = loadgen.fault_figures([r for r in reqs if r["end"] < t_all], t_one, t_one_done)
    every = loadgen.fault_figures([r for r in reqs if r["end"] >= t_all], t_all, t_all_done)
    figure("kill -9 one of beta_%s (%s), then all (%s), under load" % (color, killed_one[0], " ".join(killed_all)),
           "one: %s; all: %s" % (json.dumps(one, sort_keys=True), json.dumps(every, sort_keys=True)))
    for name, fig, killed in (("one", one, 1), ("all", every, len(killed_all))):
        assert fig["failed_after"] == 0, (name, fig)                        # arrivals wait, never fail
        assert fig["failed_in_flight"] <= killed * BETA["threads"], (name, fig)
        assert fig["served_again_s"] is not None, (name, fig)
    assert [r for r in reqs if r["start"] > t_all_done and r["status"] != 200] == []
    for pid in killed_one + killed_all:
        assert host.run("test -d /proc/%s", pid).rc != 0, pid
    assert registered_pids(host, "beta", color) and not set(map(int, killed_all)) & set(registered_pids(host, "beta", color))
    assert host.run("awk '$1 == \"beta\" {print $2}' /etc/apache2/modwsgi-colors.map").stdout.strip() in (color, "")
    data = http_json(host, "/", vhost="beta.test")
    assert data["mod_wsgi_process_group"] == "beta_" + color and str(data["pid"]) not in killed_one + killed_all


def test_fault_queue_full_requests_waiting_longer_than_queue_timeout_get_504_when_a_thread_frees(host):
    """Both of alpha's threads busy with 8 s requests (below request_timeout, so nothing restarts), fast
    requests arriving meanwhile at 4 per second. mod_wsgi looks at a queued request only when a thread
    takes it: one that waited longer than queue_timeout gets 504 at once instead of running late; one that
    waited less is served. None hangs past the moment a thread frees, none fails otherwise, and the site
    serves normally as soon as the slow requests end."""
    out = "/tmp/fault-queue.json"
    slow_seconds = 8
    assert slow_seconds < ALPHA["request_timeout"] and slow_seconds > ALPHA["queue_timeout"] + 2
    started = host.run("rm -f %s; nohup python3 /opt/loadgen.py --host alpha.test --out %s --path /minimal/ --rate 4 "
                       "--fast-after 1 --fast-timeout 40 --slow %d --slow-seconds %d --slow-after 0 --seconds 13 "
                       "> %s.log 2>&1 &" % (out, out, ALPHA["threads"], slow_seconds, out))
    assert started.rc == 0
    report = _load_report(host, out)
    fig = faults.queue_figures(report["requests"], ALPHA["queue_timeout"])
    figure("queue full: %d x /slow/?s=%d on %d threads, /minimal/ at 4/s" % (ALPHA["threads"], slow_seconds, ALPHA["threads"]),
           json.dumps(dict(fig, freed=None), sort_keys=True))
    assert fig["slow_statuses"] == {"200": ALPHA["threads"]}, fig
    assert sum(fig["late"].values()) >= 4 and sum(fig["early"].values()) >= 4, fig
    assert set(fig["late"]) == {"504"} and set(fig["early"]) == {"200"}, fig   # late ones dropped, not run late
    assert set(fig["queued"]) <= {"200", "504"}, fig                          # nothing else, no connection error
    assert fig["latest_answer_after_freed_s"] < 2, fig                         # none hung past the freed thread
    assert sum(fig["after"].values()) >= 8 and set(fig["after"]) == {"200"} and fig["after_slowest_s"] < 2, fig


# ---------------------------------------------------------------- 7. Apache configuration broken by hand

HAND_BROKEN_VHOST = "/etc/apache2/sites-available/modwsgi-beta.test.conf"
APACHE_STATE = "find /etc/apache2 \\( -type f -o -type l \\) -printf '%p %l %m\\n' | sort; find /etc/apache2 -type f -exec sha256sum {} + | sort"


def _converge_under_load(host, *extra):
    """A converge while alpha and beta take fast requests; returns (proc, alpha requests, beta requests, seconds)."""
    outs = {}
    for site in ("alpha", "beta"):
        outs[site] = "/tmp/hand-%s.json" % site
        host.run("rm -f %s %s.stop; nohup python3 /opt/loadgen.py --host %s.test --path /minimal/ --out %s --threads 2 "
                 "--interval 0.05 --slow 0 --seconds 300 --fast-timeout 75 --stop-file %s.stop --tail 2 > /dev/null 2>&1 &",
                 outs[site], outs[site], site, outs[site], outs[site])
    start = time.time()
    try:
        proc = run_playbook("converge.yml", *extra)
    finally:
        seconds = time.time() - start
        for site in outs:
            host.run("touch %s.stop", outs[site])
    reports = {site: _load_report(host, out) for site, out in outs.items()}
    return proc, reports["alpha"]["requests"], reports["beta"]["requests"], seconds


def _reload_window(host, mark):
    """(start, end) epoch of the graceful reloads logged after line ``mark`` of Apache's error log."""
    lines = host.run("tail -n +%s /var/log/apache2/error.log", str(mark + 1)).stdout.splitlines()
    return faults.reload_window(lines, host.run("date +%z").stdout.strip())


def _outside_reload(window, failed):
    """The failed requests a graceful reload does not explain: not 500/503/504, or arrived outside it.

    A request caught by the reload can wait on a daemon that is going away until its socket_timeout (alpha:
    60 s, the default); the load generator waits 75 s, so such a request is answered, and one left
    unanswered (status 0) is a hang, which no reload explains.
    """
    assert window is not None, "no graceful reload in Apache's error log"
    return [r for r in failed if r["status"] not in (500, 503, 504) or not window[0] - 0.5 <= r["start"] <= window[1] + 0.5]


def test_a_vhost_broken_by_hand_is_repaired_by_the_next_converge(host):
    """The django_site role's own file, while the apache role has a change to make too: the read of the host
    holds the vhost's bytes, so the django_site step is planned to write it again. The apache step runs
    first, its config test fails on that vhost with and without its change: it restores its change and
    postpones it (a warning) instead of stopping the converge or putting it live untested; mod_wsgi has
    nothing to change and does not run its module; django_site rewrites the vhost, tests, reloads once."""
    hardening = "/etc/apache2/conf-available/modwsgi-django-hardening.conf"
    good, hardening_before = host.file(HAND_BROKEN_VHOST).content_string, host.file(hardening).content_string
    generation, parent = apache_generation(host), apache_parent(host)
    mark = int(host.run("wc -l < /var/log/apache2/error.log").stdout.strip())
    assert host.run("echo 'BrokenByHand on' >> %s && ! apache2ctl -t", HAND_BROKEN_VHOST).rc == 0
    proc, alpha, beta, seconds = _converge_under_load(host, "-e", '{"apache_custom_directives": ["Header always set X-Postponed 1"]}')
    out = proc.stdout + proc.stderr
    window = _reload_window(host, mark)
    failed = [r for r in alpha + beta if r["status"] != 200]
    figure("vhost broken by hand, then a converge", "%.1f s, rc %s; %d requests, %d failed (%s, slowest %.1f s); reload window %s"
           % (seconds, proc.returncode, len(alpha + beta), len(failed), sorted({r["status"] for r in failed}),
              max([r["end"] - r["start"] for r in failed] or [0]),
              None if window is None else "%.2f s" % (window[1] - window[0])))
    assert proc.returncode == 0, out[-3000:]
    words = " ".join(out.split())   # a warning may be wrapped
    assert "fails on /etc/apache2/sites-enabled/modwsgi-beta.test.conf, a file the django_site role renders" in words, out[-3000:]
    assert "postponed to the next run: %s" % hardening in words, out[-3000:]
    assert host.file(hardening).content_string == hardening_before                # the apache step's change: not live
    assert "X-Postponed" not in host.run("curl -sI -H 'Host: alpha.test' http://127.0.0.1/").stdout
    assert "TASK [modwsgi.django.mod_wsgi : Mod_wsgi | Write global WSGI directives" not in out   # planned: no module run
    assert host.file(HAND_BROKEN_VHOST).content_string == good                 # repaired byte for byte
    assert host.run("apache2ctl -t").rc == 0
    assert apache_parent(host) == parent and apache_generation(host) == generation + 1   # one graceful reload
    # Only the graceful reload itself may cost requests: it restarts every mod_wsgi daemon, and a request that
    # arrives meanwhile waits for the new process (on a loaded host longer than alpha's queue_timeout: 504).
    assert _outside_reload(window, failed) == [], (window, failed[:5])
    assert http_json(host, "/healthz/", vhost="beta.test")["status"] == "ok"


def test_apache_files_and_modules_changed_by_hand_are_put_back(host):
    """The apache role's own file edited by hand, WebDAV and server-side includes enabled by hand (dev-sec
    apache-08): the next converge writes the file again and disables the modules, tested, then reloads."""
    hardening = "/etc/apache2/conf-available/modwsgi-django-hardening.conf"
    good = host.file(hardening).content_string
    broken = host.run("echo 'ServerTokens Full' >> %s && a2enmod -q dav_fs include && apache2ctl -t", hardening)
    assert broken.rc == 0, broken.stderr
    assert "include_module" in host.run("apache2ctl -M").stdout
    mark = int(host.run("wc -l < /var/log/apache2/error.log").stdout.strip())
    proc, alpha, beta, seconds = _converge_under_load(host)
    out = proc.stdout + proc.stderr
    window = _reload_window(host, mark)
    failed = [r for r in alpha + beta if r["status"] != 200]
    figure("hardening conf and modules changed by hand, then a converge",
           "%.1f s, rc %s, %d failed of %d requests (%s, slowest %.1f s); reload window %s"
           % (seconds, proc.returncode, len(failed), len(alpha + beta), sorted({r["status"] for r in failed}),
              max([r["end"] - r["start"] for r in failed] or [0]),
              None if window is None else "%.2f s" % (window[1] - window[0])))
    assert proc.returncode == 0, out[-3000:]
    assert _outside_reload(window, failed) == [], (window, failed[:5])
    assert host.file(hardening).content_string == good
    loaded = host.run("apache2ctl -M").stdout
    assert "include_module" not in loaded and "dav_fs_module" not in loaded and "dav_module" not in loaded
    assert http(host, "/", vhost="alpha.test")[1]["server"] == "Apache"       # ServerTokens Prod again


def test_a_configuration_broken_outside_the_collection_is_refused_and_changes_nothing(host):
    """A hand-made conf that fails the config test is not the collection's: the read of the host holds only
    its name. A converge with nothing to change in Apache's configuration runs no apache_config module
    (one module run on the host, the read), so it neither tests nor touches anything: changed=0, no reload,
    Apache keeps serving. A converge with a change refuses it, restores every file it changed, says the
    configuration was already broken in that file, and does not reload."""
    local = "/etc/apache2/conf-available/zz-local.conf"
    host.run("echo 'ThisIsBrokenByHand on' > %s && ln -sfn ../conf-available/zz-local.conf /etc/apache2/conf-enabled/zz-local.conf", local)
    try:
        before = host.run(APACHE_STATE).stdout
        generation, parent = apache_generation(host), apache_parent(host)
        proc, alpha, beta, seconds = _converge_under_load(host)
        out = proc.stdout + proc.stderr
        failed = [r for r in alpha + beta if r["status"] != 200]
        figure("conf broken outside the collection, then a converge with nothing to change", "%.1f s, rc %s, %d failed of %d requests"
               % (seconds, proc.returncode, len(failed), len(alpha + beta)))
        assert proc.returncode == 0, out[-3000:]
        assert re.search(r"modwsgi-hardening\s*:\s*ok=\d+\s+changed=0\s", out), out[-1500:]
        assert failed == [] and host.run(APACHE_STATE).stdout == before
        assert apache_generation(host) == generation and apache_parent(host) == parent
        # The same with a change to make: refused, restored, and the cause named as older than the run.
        proc = run_playbook("converge.yml", "-e", '{"apache_custom_directives": ["ServerSignature Off"]}')
        out = proc.stdout + proc.stderr
        assert proc.returncode != 0
        assert "restored" in out and "already broken in /etc/apache2/conf-enabled/zz-local.conf" in out, out[-3000:]
        assert "Invalid command 'ThisIsBrokenByHand'" in out
        assert "TASK [modwsgi.django.mod_wsgi" not in out                          # stopped at the first test
        assert host.run(APACHE_STATE).stdout == before
        assert apache_generation(host) == generation and apache_parent(host) == parent
    finally:
        host.run("rm -f /etc/apache2/conf-enabled/zz-local.conf %s", local)
    assert host.run("apache2ctl -t").rc == 0
    for name in SITES:
        assert http_json(host, "/healthz/", vhost="%s.test" % name)["status"] == "ok"
