import os
import pwd

from django.http import JsonResponse

# <base_dir>/<site>/massprobe/views.py -> <base_dir>/<site>
SITE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def home(request):
    meta = request.META
    return JsonResponse({
        "site": os.path.basename(SITE_DIR),
        "site_dir": SITE_DIR,
        "script_name": meta.get("SCRIPT_NAME", ""),
        "path_info": request.path_info,
        "pid": os.getpid(),
        "multiprocess": meta.get("wsgi.multiprocess"),
        "multithread": meta.get("wsgi.multithread"),
        "user": pwd.getpwuid(os.geteuid()).pw_name,
        "mod_wsgi_process_group": meta.get("mod_wsgi.process_group"),
        "mod_wsgi_application_group": meta.get(
            "mod_wsgi.application_group"
        ),
    })
