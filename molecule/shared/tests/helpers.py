"""Helpers shared by the scenarios' testinfra tests: HTTP probes run inside the container."""

import json
import os
import subprocess


def http(host, path, vhost="localhost", method="GET", port=80, scheme="http", headers=None, data=None, cookies=None):
    """Request 127.0.0.1 from inside the container with curl; returns (status, headers, body)."""
    args = ["curl", "-sk", "--max-time", "20", "-o", "/tmp/.probe-body", "-D", "-", "-X", method,
            "--resolve", "%s:%d:127.0.0.1" % (vhost, port)]
    for name, value in (headers or {}).items():
        args += ["-H", "%s: %s" % (name, value)]
    if cookies:
        args += ["-b", cookies, "-c", cookies]
    if data is not None:
        args += ["--data", data]
    args.append("%s://%s:%d%s" % (scheme, vhost, port, path))
    out = host.run(" ".join(_quote(a) for a in args))
    assert out.rc == 0, "curl failed (%s): %s" % (out.rc, out.stderr)
    status, hdrs = _parse_headers(out.stdout)
    body = host.file("/tmp/.probe-body").content_string
    return status, hdrs, body


def http_json(host, path, **kwargs):
    status, headers, body = http(host, path, **kwargs)
    assert status == 200, "GET %s -> %s: %s" % (path, status, body[:500])
    return json.loads(body)


def _quote(arg):
    return "'" + arg.replace("'", "'\\''") + "'"


def _parse_headers(raw):
    blocks = [b for b in raw.replace("\r\n", "\n").split("\n\n") if b.strip()]
    last = blocks[-1].split("\n")
    status = int(last[0].split()[1])
    headers = {}
    for line in last[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return status, headers


def apache_parent(host):
    """(pid, generation-ish start time) of the Apache parent process."""
    pid = host.run("cat /var/run/apache2/apache2.pid").stdout.strip()
    start = host.run("ps -o lstart= -p %s" % pid).stdout.strip()
    return pid, start


def run_playbook(playbook, *extra):
    """Run a playbook against the scenario's inventory, as molecule would; returns CompletedProcess."""
    inventory = os.environ["MOLECULE_INVENTORY_FILE"]
    shared = os.path.join(os.environ["MOLECULE_PROJECT_DIRECTORY"], "molecule", "shared")
    cmd = ["ansible-playbook", "-i", inventory, os.path.join(shared, playbook)] + list(extra)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)


def active_mpm(host):
    out = host.run("apache2ctl -V").stdout
    for line in out.splitlines():
        if line.startswith("Server MPM:"):
            return line.split(":", 1)[1].strip().lower()
    raise AssertionError("no 'Server MPM' in apache2ctl -V: " + out)


def loaded_mpm_modules(host):
    out = host.run("apache2ctl -M").stdout
    return sorted(line.split()[0] for line in out.splitlines() if line.strip().startswith("mpm_"))


def registered_pids(host, site, color=None, root="/srv/django"):
    """Live daemon pids a site's processes registered under <root>/<site>/run."""
    group = "%s_%s" % (site, color) if color else site
    out = host.run("ls %s/%s/run", root, site).stdout.split()
    pids = []
    for name in out:
        prefix, _, pid = name.rpartition(".")
        if prefix == group and host.run("test -d /proc/%s", pid).rc == 0:
            pids.append(int(pid))
    return sorted(pids)


def apache_generation(host):
    """How many times Apache was (re)started or gracefully reloaded (from its error log)."""
    out = host.run("grep -c 'resuming normal operations' /var/log/apache2/error.log")
    return int(out.stdout.strip() or 0)
