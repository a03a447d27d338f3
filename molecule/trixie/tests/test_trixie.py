from worker_checks import *  # noqa: F401,F403


def test_debian_13_stack(host):
    """mod_wsgi 5 embedding Python 3.13 on Debian 13."""
    out = host.run("ls -l /usr/lib/apache2/modules/mod_wsgi.so").stdout
    assert "3.13" in out
    assert host.run("dpkg-query -W -f '${Version}' libapache2-mod-wsgi-py3").stdout.startswith("5.")
