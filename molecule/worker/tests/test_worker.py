from worker_checks import *  # noqa: F401,F403
