/**
 * @internal Whether a value is a promise of any realm (`instanceof Promise` is false for one made
 * by another realm's builtins, or for a library's thenable).
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function'
}
