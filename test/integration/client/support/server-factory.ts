/**
 * What the client tests need from a server under test. Apache's is implemented in ./apache.ts; ZooDesk's own server
 * plugs in here later with the same shape, so every test runs unchanged against both.
 */
export interface TlsServerFiles {
  readonly keyStorePath: string
  readonly trustStorePath: string
  readonly password: string
  /** 'need' (default), 'want' or 'none'. */
  readonly clientAuth?: string
}

export interface EnsembleOptions {
  /** Members (1 = standalone). */
  readonly size?: number
  /** Default 500 ms, so sessions may be as short as 1 s. */
  readonly tickTimeMs?: number
  readonly minSessionTimeoutMs?: number
  readonly maxSessionTimeoutMs?: number
  readonly extraConfig?: Readonly<Record<string, string>>
  readonly systemProperties?: Readonly<Record<string, string>>
  /** Adds a secure client port per member. */
  readonly tls?: TlsServerFiles
}

export interface TestMember {
  readonly id: number
  readonly host: string
  readonly clientPort: number
  readonly quorumPort: number
  readonly electionPort: number
  readonly securePort: number | undefined
}

export interface TestEnsemble {
  readonly members: readonly TestMember[]
  connectString(chroot?: string): string
  secureConnectString(chroot?: string): string
  /** Index of the member listening on `port` (client or secure port), -1 if none. */
  memberIndexByPort(port: number): number
  /** Kills the member (SIGKILL: a crash, not a clean shutdown). */
  stopMember(index: number): Promise<void>
  /** Restarts a stopped member, by default waiting until it serves clients. */
  startMember(index: number, waitForService?: boolean): Promise<void>
  close(): Promise<void>
}

export interface ServerFactory {
  readonly name: string
  start(options?: EnsembleOptions): Promise<TestEnsemble>
}
