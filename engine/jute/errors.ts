/** Raised when bytes do not decode as the expected jute record: short input, bad length, or bad value. */
export class JuteDecodeError extends Error {
  override name = 'JuteDecodeError'
}
