/**
 * The client-side namespace of a connect string such as `h:2181/app/x`. The server never sees it: we prepend it to
 * every outgoing path and strip it from paths in responses and events (Java's `prependChroot` / `stripChroot`).
 */
export class Chroot {
  /** `prefix` is undefined for no chroot; never '/' (a '/' chroot is the same as none). */
  constructor(readonly prefix: string | undefined) {}

  toServer(clientPath: string): string {
    const prefix = this.prefix
    if (prefix === undefined) return clientPath
    return clientPath === '/' ? prefix : prefix + clientPath
  }

  /** Paths outside the chroot (e.g. `/zookeeper/config`) are returned unchanged, as Java does. */
  toClient(serverPath: string): string {
    const prefix = this.prefix
    if (prefix === undefined || !serverPath.startsWith(prefix)) return serverPath
    if (serverPath.length === prefix.length) return '/'
    // '/app' must not strip '/apple': only a '/' after the prefix makes it a descendant.
    return serverPath.charCodeAt(prefix.length) === 0x2f ? serverPath.substring(prefix.length) : serverPath
  }
}
