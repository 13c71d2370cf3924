export { ADLER32_INITIAL, adler32 } from './adler32'
export { fsyncDirectory, listZxidFiles, writeFileAtomically } from './data-dir'
export {
  ACCEPTED_EPOCH_FILE,
  CURRENT_EPOCH_FILE,
  MYID_FILE,
  type EpochFileName,
  type Epochs,
  loadEpochs,
  readEpochFile,
  readMyId,
  writeEpochFile,
  writeMyId,
} from './epoch-files'
export { DatadirError, SnapshotInvalidError, TxnLogCorruptError } from './errors'
export {
  LOG_FILE_PREFIX,
  SNAPSHOT_FILE_PREFIX,
  VERSION_DIR_NAME,
  type SnapshotCompression,
  type ZxidFile,
  logFileName,
  snapshotFileName,
  versionDir,
  zxidFromFileName,
  zxidHex,
} from './file-names'
export {
  FileTxnSnapLog,
  type FileTxnSnapLogOptions,
  type RestorableTree,
  type RestoreOptions,
  type RestoreResult,
  type SnapshotSource,
  type SnapshotStats,
  type StorageDirs,
  openDataDirs,
  restore,
  storagePaths,
} from './file-txn-snap-log'
export { AutoPurger, type AutoPurgerOptions, MIN_RETAIN_COUNT, type PurgePlan, planPurge, purgeTxnLog } from './purge'
export { type RawSnapshotNode, type RawTreeBody, rawTreeBodyCodec } from './raw-tree-body'
export {
  EMPTY_ZXID_DIGEST,
  MAX_SNAPSHOT_CANDIDATES,
  type LoadedSnapshot,
  type SnapshotBodyCodec,
  type SnapshotContent,
  type ZxidDigest,
  decodeSnapshot,
  encodeSnapshot,
  encodeSnapshotInSteps,
  findValidSnapshots,
  listSnapshotFiles,
  loadNewestSnapshot,
  readSnapshotFile,
  writeSnapshot,
  writeSnapshotBytes,
} from './snapshot'
export { SnapshotPolicy, type SnapshotPolicyOptions } from './snapshot-policy'
export { dataTreeCodec } from './tree-codec'
export { TxnLogWriter, type TxnLogStats, type TxnLogWriterOptions } from './txn-log'
export {
  DEFAULT_MAX_ENTRY_BYTES,
  DEFAULT_PREALLOC_BYTES,
  FILE_HEADER_BYTES,
  SNAPSHOT_MAGIC,
  TXNLOG_MAGIC,
  allocationForWrite,
  paddedFileSize,
  readLogEntryBody,
  writeLogEntry,
} from './txn-log-format'
export {
  type LogEntry,
  type LogReadOptions,
  TxnLogIterator,
  lastLoggedZxid,
  listLogFiles,
  logFilesFrom,
  readAllTxns,
  truncateLog,
} from './txn-log-reader'
export { type LogScanOptions, type LogScanResult, ScannedTxn, scanLogEntryBody, scanLogFile } from './txn-log-scan'
export { type StorageBenchResult, benchStorage } from './bench'
