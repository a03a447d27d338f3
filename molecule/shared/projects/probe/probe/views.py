"""Views used by the molecule tests to observe a deployed site."""

import grp
import hashlib
import math
import os
import pwd
import socket
import sys
import threading
import time

import django
from django.conf import settings
from django.contrib import messages
from django.db import DatabaseError, connection
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from probe.forms import NoteForm
from probe.models import Note

SLOW_CAP_SECONDS = 30.0
# Tests deploy copies of this project that differ only in this file, to tell releases apart.
_CODE_VERSION_FILE = os.path.join(settings.BASE_DIR, "CODE_VERSION")
try:
    with open(_CODE_VERSION_FILE) as _handle:
        CODE_VERSION = _handle.read().strip()
except OSError:
    CODE_VERSION = "1"
# A release carrying this file fails its health check with an exception (a traceback in the error log).
HEALTHZ_FAIL = os.path.exists(os.path.join(settings.BASE_DIR, "HEALTHZ_FAIL"))


def _user_name(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _group_name(gid):
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


@never_cache
def home(request):
    meta = request.META
    return JsonResponse({
        "site": settings.PROBE_SITE,
        "release": settings.PROBE_RELEASE,
        "code_version": CODE_VERSION,
        "node": socket.gethostname(),
        "pid": os.getpid(),
        "thread": threading.get_ident(),
        "thread_name": threading.current_thread().name,
        "wsgi_multithread": meta.get("wsgi.multithread"),
        "wsgi_multiprocess": meta.get("wsgi.multiprocess"),
        "wsgi_run_once": meta.get("wsgi.run_once"),
        "mod_wsgi_process_group": meta.get("mod_wsgi.process_group"),
        "mod_wsgi_application_group": meta.get(
            "mod_wsgi.application_group"
        ),
        "script_name": meta.get("SCRIPT_NAME", ""),
        "path_info": request.path_info,
        "path": request.path,
        "is_secure": request.is_secure(),
        "scheme": request.scheme,
        "user": _user_name(os.geteuid()),
        "group": _group_name(os.getegid()),
        "reverse_home": reverse("probe:home"),
        "reverse_form": reverse("probe:form"),
        "static_url": static("probe/style.css"),
        "media_url": settings.MEDIA_URL,
        "debug": settings.DEBUG,
        "python": sys.version,
        "django": django.get_version(),
        "settings_module": os.environ.get("DJANGO_SETTINGS_MODULE"),
        "session_cookie_name": settings.SESSION_COOKIE_NAME,
        "session_cookie_path": settings.SESSION_COOKIE_PATH,
        "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
        "csrf_cookie_path": settings.CSRF_COOKIE_PATH,
    })


@never_cache
def healthz(request):
    if HEALTHZ_FAIL:
        raise RuntimeError("probe: this release fails its health check (HEALTHZ_FAIL)")
    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        return JsonResponse(
            {"status": "error", "release": settings.PROBE_RELEASE,
             "error": str(exc)},
            status=503,
        )
    return JsonResponse({"status": "ok", "release": settings.PROBE_RELEASE})


def session(request):
    request.session["count"] = request.session.get("count", 0) + 1
    if request.session.session_key is None:
        # A new session gets its key only when saved; save now so the
        # response can report it (the middleware saves again, harmless).
        request.session.save()
    return JsonResponse({
        "count": request.session["count"],
        "session_key": request.session.session_key,
    })


@require_http_methods(["GET", "POST"])
def form(request):
    if request.method == "POST":
        note_form = NoteForm(request.POST)
        if note_form.is_valid():
            note = note_form.save()
            messages.success(request, f"Saved note {note.pk}")
            return redirect("probe:form")
    else:
        note_form = NoteForm()
    return render(request, "probe/form.html", {
        "form": note_form,
        "notes": Note.objects.all()[:50],
        "site": settings.PROBE_SITE,
        "release": settings.PROBE_RELEASE,
    })


def slow(request):
    try:
        seconds = float(request.GET.get("s", "1"))
    except ValueError:
        return HttpResponseBadRequest("s must be a number\n")
    if not math.isfinite(seconds):
        return HttpResponseBadRequest("s must be finite\n")
    seconds = max(0.0, min(seconds, SLOW_CAP_SECONDS))
    time.sleep(seconds)
    return JsonResponse({
        "slept": seconds,
        "release": settings.PROBE_RELEASE,
        "code_version": CODE_VERSION,
        "node": socket.gethostname(),
        "pid": os.getpid(),
    })


def fail(request):
    raise RuntimeError("probe: intentional failure (/fail/)")


def whoami_files(request):
    if os.environ.get("PROBE_ALLOW_FILE_PROBE") != "1":
        raise Http404("file probe disabled")
    path = request.GET.get("path", "")
    if not path:
        return HttpResponseBadRequest("path is required\n")
    error = None
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            with open(path, "rb") as handle:
                handle.read(1)
    except OSError as exc:
        error = f"{type(exc).__name__}: {exc}"
    return JsonResponse({
        "path": path,
        "readable": error is None,
        "error": error,
    })


@never_cache
def env_hash(request):
    """SHA-256 of one environment variable's value (UTF-8), never the value: PROBE_ALLOW_ENV_HASH=1 only."""
    if os.environ.get("PROBE_ALLOW_ENV_HASH") != "1":
        raise Http404("env hash disabled")
    name = request.GET.get("name", "")
    if name not in os.environ:
        return JsonResponse({"name": name, "set": False})
    value = os.environ[name].encode("utf-8", "surrogateescape")
    return JsonResponse({"name": name, "set": True, "length": len(value),
                         "sha256": hashlib.sha256(value).hexdigest()})


def minimal(request):
    return HttpResponse(b"ok", content_type="text/plain")


def page(request):
    """A realistic page for the serve benchmark: one query, one template (no session, no writes)."""
    notes = list(Note.objects.order_by("-id")[:20])
    return render(request, "probe/page.html", {
        "notes": notes,
        "site": settings.PROBE_SITE,
        "release": settings.PROBE_RELEASE,
    })


@never_cache
def message_box(request):
    """?add=TEXT stores a message (django.contrib.messages, default storage); without it, shows and consumes them."""
    text = request.GET.get("add")
    if text:
        messages.info(request, text[:100])
        return JsonResponse({"added": text[:100], "storage": settings.MESSAGE_STORAGE})
    return JsonResponse({"messages": [str(m) for m in messages.get_messages(request)],
                         "storage": settings.MESSAGE_STORAGE})
