// A module loaded on first use, then held: the import() runs once. Calling import() again for a
// module already loaded is not free: each call goes through the module loader's resolution (under
// a loader hook, such as tsx's, a round trip to the hooks thread), which, once per upstream request
// and cache read, was the largest single cost of a busy server.
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}
