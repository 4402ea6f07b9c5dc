"""gunicorn settings for the service: threaded workers, one per core (design §6).

`csm serve` applies these and adds the bind address; the module also works on
its own: `gunicorn -c python:service.gunicorn_conf` (the app is `wsgi_app` below).
Each worker builds its own snapshot of the store before its first request, and
its threads share it.

Why threads: a sync worker serves one connection at a time, start to finish, so
a handful of idle or slow connections (connect and send nothing, or dribble a
request line) hold every worker and the service stops answering.  A `gthread`
worker waits for the request in a poller and hands it to one of its threads only
when bytes arrive (gunicorn gives a silent new connection 5 s, then parks it in
the poller until `keepalive` runs out); the threads share the worker's snapshot,
and the app is read-only per request.  A client that keeps sending a byte at a time
still holds a thread until it finishes, so production puts a buffering proxy in
front (README, "Running it in production").
"""

import json
import os


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


bind = os.environ.get("CSM_BIND", "127.0.0.1:8000")
wsgi_app = "service.serving:wsgi_app()"
workers = int(os.environ.get("CSM_WORKERS", _cores()))
worker_class = "gthread"
# SCRIPT_NAME / PATH_INFO headers are not taken from anyone (gunicorn trusts loopback peers by default):
# the service lives at /, and a client-sent SCRIPT_NAME was a 500 and could rewrite the logged path.
forwarder_headers = ""
threads = int(os.environ.get("CSM_THREADS", 8))  # per worker: concurrent connections, not extra CPU (the GIL)
worker_connections = 1000  # per worker, kept-alive connections included
timeout = 60  # a 10,000-row sync page is milliseconds; a minute means something is stuck
graceful_timeout = 10
keepalive = 5  # seconds an idle kept-alive connection (or a silent new one) may wait
limit_request_line = 4094  # gunicorn's defaults, stated: bytes in the request line,
limit_request_fields = 100  # header fields,
limit_request_field_size = 8190  # and bytes per header field
control_socket_disable = True  # gunicorn >= 25's management socket (in $HOME, shared by instances): not used
accesslog = None  # the app logs each request with its timing (service/requestlog.py), without headers
errorlog = "-"
loglevel = "info"


def json_error(sock, status_int, reason, mesg):
    """gunicorn's own error answer (a request it could not parse: a bad request line, headers too
    large), in the service's error shape instead of gunicorn's HTML page."""
    from gunicorn import util

    body = json.dumps(
        {
            "ok": False,
            "status": status_int,
            "code": str(reason).lower().replace(" ", "_"),
            "error": str(mesg or reason),
        }
    ).encode("ascii")  # json.dumps escapes every non-ASCII character
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


def post_worker_init(worker):
    """JSON for gunicorn's own errors; then the worker's snapshot, before it takes a request."""
    from gunicorn import util

    util.write_error = json_error
    try:
        worker.wsgi.extensions["csm.snapshots"].current()
    except Exception:  # a broken store is reported by the first request, as a 503
        worker.log.exception("could not build the snapshot at start-up")
