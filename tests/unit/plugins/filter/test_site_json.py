# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The site_json filter: conf/site.json entries (env, secrets over it, effective settings), never diffed."""

from __future__ import annotations

import grp
import json
import os
import pwd

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.modwsgi.django.plugins.filter.site_json import FilterModule
from ansible_collections.modwsgi.django.plugins.module_utils._layout import mask_secrets, validate
from ansible_collections.modwsgi.django.plugins.modules import file_batch
from ansible_collections.modwsgi.django.tests.unit.plugins.modules.utils import run_module

SITE_JSON = FilterModule().filters()["site_json"]
SHOP_KEY = "shop-secret-key-" + "k" * 40
BLOG_KEY = "blog-secret-key-" + "b" * 40


def inventory(root=None):
    sites = [
        {"name": "shop", "server_name": "shop.example.com", "project": "shop", "source": {"type": "path", "path": "/src/shop"},
         "env": {"DJANGO_DEBUG": "0", "DATABASE_URL": "sqlite:///placeholder"},
         "secrets": {"DJANGO_SECRET_KEY": SHOP_KEY, "DATABASE_PASSWORD": "postgres://shop:pw@db/shop"},
         "django_settings": {"TIME_ZONE": "Europe/Berlin"}},
        {"name": "blog", "server_name": "www.example.com", "mount": "/blog", "project": "blog",
         "source": {"type": "path", "path": "/src/blog"}, "secrets": {"DJANGO_SECRET_KEY": BLOG_KEY}},
        {"name": "wiki", "server_name": "www.example.com", "project": "wiki", "source": {"type": "path", "path": "/src/wiki"},
         "env": {"MODE": "wiki"}},
    ]
    if root is not None:
        for site in sites:
            site["root"] = os.path.join(root, site["name"])
    return sites


def normalized(raw):
    """The sites as the validate_sites module returns them (its secrets masked), what the role gives the filter."""
    result = validate(raw, check_filesystem=False)
    assert not result.errors, result.errors
    return mask_secrets(result.sites)


def by_tag(entries):
    return dict((entry["tag"], entry) for entry in entries)


def test_one_entry_per_site_in_site_order_with_owner_group_mode_and_no_diff():
    raw = inventory()
    sites = normalized(raw)
    entries = SITE_JSON(sites, raw)
    assert [entry["tag"] for entry in entries] == [site["name"] for site in sites]
    for site, entry in zip(sites, entries):
        assert entry["path"] == site["paths"]["site_json"] == os.path.join(site["paths"]["root"], "conf", "site.json")
        assert (entry["state"], entry["owner"], entry["group"], entry["mode"]) == ("file", "root", site["group"], "0640")
        assert entry["no_diff"] is True
        assert entry["content"].endswith("\n")


def test_environ_is_env_with_the_sites_own_secrets_over_it():
    raw = inventory()
    entries = by_tag(SITE_JSON(normalized(raw), raw))
    shop = json.loads(entries["shop"]["content"])
    assert shop["environ"] == {"DJANGO_DEBUG": "0", "DATABASE_URL": "sqlite:///placeholder",
                               "DATABASE_PASSWORD": "postgres://shop:pw@db/shop", "DJANGO_SECRET_KEY": SHOP_KEY}
    # validate_sites refuses a key in both; should one get through, the secret wins
    raw[0]["secrets"]["DATABASE_URL"] = "postgres://real"
    assert json.loads(by_tag(SITE_JSON(normalized(inventory()), raw))["shop"]["content"])["environ"]["DATABASE_URL"] == "postgres://real"
    assert json.loads(entries["blog"]["content"])["environ"] == {"DJANGO_SECRET_KEY": BLOG_KEY}
    assert json.loads(entries["wiki"]["content"])["environ"] == {"MODE": "wiki"}


