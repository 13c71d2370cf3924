"""Runs one kazoo scenario for test/compat/harness/kazoo.ts.

The scenario's Python source arrives on stdin and runs with this module's globals, so it can
use the helpers below. Observations go to stdout as lines `@@obs <json>`; anything else the
scenario prints is ignored by the harness. Run by Debian's /usr/bin/python3 (python3-kazoo),
never a pyenv python, which has no kazoo.
"""
import json
import logging
import os
import socket
import sys
import textwrap
import threading
import time
import traceback

from kazoo.client import KazooClient
from kazoo.exceptions import KazooException
from kazoo.handlers.threading import KazooTimeoutError
from kazoo.protocol.states import WatchedEvent, ZnodeStat
from kazoo.security import ACL, Id, make_digest_acl  # noqa: F401  (for scenarios)

# kazoo logs connection trouble; keep it on stderr, where the harness shows it on failure.
logging.basicConfig(level=logging.WARNING, stream=sys.stderr)

HOSTS = os.environ["ZK_HOSTS"]
ARGS = json.loads(os.environ.get("ZK_ARGS") or "null")

_MARK = "@@obs "
_SAFE = 2**53 - 1
_out_lock = threading.Lock()
_clients = []


def to_json(value):
    """Plain JSON for an observation. 64-bit ints past 2^53 become decimal strings, because
    JavaScript numbers would round them (session ids are that large)."""
    if value is None or isinstance(value, (bool, str, float)):
        return value
    if isinstance(value, int):
        return value if -_SAFE <= value <= _SAFE else str(value)
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return {"hex": bytes(value).hex()}
    # Named tuples first: they are tuples too.
    if isinstance(value, ZnodeStat):
        return {field: to_json(getattr(value, field)) for field in value._fields}
    if isinstance(value, WatchedEvent):
        return {"type": value.type, "state": value.state, "path": value.path}
    if isinstance(value, ACL):
        return {"perms": value.perms, "scheme": value.id.scheme, "id": value.id.id}
    if isinstance(value, BaseException):
        return error_json(value)
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_json(v) for v in value]
    return repr(value)


def error_json(error):
    """{"error": class name, "code": ZooKeeper error code} (code only for server errors)."""
    out = {"error": type(error).__name__}
    code = getattr(error, "code", None)
    if isinstance(code, int):
        out["code"] = code
    return out


def _print(obj):
    line = _MARK + json.dumps(obj, sort_keys=True)
    with _out_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def emit(step, value=None, **fields):
    """Records {"step": step, "value": value, ...fields}."""
    obj = {"step": step, "value": to_json(value)}
    obj.update({k: to_json(v) for k, v in fields.items()})
    _print(obj)


def is_server_error(error):
    """Errors that tell something about the server: kazoo's (ZooKeeper error codes, connection
    loss...), timeouts, and kazoo's RuntimeError for an error code it does not know. Anything
    else (TypeError, ValueError...) is a bug in the scenario or a client-side check, which
    would compare equal on both servers and prove nothing, so op() lets it fail the run."""
    if isinstance(error, (KazooException, KazooTimeoutError)):
        return True
    return isinstance(error, RuntimeError) and str(error) == "Invalid error code"


def op(step, fn, *args, **kwargs):
    """Calls fn; records {"step", "ok": result} or {"step", "error", "code"}.
    Returns the result, or None when it raised a server error (others propagate)."""
    try:
        result = fn(*args, **kwargs)
    except Exception as error:  # noqa: BLE001
        if not is_server_error(error):
            raise
        obj = {"step": step}
        obj.update(error_json(error))
        _print(obj)
        return None
    _print({"step": step, "ok": to_json(result)})
    return result


def connect(hosts=None, timeout=10.0, start_timeout=15.0, **kwargs):
    """A started KazooClient (session timeout `timeout` s). Stopped and closed at the end."""
    client = KazooClient(hosts=hosts or HOSTS, timeout=timeout, **kwargs)
    client.start(timeout=start_timeout)
    _clients.append(client)
    return client


_events = {}
_events_cond = threading.Condition()


def watcher(tag):
    """A watch callback that files each event under `tag` (see wait_events)."""
    def on_event(event):
        with _events_cond:
            _events.setdefault(tag, []).append(to_json(event))
            _events_cond.notify_all()
    return on_event


def wait_events(tag, count, timeout=5.0):
    """Waits until `tag` has `count` events (or timeout), then records and returns them.
    Events arrive on kazoo's thread; recording them here keeps the observation order fixed."""
    deadline = time.monotonic() + timeout
    with _events_cond:
        while len(_events.get(tag, [])) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            _events_cond.wait(left)
        events = list(_events.get(tag, []))
    _print({"step": tag, "events": events})
    return events


def wait_gone(client, path, timeout=5.0):
    """Polls until `path` no longer exists; returns True, or False after `timeout`. Records
    nothing, so when exactly a reaper or an expiry acted stays out of the observations."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.exists(path) is None:
            return True
        time.sleep(0.05)
    return False


def wait_connected(client, timeout=10.0):
    """Waits until `client` is connected again (after a Proxy.resume()); records nothing."""
    deadline = time.monotonic() + timeout
    while not client.connected:
        if time.monotonic() > deadline:
            raise KazooTimeoutError("not reconnected after %.1f s" % timeout)
        time.sleep(0.01)


# Reconnect quickly after Proxy.resume(): kazoo's default backoff grows to seconds.
FAST_RECONNECT = {"max_tries": -1, "delay": 0.05, "backoff": 1, "max_jitter": 0.05, "max_delay": 0.1}


class Proxy(object):
    """A TCP relay to the server (HOSTS) that a scenario can cut and restore, so a client sees
    its connection drop while its session lives on: `pause()` closes every relayed connection
    and refuses new ones, `resume()` lets the client reconnect (and re-register its watches).
    Use `connect(hosts=proxy.hosts, connection_retry=FAST_RECONNECT)`."""

    def __init__(self, target=None):
        host, port = (target or HOSTS).rsplit(":", 1)
        self._target = (host, int(port))
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.hosts = "127.0.0.1:%d" % self._listener.getsockname()[1]
        self._paused = False
        self._lock = threading.Lock()
        self._pairs = []
        threading.Thread(target=self._accept_loop, daemon=True).start()

    def _accept_loop(self):
        while True:
            try:
                downstream, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._paused:
                    downstream.close()
                    continue
                upstream = socket.create_connection(self._target)
                self._pairs.append((downstream, upstream))
            for a, b in ((downstream, upstream), (upstream, downstream)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        for s in (source, sink):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def pause(self):
        with self._lock:
            self._paused = True
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for s in pair:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def resume(self):
        with self._lock:
            self._paused = False


def _close_all():
    for client in _clients:
        try:
            client.stop()
            client.close()
        except Exception:  # noqa: BLE001
            traceback.print_exc()


def _main():
    source = textwrap.dedent(sys.stdin.read())
    code = compile(source, "<scenario>", "exec")
    try:
        exec(code, globals())  # noqa: S102  (running the test's own scenario is the point)
    except BaseException:
        traceback.print_exc()
        _close_all()
        sys.exit(1)
    _close_all()


if __name__ == "__main__":
    _main()
