export { checkLinearizable, describe } from './check'
export type { CheckOptions, CheckResult, Model, Operation } from './types'
export { type ZnodeCode, type ZnodeInput, type ZnodeOutput, type ZnodeState, znodeModel } from './znode-model'
