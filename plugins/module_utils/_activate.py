# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Activate a release of one site without reloading Apache (pure Python, no Ansible import).

bluegreen: two daemon groups ``<site>_blue``/``<site>_green``; ``<root>/<color>`` symlinks to a
release; a RewriteMap text file (``<site> <color>`` lines) chooses the live color per request.
Deploy = repoint the idle color, SIGUSR1 its daemon processes only, health-check it through
127.0.0.1 with the color pinned, then rewrite the map atomically (mod_rewrite re-reads it by
mtime). The live color never stops serving; rollback = flip the map back.

restart: one group; repoint ``current``, SIGUSR1 the group, health-check; on failure point
``current`` back and signal again.

embedded: repoint ``current``; Apache needs a graceful reload (reported, done by the role).
"""

from __future__ import annotations

import os
import re
import signal
import time

from ansible_collections.modwsgi.django.plugins.module_utils._fs import atomic_symlink, atomic_write
from ansible_collections.modwsgi.django.plugins.module_utils._site_tree import COLORS, CURRENT, RUN, daemon_group
from ansible_collections.modwsgi.django.plugins.module_utils._view import LOCAL


class ActivationError(Exception):
    pass


# The first wait between two polls (of a restarting group's pid files, of a health check): a daemon that is
# back after a fraction of a second is seen after a fraction of a second.
FIRST_WAIT = 0.02


def other(color):
    return "green" if color == "blue" else "blue"


def parse_map(text):
    """``{site: color}`` of the RewriteMap text (comments and other lines ignored)."""
    colors = {}
    for line in (text or '').splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1] in COLORS:
            colors[parts[0]] = parts[1]
    return colors


def read_map(path, view=LOCAL):
    data = view.read(path)
    return parse_map(data.decode('utf-8', 'replace') if data is not None else '')


def write_map(path, colors):
    """Rewrite the RewriteMap file atomically, mode 0644, one ``<site> <color>`` line per site."""
    lines = ["# Managed by modwsgi.django: live color per site (RewriteMap txt)\n"]
    lines.extend("%s %s\n" % (name, colors[name]) for name in sorted(colors))
    # mod_rewrite re-reads a txt map when its mtime changes (the rename gives a new inode and mtime).
    atomic_write(path, "".join(lines).encode("utf-8"), 0o644)


class Procs:
    """Daemon processes of a group, from the pid files the site's boot code writes.

    Each daemon process registers itself as ``<run_dir>/<group>.<pid>`` when it starts (the
    WSGIImportScript preload). Process titles cannot be used: mod_wsgi truncates the display
    name to the length of Apache's argv[0], so ``<site>_blue`` and ``<site>_green`` may look alike.
    """

    def __init__(self, run_dir):
        self.run_dir = run_dir

    def pids(self, group):
        found = self._registered(group)
        return found if found else self._by_title(group)

    def _registered(self, group):
        found = []
        try:
            names = os.listdir(self.run_dir)
        except OSError:
            return []
        prefix = group + "."
        for name in names:
            if not name.startswith(prefix) or not name[len(prefix):].isdigit():
                continue
            pid = int(name[len(prefix):])
            if self._is_wsgi_daemon(pid):
                found.append(pid)
            else:
                try:
                    os.unlink(os.path.join(self.run_dir, name))
                except OSError:
                    pass
        return sorted(found)

    @staticmethod
    def _by_title(group):
        """Fallback for daemons started before they could register: match the (truncated) title."""
        title = "(wsgi:%s)" % group
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % entry, "rb") as handle:
                    first = handle.read().split(b"\0")[0].split(b" ")[0].decode("utf-8", "replace")
            except OSError:
                continue
            if first.startswith("(wsgi:") and title.startswith(first):
                if first != title and first != title[:-1]:
                    raise ActivationError("cannot tell the daemon processes of group %s from others by their "
                                          "truncated title %r; reload Apache once (apache2ctl graceful) so that they register" % (group, first))
                found.append(int(entry))
        return sorted(found)

    @staticmethod
    def _is_wsgi_daemon(pid):
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as handle:
                return handle.read().startswith(b"(wsgi:")
        except OSError:
            return False

    def signal(self, pids, signum=signal.SIGUSR1):
        for pid in pids:
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass


def signal_group(procs, group):
    """SIGUSR1 the group's daemons; returns their pids (empty: not running yet, Apache starts it with the new link)."""
    old = procs.pids(group)
    if old:
        procs.signal(old)
    return old


