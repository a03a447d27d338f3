"""default scenario: event MPM, hardened baseline, a WSGI app over HTTP, failed config test rollback."""


import uuid

from helpers import active_mpm, apache_parent, http, http_json, loaded_mpm_modules, run_playbook

HARDENING = "/etc/apache2/conf-available/modwsgi-django-hardening.conf"


def test_wsgi_app_answers_in_daemon_mode(host):
    data = http_json(host, "/hello", vhost="hello.test")
    assert data["app"] == "hello"
    assert data["process_group"] == "hello"
    assert data["multithread"] is True
    assert data["multiprocess"] is False  # no processes= option: one process, as the guide says
    assert data["script_name"] == "/hello"


def test_only_the_chosen_mpm_is_loaded(host):
    assert active_mpm(host) == "event"
    assert loaded_mpm_modules(host) == ["mpm_event_module"]


def test_baseline_headers_and_no_version_leak(host):
    status, headers = http(host, "/hello", vhost="hello.test")[:2]
    assert status == 200
    assert headers["server"] == "Apache"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "SAMEORIGIN"
    assert headers["referrer-policy"] == "same-origin"


def test_trace_is_refused(host):
    status = http(host, "/hello", vhost="hello.test", method="TRACE")[0]
    assert status == 405


def test_unknown_host_and_directory_listing_denied(host):
    status, dummy, body = http(host, "/", vhost="unknown.test")
    assert status == 403
    assert "Apache/2" not in body  # ServerSignature Off
    assert not host.file("/etc/apache2/mods-enabled/autoindex.load").exists
    assert not host.file("/etc/apache2/mods-enabled/status.load").exists


def test_broken_config_fails_clearly_and_old_config_keeps_serving(host):
    before = host.file(HARDENING).content_string
    parent = apache_parent(host)
    proc = run_playbook("break_config.yml")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-3000:]
    assert "ThisIsNotADirective" in out
    assert HARDENING in out  # names the file it changed
    assert "restored" in out
    assert host.file(HARDENING).content_string == before
    assert apache_parent(host) == parent  # never reloaded or restarted
    assert http_json(host, "/hello", vhost="hello.test")["app"] == "hello"
    status = host.run("apache2ctl -t")
    assert status.rc == 0, status.stderr


def test_each_request_reaches_the_access_log_at_once(host):
    # apache_buffered_logs is false by default: one write per request, no line waits in a child's buffer
    # (docs/benchmarks.md, "Serving profile": BufferedLogs On saves that write, lines then come late).
    # This scenario's only vhost (hello.test) has no CustomLog of its own: its requests go to the server's log.
    marker = "logprobe-%s" % uuid.uuid4().hex
    assert http(host, "/hello?%s" % marker, vhost="hello.test")[0] == 200
    found = host.run("grep -r -l -F -- %s /var/log/apache2", marker)
    assert found.rc == 0 and "access" in found.stdout, found.stdout + found.stderr
    assert "BufferedLogs" not in host.file(HARDENING).content_string
