"""validation scenario: layouts the guide calls wrong fail before anything on the host changes."""

import json
import os
import tempfile

from helpers import http_json, run_playbook

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
                       ("python-abi", "wrongpy"), ("settings-module", "bare"), ("mount-unique", "twice")):
        assert "[%s] site '%s'" % (rule, site) in out, (rule, site, out[-4000:])
    assert "Fix:" in out
    # Failed in the pre-check: not a single task after it ran, nothing on the host changed.
    assert "TASK [modwsgi.django.apache" not in out
    assert host.run(STATE).stdout == before
    assert http_json(host, "/", vhost="good.test")["site"] == "good"