def wait_restarted(procs, group, old, timeout, sleep=time.sleep, clock=time.monotonic):
    """Wait until none of the ``old`` pids of the group is left serving and as many new ones registered.

    Apache's parent notices an exited daemon on its once-a-second maintenance pass, so this takes 0-1 s
    after the signal (which is why ``prepare`` signals the idle color before the management steps run).
    """
    if not old:
        return []
    deadline = clock() + timeout
    while clock() < deadline:
        now = procs.pids(group)
        if len(now) >= len(old) and not set(now) & set(old):
            return now
        sleep(FIRST_WAIT)
    raise ActivationError("daemon group %s did not restart within %ss after SIGUSR1 (old pids %s)"
                          % (group, timeout, old))


def restart_group(procs, group, timeout, sleep=time.sleep, clock=time.monotonic):
    """SIGUSR1 the group's daemons and wait until none of the old pids is left serving."""
    return wait_restarted(procs, group, signal_group(procs, group), timeout, sleep, clock)


def prepare(site, procs=None):
    """Start a bluegreen switch early, while the new release's management steps still run.

    When ``activate(site)`` would repoint the idle color and restart its daemons, do both now: the idle
    color serves no request that is not pinned to it from 127.0.0.1, and its daemons come back while
    migrate, collectstatic and check --deploy run instead of after them. Returns the handle ``activate``
    (``prepared=``) finishes the switch with, and ``unprepare`` puts the idle color back with when the
    build fails; None when there is nothing to start early (not a switch, or the idle color is on the
    release already). Raises ActivationError or OSError as ``activate`` would.
    """
    if site["mode"] != "bluegreen":
        return None
    step = plan(site)
    if step["action"] != "switch" or not step["restart_idle"]:
        return None
    procs = procs or Procs(os.path.join(site["root"], RUN))
    link = os.path.join(site["root"], step["idle"])
    before = LOCAL.readlink(link)
    group = daemon_group(site["name"], step["idle"])
    atomic_symlink(site["release_dir"], link)
    return {"idle": step["idle"], "group": group, "link": link, "before": before, "procs": procs,
            "old": signal_group(procs, group)}


def unprepare(site, prepared, sleep=time.sleep):
    """The build failed after ``prepare``: the idle color back on the release it had (the one a rollback
    flips to) and its daemons restarted onto it. Returns an error message, or None when it is back."""
    procs, group = prepared["procs"], prepared["group"]
    try:
        if prepared["before"] is not None:
            atomic_symlink(prepared["before"], prepared["link"])
        # The daemons signalled by prepare may have started before the link moved back: restart them again.
        wait_restarted(procs, group, prepared["old"], site["restart_timeout"], sleep)
        restart_group(procs, group, site["restart_timeout"], sleep)
    except (ActivationError, OSError) as exc:
        return "color %s of site %s could not be put back on %s: %s" % (prepared["idle"], site["name"], prepared["before"], exc)
    return None


def waits(delay, first=FIRST_WAIT):
    """The waits between two polls: ``first``, doubling, then ``delay`` (never more than ``delay``), so that a site
    that answers a moment after a restart is seen at once while a slow one is still given ``delay`` per poll."""
    wait = first
    while True:
        yield min(wait, delay)
        wait *= 2


