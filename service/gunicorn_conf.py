"""gunicorn settings for the service: sync workers, one per core (design §6).

`csm serve` applies these and adds the bind address; the module also works on
its own: `gunicorn -c python:service.gunicorn_conf 'service:create_app()'`.
Each worker builds its own snapshot of the store on its first request.
"""

import os


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


bind = os.environ.get("CSM_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("CSM_WORKERS", _cores()))
worker_class = "sync"
timeout = 60  # a 10,000-row sync page is milliseconds; a minute means something is stuck
graceful_timeout = 10
keepalive = 5
accesslog = None  # the app logs each request with its timing (service/requestlog.py), without headers
errorlog = "-"
loglevel = "info"


def post_worker_init(worker):
    """Build the worker's snapshot before it takes a request, so no client waits for it."""
    try:
        worker.wsgi.extensions["csm.snapshots"].current()
    except Exception:  # a broken store is reported by the first request, as a 503
        worker.log.exception("could not build the snapshot at start-up")
