# A workload touching every txn type Apache logs, run with kazoo against a live Apache ZooKeeper.
# Prints one JSON object: the session ids used. dump-tree.py then shows the tree it left.
# Used by the live interchange test and to regenerate test/fixtures/apache-datadir.
import json, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'support'))
from kazoo.exceptions import NodeExistsError
from kazoo.security import make_digest_acl, OPEN_ACL_UNSAFE
from kazoo_workload import CreateContainer, create_ttl, raw, session

CreateTTL = create_ttl(60_000)


a = session()
b = session(timeout=10.0)
a.create('/a', b'hello')
a.create('/a/b', b'x' * 100)
seq = a.create('/seq-', b'', sequence=True)
a.set('/a', b'world')
a.create('/eph', b'e', ephemeral=True)
b.create('/eph-b', b'', ephemeral=True)
a.create('/c', b'', acl=[make_digest_acl('u', 'p', all=True)])
a.delete(seq)
t = a.transaction(); t.create('/m1', b'1'); t.set_data('/a', b'm'); t.commit()
t = a.transaction(); t.create('/m2', b'2'); t.delete('/nonexistent'); t.commit()  # logged as a failed multi
try:
    a.create('/a', b'')  # logged as an error txn
except NodeExistsError:
    pass
a.set_acls('/a/b', [make_digest_acl('u', 'p', read=True)])
raw(a, CreateContainer('/cont', b'', OPEN_ACL_UNSAFE, 4))
a.create('/cont/k', b'k')
raw(a, CreateTTL('/ttl', b't', OPEN_ACL_UNSAFE, 5))
a.create('/big', b'\x00\x01\xfe\xff' * 250)
a.create('/empty', b'')
a.create('/deep/er/path', b'd', makepath=True)
for i in range(30):  # enough txns to roll logs and take snapshots with a small snapCount
    a.create('/many-%02d' % i, b'%d' % i)
for i in range(0, 30, 3):
    a.set('/many-%02d' % i, b'changed')
for i in range(0, 30, 5):
    a.delete('/many-%02d' % i)
sessions = {'a': a.client_id[0], 'b': b.client_id[0]}
b.stop(); b.close()   # closeSession deleting /eph-b
keep = session()      # stays open: its session is in the snapshot/log when the server stops
keep.create('/kept-eph', b'', ephemeral=True)
sessions['kept'] = keep.client_id[0]
a.stop(); a.close()

print(json.dumps({'sessions': {k: '%x' % v for k, v in sessions.items()}}, sort_keys=True))
os._exit(0)  # leaves `keep` connected: its session stays live on the server until it times out
