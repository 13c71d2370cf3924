"""Drives a ZooKeeper server with kazoo (a client nobody here wrote) and prints what it saw as JSON."""
import json
import sys
import threading

from kazoo.client import KazooClient
from kazoo.exceptions import BadVersionError, NoAuthError, NodeExistsError, NoNodeError, NotEmptyError
from kazoo.security import make_acl, make_digest_acl


def make_acl_read_only():
    return make_acl("world", "anyone", read=True)

hosts = sys.argv[1]
out = {}
zk = KazooClient(hosts=hosts, timeout=10)
zk.start(timeout=10)
out["connected"] = zk.connected

zk.create("/k", b"v1")
data, stat = zk.get("/k")
out["get"] = [data.decode(), stat.version, stat.dataLength]
stat = zk.set("/k", b"v2")
out["set_version"] = stat.version
try:
    zk.set("/k", b"v3", version=7)
except BadVersionError:
    out["bad_version"] = True
try:
    zk.create("/k", b"")
except NodeExistsError:
    out["node_exists"] = True
try:
    zk.get("/missing")
except NoNodeError:
    out["no_node"] = True

seq = [zk.create("/k/s-", b"", sequence=True) for _ in range(3)]
out["sequence"] = seq
eph = zk.create("/k/e", b"", ephemeral=True)
out["ephemeral_owner_is_session"] = zk.exists(eph).ephemeralOwner == zk.client_id[0]
try:
    zk.delete("/k")
except NotEmptyError:
    out["not_empty"] = True

events = []
fired = threading.Event()

def watcher(event):
    events.append([event.type, event.path])
    fired.set()

zk.get("/k", watch=watcher)
zk.set("/k", b"v4")
fired.wait(5)
fired.clear()
zk.get_children("/k", watch=watcher)
zk.create("/k/c", b"")
fired.wait(5)
fired.clear()
zk.exists("/later", watch=watcher)
zk.create("/later", b"")
fired.wait(5)
out["events"] = events

tx = zk.transaction()
tx.create("/t1", b"a")
tx.set_data("/k", b"v5")
tx.check("/k", 3)
results = tx.commit()
out["transaction"] = [type(r).__name__ for r in results]

zk.add_auth("digest", "alice:pw")
acl = make_digest_acl("alice", "pw", all=True)
zk.create("/secret", b"s", acl=[acl])
zk.create("/shown", b"s", acl=[acl, make_acl_read_only()])
out["secret_read_by_owner"] = zk.get("/secret")[0].decode()
other = KazooClient(hosts=hosts, timeout=10)
other.start(timeout=10)
try:
    other.get("/secret")
except NoAuthError:
    out["secret_denied"] = True
try:
    other.get_acls("/secret")
except NoAuthError:
    out["acl_denied"] = True
out["acl_masked"] = other.get_acls("/shown")[0][0].id.id
other.stop()
other.close()

out["children"] = sorted(zk.get_children("/k"))
out["server_version_reply"] = zk.command(b"srvr").splitlines()[0]
zk.stop()
zk.close()
print(json.dumps(out))
