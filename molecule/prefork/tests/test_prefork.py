"""prefork scenario: one embedded site and one daemon (blue/green) site on one host."""

from helpers import active_mpm, http, http_json, loaded_mpm_modules, verified_checks, verify_report

SECRET = "dmn-secret-not-for-production"


def test_prefork_is_the_only_mpm(host):
    assert active_mpm(host) == "prefork"
    assert loaded_mpm_modules(host) == ["mpm_prefork_module"]


def test_embedded_site_runs_in_apache_children(host):
    data = http_json(host, "/", vhost="emb.test")
    assert data["site"] == "embedded"
    assert data["user"] == "www-data"
    assert data["mod_wsgi_process_group"] == ""  # embedded
    assert data["wsgi_multithread"] is False  # prefork children are single threaded
    assert data["mod_wsgi_application_group"] == "emb.test|"  # own sub-interpreter
    assert data["settings_module"] == "_modwsgi_settings"


def test_daemon_site_runs_as_its_user_in_two_colors(host):
    data = http_json(host, "/", vhost="dmn.test")
    assert data["site"] == "dmn"
    assert data["user"] == "dmn" and data["group"] == "dmn"
    assert data["mod_wsgi_process_group"] in ("dmn_blue", "dmn_green")
    assert data["mod_wsgi_application_group"] == ""  # %{GLOBAL}
    assert data["wsgi_multiprocess"] is True  # processes: 2
    assert data["wsgi_multithread"] is True
    users = host.run("ps -eo user=,args= | grep '^dmn .*(wsgi:' | wc -l").stdout.strip()
    assert users == "4"


def test_collection_verify_embedded_daemon_git_and_archive_sites():
    """modwsgi.django.verify as a user's CI would run it: every check of the four sites passes; the
    embedded site has no daemon to count, the restart-mode sites no colors."""
    proc, report = verify_report()
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    [name] = report
    checks = verified_checks(report, name)
    failed = [item for items in checks.values() for item in items if item["status"] == "failed"]
    assert not failed, failed
    assert [item["status"] for item in checks[("embedded", "daemon")]] == ["skipped"]
    assert checks[("dmn", "daemon")][0]["detail"] == "dmn_blue 2 x dmn (threads=3), dmn_green 2 x dmn (threads=3)"
    assert checks[("gitsite", "daemon")][0]["detail"] == "gitsite 1 x gitsite (threads=3)"
    assert ("dmn", "colors") in checks and ("gitsite", "colors") not in checks and ("arcsite", "colors") not in checks
    for site in ("embedded", "dmn", "gitsite", "arcsite"):
        for check in ("mount", "static", "media", "listing", "exposed"):
            assert all(item["status"] == "ok" for item in checks[(site, check)]), (site, check, checks[(site, check)])
        assert "served by Apache" in checks[(site, "static")][0]["detail"]


def test_static_content_type(host):
    for vhost in ("emb.test", "dmn.test"):
        status, headers, body = http(host, "/static/probe/style.css", vhost=vhost)
        assert status == 200
        assert "probe-static-marker" in body
        assert headers["content-type"].startswith("text/css")


def test_health_and_database(host):
    for vhost in ("emb.test", "dmn.test"):
        assert http_json(host, "/healthz/", vhost=vhost)["status"] == "ok"


def test_embedded_mode_keeps_python_in_apache(host):
    conf = host.file("/etc/apache2/conf-available/modwsgi-django-sites.conf").content_string
    assert "WSGIRestrictEmbedded Off" in conf


def test_secret_file_is_private(host):
    f = host.file("/srv/django/dmn/conf/site.json")
    assert f.user == "root" and f.group == "dmn" and f.mode == 0o640
    assert SECRET in f.content_string
    for path in ("/etc/apache2", "/var/log/apache2"):
        out = host.run("grep -rl %s %s", SECRET, path)
        assert out.stdout.strip() == "", out.stdout


def test_git_and_archive_sources(host):
    """The release of a git site is its commit; of an archive, the tarball's checksum; both serve."""
    commit = host.run("git --git-dir=/opt/src/probe.git rev-parse main").stdout.strip()
    assert len(commit) == 40
    assert host.file("/srv/django/gitsite/current").linked_to == "/srv/django/gitsite/releases/" + commit[:12]
    assert host.file("/srv/django/gitsite/releases/%s/.modwsgi-release" % commit[:12]).content_string.strip() == commit[:12]
    assert host.file("/srv/django/gitsite/cache/git").is_directory
    sha1 = host.run("sha1sum /srv/django/arcsite/cache/source.tar.gz").stdout.split()[0]
    assert host.file("/srv/django/arcsite/current").linked_to == "/srv/django/arcsite/releases/" + sha1[:12]
    for vhost, name in (("git.test", "gitsite"), ("arc.test", "arcsite")):
        assert http_json(host, "/", vhost=vhost)["site"] == name
        assert http_json(host, "/healthz/", vhost=vhost)["status"] == "ok"
    # the tarball holds the project at its top level (no .git), the git release has no .git either
    assert not host.file("/srv/django/gitsite/releases/%s/.git" % commit[:12]).exists
