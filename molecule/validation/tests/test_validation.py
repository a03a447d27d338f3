"""validation scenario: layouts the guide calls wrong fail before anything on the host changes."""

import json
import os
import tempfile

import hashlib

from helpers import apache_tasks_after_validation, http, http_json, leaked_secrets, run_playbook, start_cmdline_sampler, stop_cmdline_sampler

PROBE = os.path.join(os.environ.get("MOLECULE_PROJECT_DIRECTORY", "."), "molecule", "shared", "projects", "probe")
STATE = ("find /etc/apache2 /srv/django /var/www \\( -type f -o -type l \\) -printf '%p %l %m %U %G\\n' | sort; "
         "find /etc/apache2 /srv/django /var/www -type f -exec sha256sum {} + | sort")


def _site(name, **extra):
    site = {"name": name, "server_name": "%s.test" % name, "project": "probe",
            "source": {"type": "path", "path": PROBE}, "daemon": {"threads": 2},
            "secrets": {"DJANGO_SECRET_KEY": "x" * 50}}
    site.update(extra)
    return site


def _converge(sites, *extra, mass_hosting=None):
    """The shared converge with these modwsgi_sites (and modwsgi_mass_hosting, as extra vars from a JSON file)."""
    data = {"modwsgi_sites": sites}
    if mass_hosting is not None:
        data["modwsgi_mass_hosting"] = mass_hosting
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(data, handle)
    try:
        return run_playbook("converge.yml", "-e", "@" + handle.name, *extra)
    finally:
        os.unlink(handle.name)


def _bad_layouts(host):
    script = "\n".join([
        "set -e",
        # Code reachable through a symlink under DocumentRoot.
        "mkdir -p /srv/django/leaky && ln -sfn /srv/django/leaky /var/www/html/leaky",
        # A settings file in the WSGI script directory.
        "mkdir -p /srv/scripty/apache && touch /srv/scripty/apache/settings.py",
        # A script directory holding django.py (shadows the django package).
        "mkdir -p /srv/shadow/apache && touch /srv/shadow/apache/django.py",
        # An interpreter that is not the Python mod_wsgi embeds.
        "mkdir -p /opt/fakepy && printf '#!/bin/sh\\necho 3.13\\n' > /opt/fakepy/python3 && chmod 755 /opt/fakepy/python3",
    ])
    out = host.run(script)
    assert out.rc == 0, out.stderr


def test_good_site_serves(host):
    assert http_json(host, "/", vhost="good.test")["site"] == "good"


def test_bad_layouts_fail_all_at_once_and_change_nothing(host):
    _bad_layouts(host)
    before = host.run(STATE).stdout
    sites = [
        _site("good", health_path="/healthz/"),
        _site("leaky"),
        _site("scripty", script_dir="/srv/scripty/apache"),
        _site("shadow", script_dir="/srv/shadow/apache"),
        _site("wrongpy", python="/opt/fakepy/python3"),
        _site("bare", settings="settings"),
        _site("twice", server_name="good.test"),  # same host and mount as good
        # Public dirs that would serve the SQLite database, the code or another site's files.
        _site("dbleak", media={"url": "/media/", "dir": "/srv/django/dbleak/data"}),
        _site("codeleak", static={"url": "/static/", "dir": "/srv/django/codeleak/releases"}),
        _site("neighbour", static={"url": "/static/", "dir": "/srv/django/good/public"}),
        _site("steps", manage_steps=["python manage.py compress", "migrate"]),
    ]
    # A misspelt mass hosting key: validate_sites names it (the deploy playbook runs it before the role's
    # argument check, which would only say "Unsupported parameters").
    proc = _converge(sites, mass_hosting={"server_name": "mass.test", "base_dir": "/srv/mass", "basedir": "/srv/mass"})
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert ("[schema] field 'mass_hosting.basedir': is not a mass hosting setting (did you mean 'base_dir'?). "
            "Fix: use server_name, base_dir, mode, daemon, python_home.") in out, out[-4000:]
    assert "Unsupported parameters" not in out and "Validating arguments against arg spec" not in out
    for rule, site in (("exposed", "leaky"), ("settings-in-script-dir", "scripty"), ("script-name", "shadow"),
                       ("python-abi", "wrongpy"), ("settings-module", "bare"), ("mount-unique", "twice"),
                       ("exposed", "dbleak"), ("exposed", "codeleak"), ("exposed", "neighbour"), ("manage-steps", "steps")):
        assert "[%s] site '%s'" % (rule, site) in out, (rule, site, out[-4000:])
    assert "Fix:" in out
    # Failed in the pre-check: not a single task after it ran, nothing on the host changed.
    assert not apache_tasks_after_validation(out)
    assert host.run(STATE).stdout == before  # nothing written: apache2ctl -t never saw an injected line
    assert host.run("grep -rl 'evil_module\\|/etc/shadow' /etc/apache2 /srv/django").stdout == ""
    assert http_json(host, "/", vhost="good.test")["site"] == "good"


