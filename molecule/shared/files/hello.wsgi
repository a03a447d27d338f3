import json
import os
import threading


def application(environ, start_response):
    body = json.dumps({
        "app": "hello",
        "pid": os.getpid(),
        "thread": threading.get_ident(),
        "multithread": environ["wsgi.multithread"],
        "multiprocess": environ["wsgi.multiprocess"],
        "process_group": environ.get("mod_wsgi.process_group"),
        "script_name": environ.get("SCRIPT_NAME"),
    }).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
