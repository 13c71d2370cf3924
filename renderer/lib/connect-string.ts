// Checks a connect string as the profile form is typed: host:port[,host:port…][/chroot].

/** An i18n key saying what is wrong, or null. */
export function connectStringProblem(value: string): string | null {
  const trimmed = value.trim()
  if (trimmed === '') return 'connections.problemEmpty'
  const slash = trimmed.indexOf('/')
  const hosts = slash === -1 ? trimmed : trimmed.slice(0, slash)
  const chroot = slash === -1 ? '' : trimmed.slice(slash)
  for (const host of hosts.split(',')) {
    if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+)(:\d{1,5})?$/.test(host.trim())) return 'connections.problemHost'
    const port = /:(\d+)$/.exec(host)?.[1]
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return 'connections.problemPort'
  }
  if (chroot !== '' && (chroot.length > 1 && chroot.endsWith('/') || chroot.includes('//'))) return 'connections.problemChroot'
  return null
}
