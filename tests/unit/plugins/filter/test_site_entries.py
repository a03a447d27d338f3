# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The site_entries filter: every site's directories, then its generated files, as file_batch entries."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.modwsgi.django.plugins.filter.site_entries import FilterModule
from ansible_collections.modwsgi.django.plugins.module_utils._layout import mask_secrets, validate

SITE_ENTRIES = FilterModule().filters()["site_entries"]
KINDS = ("boot", "settings", "wsgi", "manage", "messages")


def normalized(*raw):
    result = validate(list(raw), check_filesystem=False)
    assert not result.errors, result.errors
    return mask_secrets(result.sites)


def site(name, **extra):
    data = {"name": name, "server_name": "%s.example.com" % name, "project": name,
            "source": {"type": "path", "path": "/src/%s" % name}, "secrets": {"DJANGO_SECRET_KEY": "s" * 50}}
    data.update(extra)
    return data


def rendered(*names):
    return dict((name, dict((kind, "# %s of %s\n" % (kind, name)) for kind in KINDS)) for name in names)


def test_directories_of_a_daemon_site_with_owners_and_modes():
    [shop] = normalized(site("shop"))
    entries = SITE_ENTRIES([shop], rendered("shop"))
    root = shop["paths"]["root"]
    dirs = [(e["path"], e["owner"], e["group"], e["mode"]) for e in entries if e["state"] == "directory"]
    assert dirs == [
        (root, "root", "root", "0711"),
        (root + "/releases", "root", "shop", "0750"),
        (root + "/venvs", "root", "shop", "0750"),
        (root + "/conf", "root", "shop", "0750"),
        (root + "/apache", "root", "root", "0755"),
        (root + "/bin", "root", "root", "0755"),
        (root + "/cache", "root", "root", "0700"),
        (root + "/run", "shop", "shop", "0750"),
        (root + "/data", "shop", "shop", "0750"),
        (root + "/static", "root", "www-data", "2755"),
        (root + "/media", "shop", "www-data", "2750"),
    ]
    assert not any("content" in e or "tag" in e for e in entries if e["state"] == "directory")


def test_generated_files_come_after_the_directories_tagged_with_the_site():
    [shop] = normalized(site("shop"))
    entries = SITE_ENTRIES([shop], rendered("shop"))
    files = entries[11:]
    assert all(e["state"] == "directory" for e in entries[:11])
    paths = shop["paths"]
    assert [(e["path"], e["owner"], e["group"], e["mode"], e["content"], e["tag"]) for e in files] == [
        (paths["conf"] + "/_modwsgi_boot.py", "root", "shop", "0640", "# boot of shop\n", "shop"),
        (paths["settings_module_file"], "root", "shop", "0640", "# settings of shop\n", "shop"),
        (paths["script"], "root", "root", "0644", "# wsgi of shop\n", "shop"),
        (paths["manage"], "root", "root", "0755", "# manage of shop\n", "shop"),
        (paths["conf"] + "/_modwsgi_messages.py", "root", "shop", "0640", "# messages of shop\n", "shop"),
    ]
    assert all(e["state"] == "file" and not e.get("no_diff") for e in files)


def test_apache_group_defaults_to_www_data_and_can_be_given():
    [shop] = normalized(site("shop"))
    static, media = shop["static"]["dir"], shop["media"]["dir"]
    entries = dict((e["path"], e) for e in SITE_ENTRIES([shop], rendered("shop"), "apache"))
    assert (entries[static]["group"], entries[media]["group"]) == ("apache", "apache")
    assert entries[shop["paths"]["root"] + "/run"]["group"] == "shop"  # the site's own dirs keep the site group


def test_custom_users_script_dir_static_and_media_dirs(tmp_path):
    [shop] = normalized(site("shop", root=str(tmp_path / "shop"), daemon={"user": "web", "group": "webgrp"},
                             script_dir=str(tmp_path / "wsgi" / "shop"),
                             static={"url": "/static/", "dir": str(tmp_path / "public" / "static")},
                             media={"url": "/media/", "dir": str(tmp_path / "uploads")}))
    entries = dict((e["path"], e) for e in SITE_ENTRIES([shop], rendered("shop")))
    assert entries[str(tmp_path / "wsgi" / "shop")]["mode"] == "0755"
    assert entries[str(tmp_path / "wsgi" / "shop" / "django.wsgi")]["content"] == "# wsgi of shop\n"
    assert (entries[str(tmp_path / "shop" / "run")]["owner"], entries[str(tmp_path / "shop" / "run")]["group"]) == ("web", "webgrp")
    assert entries[str(tmp_path / "shop" / "releases")]["group"] == "webgrp"
    assert entries[str(tmp_path / "public" / "static")]["mode"] == "2755"
    assert (entries[str(tmp_path / "uploads")]["owner"], entries[str(tmp_path / "uploads")]["mode"]) == ("web", "2750")


def test_without_static_and_media_no_such_directories():
    [shop] = normalized(site("shop", static=False, media=False, collectstatic=False))
    entries = SITE_ENTRIES([shop], rendered("shop"))
    assert len(entries) == 9 + 5
    assert not any(e["path"].endswith(("/static", "/media")) for e in entries)


def test_embedded_site_runs_as_the_apache_user():
    [shop] = normalized(site("shop", mode="embedded"))
    entries = dict((e["path"], e) for e in SITE_ENTRIES([shop], rendered("shop")))
    run = entries[shop["paths"]["root"] + "/run"]
    assert (run["owner"], run["group"]) == ("www-data", "www-data") == (shop["user"], shop["group"])


def test_many_sites_in_site_order_each_with_its_own_files():
    sites = normalized(site("shop"), site("blog", server_name="www.example.com", mount="/blog"),
                       site("wiki", server_name="www.example.com", mount="/wiki"))
    entries = SITE_ENTRIES(sites, rendered("shop", "blog", "wiki"))
    assert len(entries) == 3 * 16
    order = []
    for entry in entries:
        name = entry["path"].split("/")[3]  # /srv/django/<name>/...
        if not order or order[-1] != name:
            order.append(name)
    assert order == [s["name"] for s in sites]
    for entry in entries:
        if "tag" in entry:
            assert entry["content"].endswith("of %s\n" % entry["tag"]) and "/%s/" % entry["tag"] in entry["path"]


def test_nothing_for_no_sites():
    assert SITE_ENTRIES([], {}) == []


@pytest.mark.parametrize("texts", [{}, {"blog": rendered("blog")["blog"]}, {"shop": {"boot": "x"}}])
def test_missing_rendered_files_are_a_filter_error(texts):
    [shop] = normalized(site("shop"))
    with pytest.raises(AnsibleFilterError, match="site_entries: needs the normalized sites of validate_sites and every site's rendered files"):
        SITE_ENTRIES([shop], texts)


@pytest.mark.parametrize("sites", [[{"name": "shop"}], [{"name": "shop", "paths": {}, "user": "shop", "group": "shop"}], ["shop"], None])
def test_sites_that_are_not_normalized_are_a_filter_error(sites):
    with pytest.raises(AnsibleFilterError, match="site_entries: needs the normalized sites of validate_sites"):
        SITE_ENTRIES(sites, rendered("shop"))


def test_secrets_never_reach_the_entries():
    [shop] = normalized(site("shop"))
    shop = dict(shop, secrets={"DJANGO_SECRET_KEY": "unmasked-" + "z" * 40})  # even unmasked, the filter ignores them
    assert "unmasked-" not in repr(SITE_ENTRIES([shop], rendered("shop")))