# Hostile inventory values: (site name, rule, field, site keys). Each is refused before anything on the
# host changes, with a message naming the site, the field and the fix. A site whose name is itself
# refused is named by its position (sites[<index>]).
HOSTILE = [
    ("shop;id", "name", "name", {}),
    ("../etc", "name", "name", {}),
    ("$(touch /tmp/pwned)", "name", "name", {}),
    ("smuggle", "server-name", "server_name", {"server_name": "evil.test\nInclude /etc/shadow"}),
    ("aliased", "server-name", "server_aliases[1]", {"server_aliases": ["ok.test", "x.test\n</VirtualHost>"]}),
    ("mounty", "mount", "mount", {"mount": "/x\n</VirtualHost>\n<VirtualHost *:80>"}),
    ("updir", "mount", "mount", {"mount": "/a/../b"}),
    ("spacy", "mount", "mount", {"mount": "/my shop"}),
    ("percent", "mount", "mount", {"mount": "/100%"}),
    ("slashed", "mount", "mount", {"mount": "/shop/"}),
    ("noproc", "schema", "daemon.processes", {"daemon": {"processes": 0}}),
    ("manythreads", "schema", "daemon.threads", {"daemon": {"threads": 100000}}),
    ("shellproc", "schema", "daemon.processes", {"daemon": {"processes": "2; rm -rf /"}}),
    ("titled", "schema", "daemon.display_name", {"daemon": {"display_name": "x\nInclude /etc/shadow"}}),
    ("lingo", "schema", "daemon.lang", {"daemon": {"lang": "C.UTF-8 home=/root"}}),
    ("rooted", "schema", "daemon.user", {"daemon": {"user": "root"}}),
    ("twin", "name", "name", {}),        # the second site of that name (the first one is fine)
    ("envy", "env", "env.PROBE_SITE", {"env": {"PROBE_SITE": "x\nLoadModule evil_module /tmp/evil.so"}}),
    ("nul", "env", "secrets.PROBE_TOKEN", {"secrets": {"DJANGO_SECRET_KEY": "x" * 50, "PROBE_TOKEN": "a\u0000b"}}),
    ("quoted", "path", "static.dir", {"static": {"url": "/static/", "dir": "/srv/django/quoted/static\" Require all granted"}}),
    ("etcstatic", "path", "static.dir", {"static": {"url": "/static/", "dir": "/etc"}}),
    ("keys", "exposed", "media.dir", {"media": {"url": "/media/", "dir": "/etc/ssl/private"}}),
    ("sshy", "exposed", "static.dir", {"static": {"url": "/static/", "dir": "/root/.ssh"}}),
    ("climb", "path", "media.dir", {"media": {"url": "/media/", "dir": "/srv/django/climb/../../../etc"}}),
    ("urlquote", "static-url", "static.url", {"static": {"url": "/static\"/", "dir": "/srv/django/urlquote/static"}}),
    ("cookie", "session-cookie", "session_cookie_name", {"session_cookie_name": "sid; Domain=evil.test"}),
    ("healthy", "path", "health_path", {"health_path": "/healthz/\nInclude /etc/shadow"}),
    ("setty", "settings-module", "settings", {"settings": "probe.settings; import os"}),
    ("projy", "sys-path", "project", {"project": "probe;id"}),
    ("dollar", "path", "root", {"root": "/srv/$(id)"}),
    ("gitopt", "path", "source.repo", {"source": {"type": "git", "repo": "--upload-pack=touch /tmp/pwned"}}),
    ("stepper", "manage-steps", "manage_steps[0]", {"manage_steps": ["compress; id"]}),
    ("certy", "path", "tls.cert", {"tls": {"cert": "/etc/ssl/x.pem\nSSLEngine off", "key": "/etc/ssl/x.key"}}),
    ("reqs", "path", "requirements", {"requirements": "../../../etc/passwd"}),
]


