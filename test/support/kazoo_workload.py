# What the kazoo workload scripts share: sessions to $PORT on 127.0.0.1, raw requests kazoo has no method for
# (createContainer, createTTL), sent through a session as they are.
import os
from kazoo.client import KazooClient
from kazoo.protocol.serialization import Create2, long_struct

HOSTS = '127.0.0.1:' + os.environ['PORT']


class CreateContainer(Create2):
    type = 19


def create_ttl(ttl):
    """A CreateTTL request class for one TTL (kazoo's requests are namedtuples: the TTL cannot be a field)."""
    class CreateTTL(Create2):
        type = 21

        def serialize(self):
            b = super().serialize()
            b.extend(long_struct.pack(ttl))
            return b
    return CreateTTL


def session(timeout=30.0):
    zk = KazooClient(hosts=HOSTS, timeout=timeout)
    zk.start()
    return zk


def raw(zk, request):
    result = zk.handler.async_result()
    zk._call(request, result)
    return result.get()
