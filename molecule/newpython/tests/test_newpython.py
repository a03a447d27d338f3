"""newpython scenario: Django 6 on Debian 12 with Debian's Apache, mod_wsgi from PyPI built for Python 3.13."""

import json
import os
import tempfile

import yaml

from helpers import apache_tasks_after_validation, http_json, run_playbook, verified_checks, verify_report

MODULE = "/usr/lib/apache2/modules/mod_wsgi.so"
with open(os.path.join(os.path.dirname(__file__), "..", "molecule.yml")) as _handle:
    SITES = yaml.safe_load(_handle)["provisioner"]["inventory"]["group_vars"]["all"]["modwsgi_sites"]


def test_django_6_runs_on_python_3_13_on_debian_12(host):
    assert host.system_info.codename == "bookworm"
    data = http_json(host, "/", vhost="six.test")
    assert data["site"] == "six" and data["user"] == "six"
    assert data["django"].startswith("6.0"), data["django"]
    assert data["python"].startswith("3.13."), data["python"]
    assert data["mod_wsgi_process_group"] in ("six_blue", "six_green")
    assert http_json(host, "/healthz/", vhost="six.test")["status"] == "ok"


def test_one_mod_wsgi_from_pypi_embedding_that_python(host):
    assert "libpython3.13.so" in host.run("ldd %s", MODULE).stdout
    assert not host.package("libapache2-mod-wsgi-py3").is_installed
    loads = host.run("grep -h '^LoadModule wsgi_module' /etc/apache2/mods-enabled/*.load").stdout.splitlines()
    assert loads == ["LoadModule wsgi_module %s" % MODULE], loads
    modules = host.run("apache2ctl -M").stdout
    assert modules.count("wsgi_module") == 1, modules
    pip = host.run("/opt/modwsgi-django/mod_wsgi/python3.13/bin/python -m pip show mod_wsgi").stdout
    assert "Name: mod_wsgi" in pip and "Version: " in pip, pip
    conf = host.file("/etc/apache2/conf-available/modwsgi-django-wsgi.conf").content_string
    assert "embedding Python 3.13" in conf and "WSGIPythonHome /opt/modwsgi-django/mod_wsgi/python3.13" in conf


def test_collection_verify_passes():
    proc, report = verify_report()
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    [name] = report
    checks = verified_checks(report, name)
    assert checks[("six", "daemon")][0]["detail"] == "six_blue 2 x six (threads=4), six_green 2 x six (threads=4)"


def test_sites_naming_another_python_are_refused_by_name(host):
    sites = SITES + [dict(SITES[0], name="old", server_name="old.test", python="/usr/bin/python3",
                          requirements="requirements.txt", env={"PROBE_SITE": "old"})]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"modwsgi_sites": sites}, handle)
    try:
        proc = run_playbook("converge.yml", "-e", "@" + handle.name)
    finally:
        os.unlink(handle.name)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-3000:]
    # mod_wsgi is built (for 3.13): rule python-abi refuses the site before anything changes. On a host
    # where it is not built yet, the mod_wsgi role refuses the disagreeing sites by name (unit-tested:
    # test_one_python.py), before it builds anything.
    assert "[python-abi] site 'old', field 'python': /usr/bin/python3 is Python 3.11 but mod_wsgi is built for Python 3.13" in out, out[-3000:]
    assert not apache_tasks_after_validation(out)
    assert not host.file("/srv/django/old").exists
    assert http_json(host, "/", vhost="six.test")["site"] == "six"
