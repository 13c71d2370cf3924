# Two ways Apache ZooKeeper 3.8's own prep logs a digest its tree does not reach (so it counts a mismatch on its own
# txn): a setData on "/" prepared while a create under the root is outstanding (the root's two keys, "" and "/"), and
# a plain create2 with the container flag (an ordinary node, recorded with the container owner).
import os
from kazoo.client import KazooClient
from kazoo.protocol.serialization import Create2
from kazoo.security import OPEN_ACL_UNSAFE

zk = KazooClient(hosts='127.0.0.1:' + os.environ['PORT'])
zk.start()
for i in range(5):
    created = zk.create_async('/x%d' % i, b'')
    updated = zk.set_async('/', b'root %d' % i)
    created.get()
    updated.get()
result = zk.handler.async_result()
zk._call(Create2('/not-a-container', b'', OPEN_ACL_UNSAFE, 4), result)
result.get()
zk.create('/after', b'')
zk.stop()
