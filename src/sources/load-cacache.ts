// cacache, loaded with the first cache read or write: a command or a server start that has not yet
// asked an upstream for anything never pays for loading it.
import { loadOnce } from './load-once.js';

export const loadCacache: () => Promise<typeof import('cacache')> = loadOnce(async () => (await import('cacache')).default);
