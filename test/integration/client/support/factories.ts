import { apacheFactory, zoodeskEnsembleFactory } from './apache'
import type { ServerFactory } from './server-factory'
import { sharedApache, sharedZooDesk } from './shared-harness'

/**
 * The servers every client test runs against, chosen by ZOODESK_CLIENT_TEST_SERVERS (default `apache,zoodesk`: the
 * same tests and expectations on Apache ZooKeeper and on ZooDesk's own server). Standalone servers come from the
 * shared harness (test/compat/harness); Apache ensembles and TLS from ./apache.ts.
 */
const available: Record<string, ServerFactory> = {
  apache: sharedApache(apacheFactory),
  zoodesk: sharedZooDesk,
}

export const serverFactories: ServerFactory[] = (process.env['ZOODESK_CLIENT_TEST_SERVERS'] ?? 'apache,zoodesk')
  .split(',')
  .map((name) => name.trim())
  .filter((name) => name.length > 0)
  .map((name) => {
    const factory = available[name]
    if (factory === undefined) throw new Error(`unknown server factory ${name} (known: ${Object.keys(available).join(', ')})`)
    return factory
  })

/** Ensembles: Apache's (one JVM per member) and ZooDesk's (one `zoodesk server` process per member), same configs. */
const ensembleKinds: Record<string, ServerFactory> = { apache: apacheFactory, zoodesk: zoodeskEnsembleFactory }
export const ensembleFactories: ServerFactory[] = serverFactories.map((factory) => ensembleKinds[factory.name === 'zoodesk' ? 'zoodesk' : 'apache']!)

/** Read-only mode needs an ensemble (a member cut off from its quorum): Apache's and ZooDesk's. */
export const readOnlyFactories: ServerFactory[] = ensembleFactories

/** TLS exists only on Apache so far (ZooDesk has no secure client port yet): tls.test.ts runs on Apache until it does. */
export const tlsFactories: ServerFactory[] = serverFactories.filter((factory) => factory.name !== 'zoodesk')

/** The former name of `tlsFactories`, kept while tls.test.ts still imports it. */
export const readOnlyAndTlsFactories: ServerFactory[] = tlsFactories