def health(probe, params, color, release, sleep=time.sleep):
    """Poll the site through 127.0.0.1 until it answers 2xx/3xx from ``release`` (at most ``retries`` polls,
    the waits between them as :func:`waits` makes them)."""
    last = "no answer"
    pause = waits(params["delay"])
    for attempt in range(max(1, params["retries"])):
        if attempt:
            sleep(next(pause))
        status, got_release, detail = probe(params, color)
        if 200 <= status < 400 and (release is None or got_release == release):
            return status
        if 200 <= status < 400:
            last = "HTTP %s from release %s, waiting for %s" % (status, got_release, release)
        else:
            last = "HTTP %s: %s" % (status, detail)
    raise ActivationError("health check %s on %s failed after %d tries: %s"
                          % (params["path"], color or "the site", params["retries"], last))


def warm(probe, params, color, count):
    """Send ``count`` concurrent health requests to the new color before it goes live, so that
    each of its fresh processes has served once (the first request of a process is slow)."""
    import threading

    threads = [threading.Thread(target=probe, args=(params, color)) for _i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)


def verify_live(probe, site, colors, previous, release_id, sleep=time.sleep, tries=20, delay=0.1):
    """After the map names the new color: the site, asked as any client asks it (no color pinned), must
    answer from ``release_id``. Otherwise the map is put back to ``previous`` (still running) and the
    switch fails: new requests never stay on a color that does not serve."""
    params = dict(site["health"], retries=tries, delay=delay)
    try:
        health(probe, params, None, release_id, sleep)
    except ActivationError as exc:
        colors[site["name"]] = previous
        write_map(site["map_path"], colors)
        raise ActivationError("the map named the new color but the site did not answer from release %s (%s); "
                              "the map was put back to %s" % (release_id, exc, previous))


def plan(site, rollback=False, view=LOCAL):
    """What ``activate(site, rollback=rollback)`` will do, read from the links and the map alone.

    Changes nothing and probes nothing; ``activate`` follows the plan it gets from here, and check
    mode reports it, so the two cannot disagree. Returns a dict:

    ``result``: what ``activate`` returns when every health check passes (changed, site, mode,
    release, and live/previous/first/reload_required where they apply).
    ``action``: bluegreen ``rollback`` (flip to the idle color and its ``target``), ``none`` (the
    release is live; ``write_map``/``link_current`` say what needs repairing), ``first`` (both
    colors start on the release) or ``switch`` (to the idle color, ``restart_idle`` when its link
    moves or a restart is forced); restart/embedded ``none`` or ``relink`` (``restart``: signal the
    group and health-check, for a restart site that had a release before). Bluegreen plans also
    carry ``colors`` (the map as read), ``live`` and ``idle``.

    ``view`` (``_view``) is what the links and the map are read from: the host, or a snapshot of it.
    Raises ActivationError when there is nothing to activate.
    """
    root = site["root"]
    release = site["release_dir"]
    current = os.path.join(root, CURRENT)
    force = site.get("force", False)
    result = {"changed": False, "site": site["name"], "mode": site["mode"]}
    bluegreen = site["mode"] == "bluegreen"
    if release is None and not (bluegreen and rollback):
        raise ActivationError("no release to activate (release_dir is required unless a bluegreen site rolls back)")

    if bluegreen:
        colors = read_map(site["map_path"], view)
        # No line: no color is live (the site answers 503); blue is taken as the last live one, so a deploy
        # of the release blue runs writes the line back, and a new release goes to green and is checked first.
        live = colors.get(site["name"], "blue")
        idle = other(live)
        step = {"result": result, "colors": colors, "live": live, "idle": idle}
        if rollback:
            target = view.readlink(os.path.join(root, idle))
            if target is None:
                raise ActivationError("no previous release on color %s to roll back to" % idle)
            result.update(changed=True, live=idle, previous=live, release=target, checked=True)
            step.update(action="rollback", target=target)
            return step
        live_target = view.readlink(os.path.join(root, live))
        if live_target == release and not force:
            # First deploy through the role (it links both colors before Apache starts them): the
            # live color is recorded explicitly instead of relying on the map's default.
            repair_map = site["name"] not in colors
            repair_current = view.readlink(current) != release
            result.update(changed=repair_map or repair_current, live=live, release=release)
            step.update(action="none", write_map=repair_map, link_current=repair_current)
            return step
        if live_target is None:
            result.update(changed=True, live="blue", release=release, first=True)
            step.update(action="first")
            return step
        result.update(changed=True, live=idle, previous=live, release=release, checked=True)
        step.update(action="switch", restart_idle=force or view.readlink(os.path.join(root, idle)) != release)
        return step

    previous = view.readlink(current)
    if previous == release and not (force and previous is not None):
        result.update(release=release)
        return {"result": result, "action": "none"}
    restart = site["mode"] == "restart" and previous is not None
    result.update(changed=True, release=release, previous=previous, checked=restart)
    if site["mode"] == "embedded":
        result["reload_required"] = previous is not None
    return {"result": result, "action": "relink", "previous": previous, "restart": restart}


