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


# The task of the pre-check that validates every site (roles/django_site/tasks/validate.yml).
VALIDATE_TASK = "TASK [modwsgi.django.django_site : Django_site | Validate every site and read the host once"


def apache_tasks_after_validation(out):
    """The apache role's task headers in a play's output after its last validation of the sites: none when a
    refused inventory stopped the run there. (The role's facts, read before the validation, touch no host.)"""
    assert VALIDATE_TASK in out, out[-3000:]
    after = out.rsplit(VALIDATE_TASK, 1)[1]
    return [line for line in after.splitlines() if line.startswith("TASK [modwsgi.django.apache")]


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
        prefix, _sep, pid = name.rpartition(".")
        if prefix == group and host.run("test -d /proc/%s", pid).rc == 0:
            pids.append(int(pid))
    return sorted(pids)


def apache_generation(host):
    """How many times Apache was (re)started or gracefully reloaded (from its error log)."""
    out = host.run("grep -c 'resuming normal operations' /var/log/apache2/error.log")
    return int(out.stdout.strip() or 0)


def http_header_lines(host, path, vhost="localhost", method="GET", port=80):
    """Like http(), but keeps every header line, repeated ones too: (status, [(name, value)], body)."""
    args = ["curl", "-sk", "--max-time", "20", "-o", "/tmp/.probe-body", "-D", "-", "-X", method,
            "--resolve", "%s:%d:127.0.0.1" % (vhost, port), "http://%s:%d%s" % (vhost, port, path)]
    out = host.run(" ".join(_quote(a) for a in args))
    assert out.rc == 0, "curl failed (%s): %s" % (out.rc, out.stderr)
    blocks = [b for b in out.stdout.replace("\r\n", "\n").split("\n\n") if b.strip()]
    lines = blocks[-1].split("\n")
    headers = [(n.strip().lower(), v.strip()) for n, _sep, v in (line.partition(":") for line in lines[1:]) if v]
    return int(lines[0].split()[1]), headers, host.file("/tmp/.probe-body").content_string


def timed_get(host, path, vhost, max_time=40):
    """One GET through 127.0.0.1 inside the container: (status, seconds) as curl saw them (0: no answer)."""
    out = host.run("curl -s -o /dev/null -m %s -w '%%{http_code} %%{time_total}' --resolve %s:80:127.0.0.1 %s"
                   % (max_time, _quote(vhost), _quote("http://%s%s" % (vhost, path))))
    status, seconds = (out.stdout.split() + ["0", "0"])[:2]
    return int(status), float(seconds)


def wait_for_status(host, path, vhost, statuses=(200,), timeout=30.0, max_time=15):
    """Poll until a GET answers with one of ``statuses``; returns (seconds waited, [(status, s) seen])."""
    import time
    start, seen = time.time(), []
    while True:
        status, seconds = timed_get(host, path, vhost, max_time=max_time)
        seen.append((status, round(seconds, 2)))
        if status in statuses:
            return time.time() - start, seen
        if time.time() - start > timeout:
            raise AssertionError("%s%s never answered %s within %ss: %s" % (vhost, path, statuses, timeout, seen[-10:]))
        time.sleep(0.5)


def start_loadgen(host, vhost, out, seconds=10, threads=4, slow=0, slow_seconds=10):
    """Start molecule/shared/files/loadgen.py (at /opt/loadgen.py) in the background, bounded in time."""
    started = host.run("rm -f %s; nohup python3 /opt/loadgen.py --host %s --seconds %s --threads %s --slow %s "
                       "--slow-seconds %s --max-requests 50000 --out %s > %s.log 2>&1 &",
                       out, vhost, str(seconds), str(threads), str(slow), str(slow_seconds), out, out)
    assert started.rc == 0, started.stderr


def wait_loadgen(host, out, timeout=120):
    """Wait for a start_loadgen() run to write its report; returns its list of requests."""
    import time
    for _unused1 in range(int(timeout)):
        if host.file(out).exists:
            return json.loads(host.file(out).content_string)["requests"]
        time.sleep(1)
    raise AssertionError("load generator did not finish: " + host.run("cat %s.log", out).stdout)


CMDLINE_SAMPLER = r"""
import json, os, sys, time
out, stop, until = sys.argv[1], sys.argv[2], time.time() + float(sys.argv[3])
seen = set()
while time.time() < until and not os.path.exists(stop):
    for pid in os.listdir('/proc'):
        if pid.isdigit():
            try:
                with open('/proc/%s/cmdline' % pid, 'rb') as handle:
                    seen.add(handle.read().replace(b'\0', b' ').decode('utf-8', 'replace'))
            except OSError:
                pass
    time.sleep(0.01)
fd = os.open(out + '.tmp', os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, 'w') as handle:
    json.dump(sorted(seen), handle)
os.rename(out + '.tmp', out)
"""


def start_cmdline_sampler(host, out="/root/.cmdlines.json", seconds=600):
    """Record every distinct process command line on the target (every 10 ms) until stop_cmdline_sampler()."""
    host.run("rm -f %s %s.stop", out, out)
    started = host.run("nohup python3 -c %s %s %s.stop %s > /dev/null 2>&1 &" % (_quote(CMDLINE_SAMPLER), out, out, seconds))
    assert started.rc == 0, started.stderr
    return out


def stop_cmdline_sampler(host, out="/root/.cmdlines.json", timeout=30):
    """Stop the sampler; returns the command lines it saw (the file is removed)."""
    import time
    host.run("touch %s.stop", out)
    for _unused in range(timeout * 2):
        if host.file(out).exists:
            lines = json.loads(host.file(out).content_string)
            host.run("rm -f %s %s.stop", out, out)
            return lines
        time.sleep(0.5)
    raise AssertionError("command line sampler did not finish")


def secret_forms(value):
    """The ways a secret value could show up in text: as is, JSON-escaped, and each line of a multi-line one."""
    text = str(value)
    forms = {text, json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]}
    forms.update(line for line in text.replace("\r", "\n").split("\n") if len(line.strip()) >= 8)
    return sorted(form for form in forms if len(form.strip()) >= 8)


def leaked_secrets(text, secrets):
    """Names of the secrets (name -> value) any form of which appears in text."""
    return sorted(name for name, value in secrets.items() if any(form in text for form in secret_forms(value)))


def verify_report(*extra):
    """Run the collection's modwsgi.django.verify playbook (molecule/shared/verify.yml) as a user's CI would.

    Returns (CompletedProcess, {host: {checks, failures, summary}}) from the JSON report it writes.
    """
    import tempfile

    handle, report = tempfile.mkstemp(prefix="modwsgi-verify-", suffix=".json")
    os.close(handle)
    try:
        proc = run_playbook("verify.yml", "-e", "verify_report=" + report, *extra)
        with open(report) as stream:
            text = stream.read()
    finally:
        os.unlink(report)
    return proc, (json.loads(text) if text.strip() else {})


def verified_checks(report, host_name):
    """{(site, check): [results]} of one host of a verify report."""
    found = {}
    for item in report.get(host_name, {}).get("checks", []):
        found.setdefault((item["site"], item["check"]), []).append(item)
    return found
