/**
 * Reading a byte stream as UTF-8 text with a size cap, enforced while reading: the request bodies
 * of the protocol's bridges and the remote JWKS responses.
 *
 * @internal
 * @module
 */

/** What to throw when the text is over the cap or not UTF-8. */
export interface ReadCappedErrors {
  tooLarge(): Error
  malformed(cause: unknown): Error
}

/** @internal The stream's text; stops (and cancels the stream) once it passes `maxBytes`. */
export async function readCappedText(stream: ReadableStream<Uint8Array> | null | undefined, maxBytes: number, errors: ReadCappedErrors): Promise<string> {
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = stream?.getReader()
  if (reader !== undefined) {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > maxBytes) {
        reader.cancel().catch(() => {})
        throw errors.tooLarge()
      }
      chunks.push(value)
    }
  }
  return decodeUtf8Chunks(chunks, size, errors)
}

/** @internal UTF-8 text of the chunks; invalid UTF-8 is refused, never replaced by U+FFFD. */
export function decodeUtf8Chunks(chunks: readonly Uint8Array[], size: number, errors: Pick<ReadCappedErrors, 'malformed'>): string {
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch (cause) {
    throw errors.malformed(cause)
  }
}