def _laps(timings, clock=time.monotonic):
    """``lap(name)`` records in ``timings`` (a dict, or None: nothing recorded) the seconds since the previous
    lap (or this call)."""
    if timings is None:
        timings = {}
    mark = [clock()]

    def lap(name):
        now = clock()
        timings[name] = round(now - mark[0], 3)
        mark[0] = now
    return lap


def activate(site, probe, procs=None, sleep=time.sleep, rollback=False, timings=None, prepared=None):
    """Make ``site['release_dir']`` live, as ``plan`` decides. Returns the plan's result; raises ActivationError.

    ``site``: name, mode (bluegreen|restart|embedded), root, release_dir, map_path,
    health (path, host, port, scheme, retries, delay), restart_timeout, force (optional).
    ``timings``: a dict that gets the seconds of each phase of a bluegreen switch (restart, health, warm, flip).
    ``prepared``: what ``prepare(site)`` returned: the idle color was repointed and signalled already, the
    switch waits for its daemons (``restart`` is then the time left to wait).
    """
    step = plan(site, rollback)
    result = step["result"]
    procs = procs or Procs(os.path.join(site["root"], RUN))
    root = site["root"]
    release = site["release_dir"]
    release_id = os.path.basename(release.rstrip("/")) if release else None
    current = os.path.join(root, CURRENT)
    action = step["action"]

    if site["mode"] == "bluegreen":
        colors, idle = step["colors"], step["idle"]
        if action == "rollback":
            target = step["target"]
            health(probe, site["health"], idle, os.path.basename(target), sleep)
            colors[site["name"]] = idle
            write_map(site["map_path"], colors)
            verify_live(probe, site, colors, step["live"], os.path.basename(target), sleep)
            atomic_symlink(target, current)
        elif action == "none":
            if step["write_map"]:
                colors[site["name"]] = step["live"]
                write_map(site["map_path"], colors)
            if step["link_current"]:
                atomic_symlink(release, current)
        elif action == "first":
            # Both colors start on this release; Apache (re)loads them.
            atomic_symlink(release, os.path.join(root, "blue"))
            atomic_symlink(release, os.path.join(root, "green"))
            atomic_symlink(release, current)
            colors[site["name"]] = "blue"
            write_map(site["map_path"], colors)
        else:
            lap = _laps(timings)
            if prepared is not None:
                wait_restarted(prepared["procs"], prepared["group"], prepared["old"], site["restart_timeout"], sleep)
                lap("restart")
            elif step["restart_idle"]:
                atomic_symlink(release, os.path.join(root, idle))
                restart_group(procs, daemon_group(site["name"], idle), site["restart_timeout"], sleep)
                lap("restart")
            health(probe, site["health"], idle, release_id, sleep)
            lap("health")
            warm(probe, site["health"], idle, max(4, 3 * len(procs.pids(daemon_group(site["name"], idle)))))
            lap("warm")
            colors[site["name"]] = idle
            write_map(site["map_path"], colors)
            verify_live(probe, site, colors, step["live"], release_id, sleep)
            atomic_symlink(release, current)
            lap("flip")
        return result

    if action == "none":
        return result
    atomic_symlink(release, current)
    if not step["restart"]:
        return result
    previous = step["previous"]
    try:
        restart_group(procs, daemon_group(site["name"]), site["restart_timeout"], sleep)
        health(probe, site["health"], None, release_id, sleep)
    except ActivationError as exc:
        atomic_symlink(previous, current)
        try:
            restart_group(procs, daemon_group(site["name"]), site["restart_timeout"], sleep)
        except ActivationError:
            pass
        raise ActivationError("%s; %s points back at %s" % (exc, current, previous))
    return result


