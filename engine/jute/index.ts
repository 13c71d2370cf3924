export { JuteDecodeError } from './errors'
export { JuteReader } from './reader'
export { JuteWriter } from './writer'
export * from './schema'
