# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Several hosts, one database: which host migrates, and what a stopped rollout left behind.

Pure Python. ``migrate_once`` is applied by ``validate_sites`` (option ``rollout``) so that the
normalized sites every later task reads (``release_status``, ``manage_steps``) already say whether
this host runs ``migrate``. ``stop_report`` builds the message of the deploy playbook's rescue
(filter ``rollout_report``). ``check_serial`` checks the playbooks' ``modwsgi_serial`` (filter
``rollout_serial``).
"""

from __future__ import annotations

FIELD = 'django_site_migrate_on'
RULE = 'migrate-once'


SERIAL_FIX = ('a number of hosts (2), a percentage of the play\'s hosts ("25%") or a list of them ([1, "50%"]) '
              'for growing batches; 0 or "100%": all hosts at once')


def _serial_item(value):
    """One batch size as Ansible's ``serial`` takes it, or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str):
        text = value.strip()
        number = text[:-1] if text.endswith('%') else text
        if not number.isdigit():
            return None
        if text.endswith('%'):
            return text if 0 < int(number) <= 100 else None
        return int(number)
    return None


def check_serial(value, name='modwsgi_serial'):
    """``value`` as the play's ``serial`` keyword, or ValueError naming ``name``, the value and the fix.

    A number (``-e modwsgi_serial=2`` arrives as the string ``"2"``), a percentage ``"N%"`` with N in
    1-100, or a non-empty list of them. Ansible would otherwise stop with its own message, or, for
    ``-1``, quietly run all hosts in one batch: a rollout that drains every host at once.
    """
    items = value if isinstance(value, (list, tuple)) else [value]
    checked = [_serial_item(item) for item in items]
    if not items or any(item is None for item in checked):
        raise ValueError('%s: %r is not a batch size; set it to %s' % (name, value, SERIAL_FIX))
    return checked if isinstance(value, (list, tuple)) else checked[0]


def _order(host, hosts):
    try:
        return list(hosts).index(host)
    except ValueError:
        return None


def migrate_once(sites, migrate_on, host, inventory_hosts, play_hosts, batch):
    """Decide whether ``host`` runs ``migrate`` when only ``migrate_on`` may.

    ``play_hosts`` is the play's hosts in rollout order (``ansible_play_hosts_all``), ``batch`` the
    hosts deployed together with ``host`` (``ansible_play_batch``), ``inventory_hosts`` every host of
    the inventory (``groups['all']``).

    Returns ``(sites, errors, warnings)``: the sites with ``migrate`` false unless ``host`` is
    ``migrate_on`` (copies; the input is not changed), and messages as ``(field, message, fix)``.
    Empty ``migrate_on``: every host migrates, nothing changes.
    """
    if not migrate_on:
        return sites, [], []
    errors, warnings = [], []
    play_hosts = list(play_hosts or [])
    batch = list(batch or [])
    if migrate_on not in (inventory_hosts or []):
        errors.append((FIELD, "'%s' is not a host of the inventory, so no host would run migrate." % migrate_on,
                       "set %s to the inventory hostname of the first host of the rollout%s."
                       % (FIELD, " (for example '%s')" % play_hosts[0] if play_hosts else '')))
    elif migrate_on not in play_hosts:
        warnings.append("%s: '%s' is not in this play (--limit?), so no host of this play runs migrate. That is right "
                        "only when '%s' already deployed this release; otherwise deploy it first." % (FIELD, migrate_on, migrate_on))
    elif host in play_hosts and migrate_on not in batch and _order(migrate_on, play_hosts) > _order(host, play_hosts):
        errors.append((FIELD, "host '%s' is deployed before '%s', the only host that runs migrate: it would serve the "
                              "new release before its migrations ran." % (host, migrate_on),
                       "make '%s' the first host of the play (inventory order), or set %s to '%s'."
                       % (migrate_on, FIELD, play_hosts[0])))
    if host == migrate_on:
        return sites, errors, warnings
    skipped = []
    for site in sites:
        if isinstance(site, dict) and site.get('migrate'):
            site = dict(site, migrate=False)
        skipped.append(site)
    return skipped, errors, warnings


def stop_report(host, failed_task, play_hosts, batch, failed_hosts=(), rollback=False, inventory='INVENTORY'):
    """The message that stops a rolling deploy at ``host``: what serves what, and how to go back.

    Hosts before ``host``'s batch (in ``play_hosts`` order) and not failed finished the play: they
    serve the new release. Hosts after the batch were not touched. A bluegreen site flips only after
    its health check passed, so ``host`` itself keeps its live release.
    """
    play_hosts = list(play_hosts or [])
    batch = set(batch or [])
    failed = set(failed_hosts or []) | {host}
    index = _order(host, play_hosts)
    if index is None:
        before, after = [], []
    else:
        before = [h for h in play_hosts[:index] if h not in batch and h not in failed]
        after = [h for h in play_hosts[index + 1:] if h not in batch]
    lines = ['%s failed at "%s".' % (host, failed_task or '?')]
    if rollback:
        lines.append('The rollback stopped here; %s keeps the color it had.' % host)
        if after:
            lines.append('Not rolled back yet: %s.' % ', '.join(after))
        return ' '.join(lines)
    lines.append('%s keeps its live release (a bluegreen site flips only after a healthy check).' % host)
    if before:
        lines.append('Hosts that already serve the new release: %s.' % ', '.join(before))
        lines.append('To put them back on their previous release: ansible-playbook modwsgi.django.rollback -i %s '
                     '--limit %s' % (inventory, ','.join(before)))
    else:
        lines.append('No host before it was changed.')
    if after:
        lines.append('Not touched: %s.' % ', '.join(after))
    return ' '.join(lines)