_RELEASE_HEADER = re.compile(r"^[A-Za-z0-9._-]+$")


def http_probe(params, color):
    """Real probe: GET through 127.0.0.1 with the site's Host header (and the color pinned)."""
    import http.client
    import ssl

    # X-Modwsgi-Health asks the site's boot code (from loopback only) to name its release.
    headers = {"Host": params["host"], "User-Agent": "modwsgi.django-healthcheck", "X-Modwsgi-Health": "1"}
    if color:
        headers["X-Modwsgi-Color"] = color
    if params["scheme"] == "https":
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection("127.0.0.1", params["port"], timeout=params.get("timeout", 10), context=ctx)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", params["port"], timeout=params.get("timeout", 10))
    try:
        conn.request("GET", params["path"], headers=headers)
        resp = conn.getresponse()
        body = resp.read(300).decode("utf-8", "replace")
        release = resp.getheader("X-Modwsgi-Release")
        if release is not None and not _RELEASE_HEADER.match(release):
            release = None
        return resp.status, release, body
    except (OSError, http.client.HTTPException) as exc:
        return 0, None, str(exc)
    finally:
        conn.close()


def check_all(sites, params, probe=None, sleep=time.sleep, workers=8):
    """Health-check many sites at once (after an Apache reload every daemon restarted).

    ``sites``: [{name, host, path, release (optional)}]; ``params``: port, scheme, retries, delay,
    timeout shared by all. Polls up to ``workers`` sites concurrently. Returns ({name: status},
    {name: error}) - every site is polled to the end, failed or not.
    """
    import threading

    probe = probe or http_probe
    ok, failed = {}, {}
    lock = threading.Lock()
    pending = list(sites)

    def worker():
        while True:
            with lock:
                if not pending:
                    return
                site = pending.pop(0)
            site_params = dict(params, host=site["host"], path=site["path"])
            try:
                status = health(probe, site_params, None, site.get("release"), sleep)
            except ActivationError as exc:
                with lock:
                    failed[site["name"]] = str(exc)
            else:
                with lock:
                    ok[site["name"]] = status

    threads = [threading.Thread(target=worker) for _i in range(max(1, min(workers, len(sites))))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return ok, failed


def rollback_all(sites, probe, map_path, sleep=time.sleep):
    """Flip every bluegreen site of ``sites`` back to its other color, all or none.

    Each site's previous color is health-checked first (pinned, it must answer from the release its link
    points at); when one fails nothing is flipped. Then one write of the map flips them all, and each must
    answer from its previous release without a pinned color (otherwise the map is put back whole). Each
    site: name, root, health (path, host, port, scheme, retries, delay). Returns {name: result}.
    """
    colors = read_map(map_path)
    steps = []
    for site in sites:
        step = plan(dict(site, mode="bluegreen", release_dir=None, map_path=map_path), rollback=True)
        health(probe, site["health"], step["idle"], os.path.basename(step["target"]), sleep)
        steps.append((site, step))
    before = dict(colors)
    for site, step in steps:
        colors[site["name"]] = step["idle"]
    write_map(map_path, colors)
    try:
        for site, step in steps:
            health(probe, dict(site["health"], retries=20, delay=0.1), None, os.path.basename(step["target"]), sleep)
    except ActivationError as exc:
        write_map(map_path, before)
        raise ActivationError("after the flip, a site did not answer from its previous release (%s); the map was put back" % exc)
    results = {}
    for site, step in steps:
        atomic_symlink(step["target"], os.path.join(site["root"], CURRENT))
        results[site["name"]] = step["result"]
    return results
