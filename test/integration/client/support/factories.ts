import { apacheFactory } from './apache'
import type { ServerFactory } from './server-factory'
import { sharedApache, sharedZooDesk } from './shared-harness'

/**
 * The servers every client test runs against, chosen by ZOODESK_CLIENT_TEST_SERVERS (default `apache`;
 * `apache,zoodesk` adds ZooDesk's own server with the same tests and expectations). Standalone servers come from the
 * shared harness (test/compat/harness); Apache ensembles and TLS from ./apache.ts.
 */
const available: Record<string, ServerFactory> = {
  apache: sharedApache(apacheFactory),
  zoodesk: sharedZooDesk,
}

export const serverFactories: ServerFactory[] = (process.env['ZOODESK_CLIENT_TEST_SERVERS'] ?? 'apache')
  .split(',')
  .map((name) => name.trim())
  .filter((name) => name.length > 0)
  .map((name) => {
    const factory = available[name]
    if (factory === undefined) throw new Error(`unknown server factory ${name} (known: ${Object.keys(available).join(', ')})`)
    return factory
  })