def test_hostile_values_are_refused_before_any_change_naming_site_field_and_fix(host):
    before = host.run(STATE).stdout
    sites = [_site("good", health_path="/healthz/"), _site("twin")]
    for name, _rule, _field, keys in HOSTILE:
        sites.append(_site(name, **keys))
    proc = _converge(sites)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    fatal = [line for line in out.splitlines() if line.startswith("fatal: ") and '"findings"' in line]
    assert len(fatal) == 1, out[-4000:]
    findings = json.loads(fatal[0].split(" => ", 1)[1])["findings"]
    missing = []
    for index, (name, rule, field, _keys) in enumerate(HOSTILE, start=2):
        label = name if name.isidentifier() and name.islower() else "sites[%d]" % index
        hits = [f for f in findings if (f["id"], f["site"], f["field"]) == (rule, label, field) and f["severity"] == "error"]
        if not hits or len(hits[0]["fix"]) < 10:
            missing.append((rule, label, field))
        head = "[%s] site '%s', field '%s': " % (rule, label, field)
        if hits and not any(head in line and " Fix: " in line.split(head, 1)[1] for line in out.splitlines()):
            missing.append(head)     # the message printed for the operator names site, field and fix
    assert not missing, missing
    assert len(HOSTILE) >= 20
    assert not apache_tasks_after_validation(out)  # refused in the pre-check, before any change
    assert host.run(STATE).stdout == before
    assert host.run("grep -rl 'evil_module\\|/etc/shadow\\|SSLEngine off' /etc/apache2 /srv/django").stdout == ""
    assert host.run("test -e /tmp/pwned").rc != 0
    assert http_json(host, "/", vhost="good.test")["site"] == "good"


# Secret values that need quoting in a shell, Apache, Python or JSON: they reach the application byte
# for byte (conf/site.json carries them), and never show in play output, other files or command lines.
# Each holds a marker (rt...) to search for; no value holds Jinja syntax (Ansible would template it).
TRICKY_SECRETS = {
    "PROBE_T_KEY": "-----BEGIN PRIVATE KEY----- rtKeyA\nMIIEvQIBADANBgkqh rtKeyB\r\nkiG9w0BAQEFAASC== rtKeyC\n"
                   "-----END PRIVATE KEY-----\n",
    "PROBE_T_QUOTES": "rtQuotes it's \"quoted\" `ticked`",
    "PROBE_T_DOLLAR": "rtDollar $HOME ${PATH} $(id) $$ $",
    "PROBE_T_PERCENT": "rtPercent 100% %s %(name)s %% %{GROUP} %2F",
    "PROBE_T_BACKSLASH": "rtBackslash C:\\new\\table \\\\ \\n \\x41 \\u00e9 \\",
    "PROBE_T_SHELL": "rtShell a;b|c&d<e>f #g !h *i ?j ~k\ttab",
    "PROBE_T_APACHE": "rtApache x\nInclude /etc/shadow rtApache2\n</VirtualHost> rtApache3",
    "PROBE_T_UNICODE": "rtUnicode caf\u00e9 \u2603 \U0001f512",
    "PROBE_T_SPACES": "  rtSpaces leading and trailing  ",
}


def _sha(value):
    return hashlib.sha256(str(value).encode("utf-8")).hexdigest()


def _deploy_good_with(secrets, *extra):
    """The good site of molecule.yml (PROBE_LOGGING "0" among its env, which the traceback tests need) with
    /env-hash/ enabled and these secrets over its own."""
    good = _good_site()
    site = _good_site(env=dict(good["env"], PROBE_ALLOW_ENV_HASH="1"), secrets=dict(good["secrets"], **secrets))
    return _converge([site], *extra)


def _probe_requiring(tmp, requirements):
    """A copy of the probe project under tmp whose requirements.txt is ``requirements``."""
    import shutil

    src = os.path.join(tmp, "probe")
    shutil.copytree(PROBE, src, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "db.sqlite3"))
    with open(os.path.join(src, "requirements.txt"), "w") as handle:
        handle.write(requirements)
    return src


def _hashes_seen_by(host, names):
    """{name: sha256} as the site's daemon (over HTTP) and its manage wrapper (as the site user) see them."""
    served = {name: http_json(host, "/env-hash/?name=" + name, vhost="good.test").get("sha256") for name in names}
    code = ("import hashlib, json, os; print(json.dumps({k: hashlib.sha256(os.environ[k].encode('utf-8', "
            "'surrogateescape')).hexdigest() for k in %r}))" % sorted(names))
    out = host.run("setpriv --reuid=good --regid=good --init-groups -- /srv/django/good/bin/manage shell -c %s", code)
    assert out.rc == 0, out.stderr[-2000:]
    return served, json.loads(out.stdout.strip().splitlines()[-1])


