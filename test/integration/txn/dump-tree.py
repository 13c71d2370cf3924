# Dumps the whole tree of a live Apache ZooKeeper as JSON (same shape as apache-workload.py's "nodes").
import json, os
from kazoo.client import KazooClient

zk = KazooClient(hosts='127.0.0.1:' + os.environ['PORT'])
zk.start()
zk.add_auth('digest', 'u:p')
nodes = {}


def walk(path):
    data, stat = zk.get(path)
    acls, _ = zk.get_acls(path)
    nodes[path] = {
        'data': None if data is None else data.hex(),
        'stat': [stat.czxid, stat.mzxid, stat.ctime, stat.mtime, stat.version, stat.cversion,
                 stat.aversion, stat.ephemeralOwner, stat.dataLength, stat.numChildren, stat.pzxid],
        'acl': [[acl.perms, acl.id.scheme, acl.id.id] for acl in acls],
    }
    for child in sorted(zk.get_children(path)):
        walk(path.rstrip('/') + '/' + child)


walk('/')
zk.stop()
zk.close()
print(json.dumps({'sessions': {}, 'nodes': nodes}, sort_keys=True))
