# Every kind of txn Apache ZooKeeper 3.8 logs, through kazoo, for the digest tests: creates of every mode (container
# and TTL need zookeeper.extendedTypesEnabled=true), setData (the root too), delete, setACL, committed and failed
# multis, error txns, ephemerals and closeSession, quota nodes (under /zookeeper/, outside the digest), a node right
# under /zookeeper (whose parent is digested), a non-ASCII path, large data, and enough txns to pass zxid 0x100.
# Containers and TTL nodes are left for the server's reaper (deleteContainer txns); the test waits for them.
# With EXPIRE=1 it leaves one session open, with an ephemeral, for the server to expire.
# Prints one JSON object: the session ids used.
import json, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'support'))
from kazoo.exceptions import BadVersionError, NoChildrenForEphemeralsError, NodeExistsError, NoNodeError
from kazoo.protocol.serialization import Create2
from kazoo.security import make_digest_acl, OPEN_ACL_UNSAFE
from kazoo_workload import CreateContainer, create_ttl, raw, session


def expect_error(fn, error):
    try:
        fn()
    except error:
        return
    raise AssertionError('expected %s' % error.__name__)


a = session()
b = session(timeout=10.0)

a.create('/d', b'hello')
a.create('/d/child', b'x' * 100)
for _ in range(3):
    a.create('/d/seq-', b's', sequence=True)
a.set('/d', b'world')
a.delete('/d/seq-0000000001')
raw(a, Create2('/d/via-create2', b'c2', OPEN_ACL_UNSAFE, 0))
a.create('/eph', b'e', ephemeral=True)
a.create('/eph-seq-', b'', ephemeral=True, sequence=True)
b.create('/b-eph', b'owned by b', ephemeral=True)
b.create('/d/b-eph-seq-', b'', ephemeral=True, sequence=True)
a.set('/', b'the root has data too')
a.set_acls('/d/child', [make_digest_acl('u', 'p', all=True), make_digest_acl('v', 'q', read=True)])
a.set_acls('/', OPEN_ACL_UNSAFE)
a.create('/\u00fc-\u540d\u524d', '\u00fcber'.encode('utf8'))

# Multis: committed (create, setData, check, delete) and failed (rolled back).
# (kazoo's commit returns failures in its result list rather than raising them.)
t = a.transaction(); t.create('/m1', b'1'); t.set_data('/d', b'in a multi'); t.check('/d/via-create2', 0); t.delete('/d/seq-0000000002')
assert not any(isinstance(r, Exception) for r in t.commit())
t = a.transaction(); t.create('/m2', b'2'); t.delete('/nonexistent')
assert any(isinstance(r, Exception) for r in t.commit())
t = a.transaction(); t.create('/m3', b'3'); t.create('/m3/x', b''); t.set_data('/m3', b'more', version=7)
assert any(isinstance(r, Exception) for r in t.commit())

# Error txns.
expect_error(lambda: a.create('/d', b''), NodeExistsError)
expect_error(lambda: a.set('/d', b'', version=99), BadVersionError)
expect_error(lambda: a.delete('/nope'), NoNodeError)
expect_error(lambda: a.create('/eph/under', b''), NoChildrenForEphemeralsError)

# Containers and TTL nodes: the reaper deletes the emptied container and the expired TTL nodes.
raw(a, CreateContainer('/cont', b'c', OPEN_ACL_UNSAFE, 4))
a.create('/cont/k', b'k')
a.delete('/cont/k')
raw(a, create_ttl(500)('/ttl', b't', OPEN_ACL_UNSAFE, 5))
raw(a, create_ttl(500)('/ttl-seq-', b'', OPEN_ACL_UNSAFE, 6))
raw(a, create_ttl(3600000)('/ttl-kept', b'', OPEN_ACL_UNSAFE, 5))

# Quota nodes (/zookeeper/quota/…: updated locally, left out of the digest) and a node right under /zookeeper.
a.create('/zookeeper/quota/d/zookeeper_limits', b'count=100,bytes=100000', makepath=True)
a.create('/zookeeper/quota/d/zookeeper_stats', b'count=0,bytes=0')
a.create('/d/under-quota', b'q' * 10)
a.create('/zookeeper/digest-test', b'z')
a.set('/zookeeper/digest-test', b'zz')
a.delete('/zookeeper/digest-test')

# Large data: past the size where a CRC is worth native code, and near jute.maxbuffer.
a.create('/big', b'\x00\x01\xfe\xff' * 2500)
a.set('/big', bytes(range(256)) * 3000)

# Enough txns to pass 0x100 (two records in the digest log), with setData and delete mixed in.
a.create('/many', b'')
for i in range(160):
    a.create('/many/n-%03d' % i, b'%d' % i)
for i in range(0, 160, 4):
    a.set('/many/n-%03d' % i, b'changed')
for i in range(0, 160, 5):
    a.delete('/many/n-%03d' % i)

sessions = {'a': a.client_id[0], 'b': b.client_id[0]}
b.stop(); b.close()   # closeSession deleting b's ephemerals
a.stop(); a.close()   # and a's

if os.environ.get('EXPIRE') == '1':
    # A session that is never closed: the leader expires it (its own closeSession, deleting /expiring).
    e = session(timeout=2.0)
    e.create('/expiring', b'', ephemeral=True)
    sessions['expiring'] = e.client_id[0]

print(json.dumps({'sessions': {k: '%x' % v for k, v in sessions.items()}}, sort_keys=True))
if os.environ.get('EXPIRE') == '1':
    sys.stdout.flush()
    os._exit(0)
