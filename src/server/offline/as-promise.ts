// The offline store reads synchronously, while the sources it stands in for answer with promises.

/** `compute()` as a promise; a throw (a damaged store, say) becomes a rejection, as in an async function. */
export function asPromise<T>(compute: () => T): Promise<T> {
  return new Promise((resolve) => resolve(compute()));
}