def test_secret_values_round_trip_byte_for_byte_and_never_leak(host):
    sampler = start_cmdline_sampler(host)
    try:
        proc = _deploy_good_with(TRICKY_SECRETS, "-v")
    finally:
        cmdlines = stop_cmdline_sampler(host, sampler)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    served, managed = _hashes_seen_by(host, TRICKY_SECRETS)
    expected = {name: _sha(value) for name, value in TRICKY_SECRETS.items()}
    assert served == expected, [name for name in expected if served[name] != expected[name]]
    assert managed == expected, [name for name in expected if managed[name] != expected[name]]
    # Never in the play output (-v), in a process command line, or in any file but the site's site.json.
    assert leaked_secrets(out, TRICKY_SECRETS) == []
    assert len(cmdlines) > 20 and leaked_secrets("\n".join(cmdlines), TRICKY_SECRETS) == []
    markers = ("rtKeyA", "rtQuotes", "rtDollar", "rtPercent", "rtBackslash", "rtShell", "rtApache", "rtUnicode", "rtSpaces")
    markers = " ".join("-e %s" % marker for marker in markers)
    found = host.run("grep -rlF %s /etc /srv /var /tmp /root /home /opt /run 2>/dev/null" % markers).stdout.split()
    assert found == ["/srv/django/good/conf/site.json"], found
    site_json = host.file(found[0])
    assert (site_json.user, site_json.group, oct(site_json.mode)) == ("root", "good", "0o640")
    assert http_json(host, "/", vhost="good.test")["site"] == "good"


def test_requirements_needing_a_newer_python_fail_clearly_and_keep_serving(host):
    """Django 6.0 needs Python >= 3.12; Debian 12's mod_wsgi embeds 3.11."""
    import shutil

    live = host.run("readlink /srv/django/good/current").stdout.strip()
    tmp = tempfile.mkdtemp(prefix="modwsgi-newpy-")
    try:
        src = _probe_requiring(tmp, "Django>=6.0,<6.1\n")
        site = _site("good", source={"type": "path", "path": src}, health_path="/healthz/")
        before = host.run(STATE).stdout
        # 1. Decided on the controller before anything on the host changes (pip's deciding line first).
        proc = _converge([site])
        out = proc.stdout + proc.stderr
        assert proc.returncode != 0
        assert "site 'good', field requirements: No matching distribution found for Django<6.1,>=6.0" in out, out[-3000:]
        assert "needs a different Python than 3.11" in out and "Requires-Python >=3.12" in out
        assert not apache_tasks_after_validation(out)
        assert host.run(STATE).stdout == before
        # 2. Without the preflight, pip on the host refuses it, after the release was unpacked, and nothing is activated.
        proc = _converge([site], "-e", "django_site_python_preflight=false")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "site 'good', step requirements: No matching distribution found for Django<6.1,>=6.0" in out, out[-3000:]
    assert "needs a different Python" in out
    assert "Nothing was activated" in out
    assert not host.run("ls -d /srv/django/good/venvs/*.tmp* 2>/dev/null").stdout.strip()
    assert host.run("readlink /srv/django/good/current").stdout.strip() == live
    assert http_json(host, "/", vhost="good.test")["site"] == "good"


# ---------------------------------------------------------------- a 500's traceback reaches the logs

ERROR_LOG = "/var/log/apache2/modwsgi-good.test-error.log"
FAILURE = "RuntimeError: probe: intentional failure (/fail/)"


def _good_site(**changes):
    """The good site as molecule.yml defines it (its project configures no LOGGING), with changes."""
    import yaml

    with open(os.path.join(os.path.dirname(__file__), "..", "molecule.yml")) as handle:
        [site] = yaml.safe_load(handle)["provisioner"]["inventory"]["group_vars"]["all"]["modwsgi_sites"]
    assert site["env"]["PROBE_LOGGING"] == "0"
    site.update(changes)
    return site


def _log_lines_after(host, mark):
    return host.run("tail -c +%s %s", str(mark + 1), ERROR_LOG).stdout


