// cacache, loaded with the first cache read or write: a command or a server start that has not yet
// asked an upstream for anything never pays for loading it.
export async function loadCacache(): Promise<typeof import('cacache')> {
  return (await import('cacache')).default;
}
