"""validation scenario: layouts the guide calls wrong fail before anything on the host changes."""

import json
import os
import tempfile

from helpers import http, http_json, run_playbook

PROBE = os.path.join(os.environ.get("MOLECULE_PROJECT_DIRECTORY", "."), "molecule", "shared", "projects", "probe")
STATE = ("find /etc/apache2 /srv/django /var/www \\( -type f -o -type l \\) -printf '%p %l %m %U %G\\n' | sort; "
         "find /etc/apache2 /srv/django /var/www -type f -exec sha256sum {} + | sort")


def _site(name, **extra):
    site = {"name": name, "server_name": "%s.test" % name, "project": "probe",
            "source": {"type": "path", "path": PROBE}, "daemon": {"threads": 2},
            "secrets": {"DJANGO_SECRET_KEY": "x" * 50}}
    site.update(extra)
    return site


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
        # Hostile values that would smuggle directives into the vhost or the env file.
        _site("smuggle", server_name="evil.test\nInclude /etc/shadow"),
        _site("envy", env={"PROBE_SITE": "x\nLoadModule evil_module /tmp/evil.so"}),
        _site("mounty", mount="/x\n</VirtualHost>\n<VirtualHost *:80>"),
        _site("quoted", static={"url": "/static/", "dir": "/srv/django/quoted/static\" Require all granted"}),
        # Public dirs that would serve the SQLite database, the code or another site's files.
        _site("dbleak", media={"url": "/media/", "dir": "/srv/django/dbleak/data"}),
        _site("codeleak", static={"url": "/static/", "dir": "/srv/django/codeleak/releases"}),
        _site("neighbour", static={"url": "/static/", "dir": "/srv/django/good/public"}),
        _site("steps", manage_steps=["python manage.py compress", "migrate"]),
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"modwsgi_sites": sites}, handle)
    try:
        proc = run_playbook("converge.yml", "-e", "@" + handle.name)
    finally:
        os.unlink(handle.name)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    for rule, site in (("exposed", "leaky"), ("settings-in-script-dir", "scripty"), ("script-name", "shadow"),
                       ("python-abi", "wrongpy"), ("settings-module", "bare"), ("mount-unique", "twice"),
                       ("server-name", "smuggle"), ("env", "envy"), ("mount", "mounty"), ("path", "quoted"),
                       ("exposed", "dbleak"), ("exposed", "codeleak"), ("exposed", "neighbour"), ("manage-steps", "steps")):
        assert "[%s] site '%s'" % (rule, site) in out, (rule, site, out[-4000:])
    assert "Fix:" in out
    # Failed in the pre-check: not a single task after it ran, nothing on the host changed.
    assert "TASK [modwsgi.django.apache" not in out
    assert host.run(STATE).stdout == before  # nothing written: apache2ctl -t never saw an injected line
    assert host.run("grep -rl 'evil_module\\|/etc/shadow' /etc/apache2 /srv/django").stdout == ""
    assert http_json(host, "/", vhost="good.test")["site"] == "good"


def test_requirements_needing_a_newer_python_fail_clearly_and_keep_serving(host):
    """Django 6.0 needs Python >= 3.12; Debian 12's mod_wsgi embeds 3.11."""
    import shutil

    live = host.run("readlink /srv/django/good/current").stdout.strip()
    tmp = tempfile.mkdtemp(prefix="modwsgi-newpy-")
    try:
        src = os.path.join(tmp, "probe")
        shutil.copytree(PROBE, src, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "db.sqlite3"))
        with open(os.path.join(src, "requirements.txt"), "w") as handle:
            handle.write("Django>=6.0,<6.1\n")
        site = _site("good", source={"type": "path", "path": src}, health_path="/healthz/")
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump({"modwsgi_sites": [site]}, handle)
        before = host.run(STATE).stdout
        # 1. Decided on the controller before anything on the host changes (pip's deciding line first).
        proc = run_playbook("converge.yml", "-e", "@" + handle.name)
        out = proc.stdout + proc.stderr
        assert proc.returncode != 0
        assert "site 'good', field requirements: No matching distribution found for Django<6.1,>=6.0" in out, out[-3000:]
        assert "needs a different Python than 3.11" in out and "Requires-Python >=3.12" in out
        assert "TASK [modwsgi.django.apache" not in out
        assert host.run(STATE).stdout == before
        # 2. Without the preflight, pip on the host refuses it, after the release was unpacked, and nothing is activated.
        proc = run_playbook("converge.yml", "-e", "@" + handle.name, "-e", "django_site_python_preflight=false")
        os.unlink(handle.name)
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
        src = os.path.join(tmp, "probe")
        shutil.copytree(PROBE, src, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "db.sqlite3"))
        with open(os.path.join(src, "requirements.txt"), "w") as handle:
            handle.write("modwsgi-no-such-distribution==0.0.1\n")
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