def test_a_500_traceback_reaches_the_site_error_log(host):
    """Django's default logging mails 500s to ADMINS only; the settings override logs django.request errors to stderr."""
    mark = int(host.run("stat -c %%s %s", ERROR_LOG).stdout.strip())
    status, _headers, body = http(host, "/fail/", vhost="good.test")
    assert status == 500 and "probe: intentional failure" not in body  # DEBUG off: no traceback in the page
    new = _log_lines_after(host, mark)
    assert "ERROR django.request: Internal Server Error: /fail/" in new, new[-3000:]
    assert "Traceback (most recent call last):" in new and FAILURE in new, new[-3000:]
    # A 404 is a warning of django.request: not logged.
    mark = int(host.run("stat -c %%s %s", ERROR_LOG).stdout.strip())
    assert http(host, "/no-such-page/", vhost="good.test")[0] == 404
    assert "Not Found" not in _log_lines_after(host, mark)


def test_a_failed_health_check_shows_the_traceback_and_the_live_release_keeps_serving(host):
    live = http_json(host, "/", vhost="good.test")
    assert live["release"] == "r1"
    env = dict(_good_site()["env"], PROBE_RELEASE="r2")  # new settings: the idle color restarts with them
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"modwsgi_sites": [_good_site(health_path="/fail/", env=env)]}, handle)
    try:
        proc = run_playbook("converge.yml", "-e", "@" + handle.name,
                            "-e", "django_site_health_retries=2", "-e", "django_site_health_delay=0.2")
    finally:
        os.unlink(handle.name)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-3000:]
    assert "site good: health check /fail/" in out and "HTTP 500" in out, out[-3000:]
    assert "The previously live release keeps serving." in out and "Error log %s" % ERROR_LOG in out, out[-3000:]
    message = out[out.index("Error log %s" % ERROR_LOG):]
    # The log's excerpt: Django's log line and the traceback without Apache's prefixes.
    assert "Internal Server Error: /fail/" in message and "Traceback (most recent call last):" in message, message[:3000]
    assert FAILURE in message and "[pid " not in message.split(FAILURE)[0], message[:3000]
    assert http_json(host, "/", vhost="good.test")["release"] == "r1"
    # The inventory as it was: converges, and the site is healthy again.
    proc = run_playbook("converge.yml")
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    assert http_json(host, "/healthz/", vhost="good.test")["status"] == "ok"


# ---------------------------------------------------------------- a failed first deploy leaves nothing in Apache's logs

def test_a_failed_first_deploy_removes_its_vhost_logs_and_keeps_the_others(host):
    """The vhost logs of a never-live site go with the rest of it (discard_first_deploy with log_dir).

    The role makes a vhost's log files with its Apache configuration; here they are made beforehand, as an
    earlier attempt stopped after that point would have left them, with what it wrote into them."""
    import shutil

    logs = ["/var/log/apache2/modwsgi-fresh.test-%s.log" % kind for kind in ("error", "access", "ssl-access")]
    assert host.run("for f in %s; do echo 'Traceback (most recent call last):' > $f; done" % " ".join(logs)).rc == 0
    tmp = tempfile.mkdtemp(prefix="modwsgi-fresh-")
    try:
        src = _probe_requiring(tmp, "modwsgi-no-such-distribution==0.0.1\n")
        sites = [_good_site(), _site("fresh", source={"type": "path", "path": src}, health_path="/healthz/")]
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump({"modwsgi_sites": sites}, handle)
        proc = run_playbook("converge.yml", "-e", "@" + handle.name, "-e", "django_site_python_preflight=false")
        os.unlink(handle.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-3000:]
    assert "site 'fresh', step requirements" in out and "what was written for it was removed" in out, out[-3000:]
    for path in logs:
        assert not host.file(path).exists, path
    assert not host.file("/srv/django/fresh").exists
    # The live site's logs and Apache's own stay.
    for path in (ERROR_LOG, "/var/log/apache2/modwsgi-good.test-access.log", "/var/log/apache2/error.log"):
        assert host.file(path).exists, path
    assert http_json(host, "/", vhost="good.test")["site"] == "good"


def test_numeric_secret_values_reach_the_application_as_text(host):
    """validate_sites accepts numbers in env and secrets ("numbers are converted"): 1234 must arrive as "1234".

    Last in this file: when it fails, good's idle color keeps restarting processes that cannot boot.
    """
    numbers = {"PROBE_T_PIN": 1234, "PROBE_T_RATIO": 1.5}
    proc = _deploy_good_with(numbers)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    served, managed = _hashes_seen_by(host, numbers)
    assert served == managed == {name: _sha(value) for name, value in numbers.items()}
