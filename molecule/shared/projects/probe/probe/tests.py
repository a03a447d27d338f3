import json
import os
import re
import subprocess
import sys
from unittest import mock

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.test import (
    Client,
    RequestFactory,
    SimpleTestCase,
    TestCase,
    TransactionTestCase,
    override_settings,
)
from django.urls import set_script_prefix

from probe.models import Note

TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@override_settings(PROBE_RELEASE="r1", PROBE_SITE="blog")
class ProbeViewsTests(TestCase):
    def test_home(self):
        data = self.client.get("/").json()
        self.assertEqual(data["site"], "blog")
        self.assertEqual(data["release"], "r1")
        self.assertEqual(data["pid"], os.getpid())
        self.assertEqual(data["script_name"], "")
        self.assertEqual(data["path"], "/")
        self.assertEqual(data["reverse_home"], "/")
        self.assertEqual(data["reverse_form"], "/form/")
        self.assertEqual(data["static_url"], "/static/probe/style.css")
        self.assertFalse(data["is_secure"])
        self.assertEqual(data["scheme"], "http")
        self.assertIsNone(data["mod_wsgi_process_group"])
        self.assertEqual(data["session_cookie_name"], "sessionid")
        self.assertEqual(data["csrf_cookie_path"], "/")
        for key in ("thread", "thread_name", "user", "group", "python",
                    "django", "wsgi_multithread", "settings_module"):
            self.assertIn(key, data)

    def test_home_https(self):
        data = self.client.get("/", secure=True).json()
        self.assertTrue(data["is_secure"])
        self.assertEqual(data["scheme"], "https")

    def test_healthz(self):
        response = self.client.get("/healthz/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "ok", "release": "r1"})

    def test_healthz_fails_in_a_release_marked_healthz_fail(self):
        with mock.patch("probe.views.HEALTHZ_FAIL", True):
            with self.assertRaisesMessage(RuntimeError, "HEALTHZ_FAIL"):
                self.client.get("/healthz/")

    def test_env_hash_is_off_unless_enabled(self):
        with mock.patch.dict(os.environ, {"PROBE_X": "v"}, clear=False):
            os.environ.pop("PROBE_ALLOW_ENV_HASH", None)
            self.assertEqual(self.client.get("/env-hash/?name=PROBE_X").status_code, 404)

    def test_env_hash_gives_the_hash_never_the_value(self):
        import hashlib
        value = "line1\nline2 \"q\" 'q' $HOME %s \\ caf\u00e9"
        with mock.patch.dict(os.environ, {"PROBE_ALLOW_ENV_HASH": "1", "PROBE_X": value}):
            response = self.client.get("/env-hash/?name=PROBE_X")
            missing = self.client.get("/env-hash/?name=PROBE_NOT_SET").json()
        data = response.json()
        self.assertEqual(data["sha256"], hashlib.sha256(value.encode("utf-8")).hexdigest())
        self.assertEqual(data["length"], len(value.encode("utf-8")))
        self.assertNotIn("line1", response.content.decode())
        self.assertEqual(missing, {"name": "PROBE_NOT_SET", "set": False})

    def test_session_counts(self):
        first = self.client.get("/session/").json()
        second = self.client.get("/session/").json()
        self.assertEqual(first["count"], 1)
        self.assertEqual(second["count"], 2)
        self.assertTrue(first["session_key"])
        self.assertEqual(first["session_key"], second["session_key"])

    def test_form_post_with_csrf_enforced(self):
        client = Client(enforce_csrf_checks=True)
        page = client.get("/form/")
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "/static/probe/style.css")
        token = TOKEN_RE.search(page.content.decode()).group(1)

        with self.assertLogs("django.security.csrf", "WARNING"):
            rejected = client.post("/form/", {"text": "no token"})
        self.assertEqual(rejected.status_code, 403)

        response = client.post(
            "/form/", {"text": "hello", "csrfmiddlewaretoken": token}
        )
        self.assertRedirects(
            response, "/form/", fetch_redirect_response=False
        )
        self.assertEqual(Note.objects.get().text, "hello")
        listing = client.get("/form/")
        self.assertContains(listing, '<li class="note">hello</li>')
        self.assertContains(listing, "Saved note")

    def test_form_invalid_post_rerenders(self):
        response = self.client.post("/form/", {"text": ""})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Note.objects.exists())

    def test_slow(self):
        data = self.client.get("/slow/", {"s": "0.01"}).json()
        self.assertEqual(data["slept"], 0.01)
        self.assertEqual(data["release"], "r1")
        self.assertEqual(data["pid"], os.getpid())

    def test_slow_validation_and_cap(self):
        with self.assertLogs("django.request", "WARNING"):
            self.assertEqual(self.client.get("/slow/?s=x").status_code, 400)
            self.assertEqual(
                self.client.get("/slow/?s=nan").status_code, 400
            )
        with mock.patch("probe.views.time.sleep") as sleep:
            data = self.client.get("/slow/?s=1000").json()
        sleep.assert_called_once_with(30.0)
        self.assertEqual(data["slept"], 30.0)

    def test_fail(self):
        client = Client(raise_request_exception=False)
        with self.assertLogs("django.request", "ERROR"):
            response = client.get("/fail/")
        self.assertEqual(response.status_code, 500)

    def test_minimal(self):
        response = self.client.get("/minimal/")
        self.assertEqual(response.content, b"ok")
        self.assertEqual(response["Content-Type"], "text/plain")
        self.assertNotIn("Set-Cookie", response)

    def test_page_lists_latest_notes_in_one_query(self):
        self.assertContains(self.client.get("/page/"), '<p id="empty">')
        for n in range(25):
            Note.objects.create(text="note %d" % n)
        with self.assertNumQueries(1):
            response = self.client.get("/page/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content.decode().count('<tr class='), 20)
        self.assertContains(response, "<td>note 24</td>")
        self.assertNotContains(response, "<td>note 4</td>")
        self.assertContains(response, "/static/probe/style.css")
        self.assertNotIn("Set-Cookie", response)


class FileProbeTests(TestCase):
    def test_disabled_by_default(self):
        env = {"PROBE_ALLOW_FILE_PROBE": "0"}
        with mock.patch.dict(os.environ, env), \
                self.assertLogs("django.request", "WARNING"):
            response = self.client.get("/whoami-files/", {"path": __file__})
        self.assertEqual(response.status_code, 404)

    @mock.patch.dict(os.environ, {"PROBE_ALLOW_FILE_PROBE": "1"})
    def test_enabled(self):
        data = self.client.get("/whoami-files/", {"path": __file__}).json()
        self.assertEqual(data, {"path": __file__, "readable": True,
                                "error": None})
        folder = os.path.dirname(__file__)
        data = self.client.get("/whoami-files/", {"path": folder}).json()
        self.assertTrue(data["readable"])
        missing = "/nonexistent/probe"
        data = self.client.get("/whoami-files/", {"path": missing}).json()
        self.assertFalse(data["readable"])
        self.assertIn("FileNotFoundError", data["error"])
        with self.assertLogs("django.request", "WARNING"):
            response = self.client.get("/whoami-files/")
        self.assertEqual(response.status_code, 400)


# Django caches a relative STATIC_URL with the script prefix current at its
# first use; overriding it resets that cache so the /blog request is first.
@override_settings(STATIC_URL="static/")
class ScriptNameTests(TransactionTestCase):
    """A mount at /blog comes from SCRIPT_NAME, never FORCE_SCRIPT_NAME.

    The test Client does not apply SCRIPT_NAME to reverse(), so these tests
    build the environ with RequestFactory and call the real WSGI handler,
    as mod_wsgi does.
    """

    def setUp(self):
        self.app = get_wsgi_application()
        self.factory = RequestFactory()
        self.addCleanup(set_script_prefix, "/")

    def call(self, method, path, data=None):
        request = getattr(self.factory, method)(
            path, data, SCRIPT_NAME="/blog"
        )
        captured = {}

        def start_response(status, headers, exc_info=None):
            captured["status"] = int(status.split()[0])
            captured["headers"] = headers

        result = self.app(request.environ, start_response)
        try:
            body = b"".join(result)
        finally:
            result.close()
        headers = {}
        for name, value in captured["headers"]:
            if name.lower() == "set-cookie":
                self.factory.cookies.load(value)
            headers[name.lower()] = value
        return captured["status"], headers, body

    def test_home_under_mount(self):
        status, dummy, body = self.call("get", "/")
        self.assertEqual(status, 200)
        data = json.loads(body)
        self.assertEqual(data["script_name"], "/blog")
        self.assertEqual(data["path_info"], "/")
        self.assertEqual(data["path"], "/blog/")
        self.assertEqual(data["reverse_home"], "/blog/")
        self.assertEqual(data["reverse_form"], "/blog/form/")
        self.assertEqual(data["static_url"], "/blog/static/probe/style.css")

    def test_form_redirect_under_mount(self):
        status, dummy, body = self.call("get", "/form/")
        self.assertEqual(status, 200)
        page = body.decode()
        self.assertIn('action="/blog/form/"', page)
        self.assertIn('href="/blog/static/probe/style.css"', page)
        token = TOKEN_RE.search(page).group(1)

        with self.assertLogs("django.security.csrf", "WARNING"):
            status, dummy, dummy = self.call("post", "/form/", {"text": "no token"})
        self.assertEqual(status, 403)

        status, headers, dummy = self.call(
            "post", "/form/", {"text": "mounted", "csrfmiddlewaretoken": token}
        )
        self.assertEqual(status, 302)
        self.assertEqual(headers["location"], "/blog/form/")
        self.assertEqual(Note.objects.get().text, "mounted")


class SettingsEnvTests(SimpleTestCase):
    """probe.settings reads everything site-specific from the environment."""

    def load_settings(self, **env):
        code = (
            "import json, probe.settings as s; print(json.dumps(["
            "s.DEBUG, s.SECRET_KEY, str(s.DATABASES['default']['NAME']), "
            "s.ALLOWED_HOSTS, s.STATIC_ROOT, s.PROBE_RELEASE, s.PROBE_SITE]))"
        )
        clean = {k: v for k, v in os.environ.items()
                 if not k.startswith(("DJANGO_", "PROBE_"))}
        return subprocess.run(
            [sys.executable, "-c", code],
            cwd=settings.BASE_DIR,
            env={**clean, **env},
            capture_output=True,
            text=True,
            check=False,
        )

    def test_secret_key_required_without_debug(self):
        result = self.load_settings(DJANGO_DEBUG="0")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("DJANGO_SECRET_KEY must be set", result.stderr)

    def test_invalid_debug_value(self):
        result = self.load_settings(DJANGO_DEBUG="true")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("DJANGO_DEBUG", result.stderr)

    def test_debug_falls_back_to_dev_key(self):
        result = self.load_settings(DJANGO_DEBUG="1")
        self.assertEqual(result.returncode, 0, result.stderr)
        debug, key, db, hosts, static_root, dummy, dummy = json.loads(result.stdout)
        self.assertTrue(debug)
        self.assertTrue(key.startswith("django-insecure-"))
        self.assertEqual(db, str(settings.BASE_DIR / "db.sqlite3"))
        self.assertEqual(hosts, [])
        self.assertIsNone(static_root)

    def test_production_environment(self):
        result = self.load_settings(
            DJANGO_SECRET_KEY="s3cret",
            DJANGO_ALLOWED_HOSTS="a.example, b.example,",
            DJANGO_STATIC_ROOT="/srv/static",
            PROBE_DB_PATH="/srv/data/probe.sqlite3",
            PROBE_RELEASE="r7",
            PROBE_SITE="shop",
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout), [
            False, "s3cret", "/srv/data/probe.sqlite3",
            ["a.example", "b.example"], "/srv/static", "r7", "shop",
        ])