def test_a_site_never_gets_another_sites_secrets_nor_the_mask():
    raw = inventory()
    entries = by_tag(SITE_JSON(normalized(raw), raw))
    assert not any("VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in entry["content"] for entry in entries.values())
    assert SHOP_KEY not in entries["blog"]["content"] + entries["wiki"]["content"]
    assert BLOG_KEY not in entries["shop"]["content"] + entries["wiki"]["content"]


def test_settings_are_the_effective_settings_of_validate_sites():
    raw = inventory()
    sites = normalized(raw)
    entries = by_tag(SITE_JSON(sites, raw))
    for site in sites:
        settings = json.loads(entries[site["name"]]["content"])["settings"]
        assert settings == site["effective_settings"]
        assert "FORCE_SCRIPT_NAME" not in settings
    shop = json.loads(entries["shop"]["content"])["settings"]
    assert shop["TIME_ZONE"] == "Europe/Berlin" and shop["ALLOWED_HOSTS"] == ["shop.example.com"]
    assert json.loads(entries["blog"]["content"])["settings"]["SESSION_COOKIE_PATH"] == "/blog"


def test_content_is_stable_sorted_json():
    raw = inventory()
    first = SITE_JSON(normalized(raw), raw)
    raw_reordered = [dict(reversed(list(site.items()))) for site in reversed(inventory())]
    second = SITE_JSON(normalized(raw_reordered), raw_reordered)
    assert by_tag(first) == by_tag(second)
    text = by_tag(first)["shop"]["content"]
    assert text == json.dumps(json.loads(text), indent=4, sort_keys=True, separators=(",", ": ")) + "\n"


def test_validate_sites_output_has_no_secrets_so_they_come_from_the_inventory_only():
    raw = inventory()
    sites = normalized(raw)
    assert SHOP_KEY not in json.dumps(sites) and sites[0]["secrets"]
    entries = by_tag(SITE_JSON(sites, []))
    assert json.loads(entries["shop"]["content"])["environ"] == {"DJANGO_DEBUG": "0", "DATABASE_URL": "sqlite:///placeholder"}
    entries = by_tag(SITE_JSON(sites, [None, "junk", {"name": 3}, {"name": "blog", "secrets": None}] + raw[:1]))
    assert json.loads(entries["shop"]["content"])["environ"]["DJANGO_SECRET_KEY"] == SHOP_KEY
    assert json.loads(entries["blog"]["content"])["environ"] == {}


def test_file_batch_writes_the_entries_without_showing_secrets_in_its_result(capsys, tmp_path):
    """What the role does with the entries (file_batch with --diff): the secrets reach the file, never the result."""
    raw = inventory(str(tmp_path))
    entries = SITE_JSON(normalized(raw), raw)
    me, my_group = pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name
    for entry in entries:  # this test runs unprivileged-safe: as the current user, not root:<site group>
        entry.update(owner=me, group=my_group)
        os.makedirs(os.path.dirname(entry["path"]))
    code, result = run_module(file_batch.main, capsys, {"entries": entries, "_ansible_diff": True})
    assert code == 0 and result["changed"] is True and sorted(result["changed_tags"]) == ["blog", "shop", "wiki"]
    assert "diff" not in result
    shown = json.dumps(result)
    assert SHOP_KEY not in shown and BLOG_KEY not in shown and "postgres://" not in shown
    with open(str(tmp_path / "shop" / "conf" / "site.json")) as handle:
        assert json.load(handle)["environ"]["DJANGO_SECRET_KEY"] == SHOP_KEY
    assert oct(os.stat(str(tmp_path / "shop" / "conf" / "site.json")).st_mode & 0o777) == "0o640"


@pytest.mark.parametrize("sites", [
    [{"name": "shop"}],  # not normalized: no paths
    [{"name": "shop", "paths": {"root": "/srv/django/shop"}, "group": "shop"}],
    ["shop"],
    None,
])
def test_sites_that_are_not_normalized_are_a_filter_error(sites):
    with pytest.raises(AnsibleFilterError, match="site_json: needs the normalized sites of validate_sites") as caught:
        SITE_JSON(sites, inventory())
    assert SHOP_KEY not in str(caught.value)
