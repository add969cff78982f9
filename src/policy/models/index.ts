export * from './types.js';
export { evaluateRepo, type ModelDecision } from './evaluate.js';
export { checkFileContent } from './file-checks.js';
export { checkFileLock, lockedRepo } from './lock-checks.js';
export { entryMatchesRepo } from './lists.js';
