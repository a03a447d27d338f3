"""mass_hosting scenario: a site directory dropped under the base dir answers without a reload."""

from helpers import apache_generation, apache_parent, http, http_json


def _add_site(host, name):
    out = host.run("cp -r /opt/massprobe-fixture /srv/mass/%s && chmod -R a+rX /srv/mass/%s", name, name)
    assert out.rc == 0, out.stderr


def test_new_site_answers_without_reload_or_restart(host):
    parent = apache_parent(host)
    generation = apache_generation(host)
    status, _headers, _body = http(host, "/gamma/", vhost="mass.test")
    assert status in (403, 404)  # not there yet
    _add_site(host, "gamma")
    data = http_json(host, "/gamma/", vhost="mass.test")
    assert data["site"] == "gamma"
    assert data["script_name"] == "/gamma"
    _add_site(host, "delta")
    assert http_json(host, "/delta/", vhost="mass.test")["site"] == "delta"
    assert apache_parent(host) == parent
    assert apache_generation(host) == generation


def test_media_of_a_mass_hosted_site(host):
    _add_site(host, "epsilon")
    status, _headers, body = http(host, "/epsilon/media/marker.txt", vhost="mass.test")
    assert status == 200
    assert "massprobe-media-marker" in body


def test_each_site_gets_its_own_interpreter(host):
    _add_site(host, "zeta")
    _add_site(host, "eta")
    zeta = http_json(host, "/zeta/", vhost="mass.test")
    eta = http_json(host, "/eta/", vhost="mass.test")
    assert zeta["site"] == "zeta" and eta["site"] == "eta"


def test_the_daemon_group_runs_with_the_given_settings(host):
    """modwsgi_mass_hosting.daemon (molecule.yml: processes 2, threads 3, maximum_requests 500, display_name
    mass-daemon) is rendered as a site's daemon is: two processes under that name, multiprocess and
    multithreaded, recycled after 500 requests."""
    _add_site(host, "theta")
    data = http_json(host, "/theta/", vhost="mass.test")
    assert data["mod_wsgi_process_group"] == "modwsgi_mass"
    assert data["multiprocess"] is True and data["multithread"] is True
    names = host.run("ps -eo args=").stdout.splitlines()
    daemons = [line for line in names if line.startswith("mass-daemon")]
    assert len(daemons) == 2, names
    conf = host.run("grep -h -A4 'WSGIDaemonProcess modwsgi_mass' /etc/apache2/sites-enabled/*.conf").stdout
    assert " processes=2 " in conf and " threads=3 " in conf and "maximum-requests=500" in conf, conf
