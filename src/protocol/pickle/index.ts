export { PickleScanner, type PickleImport, type PickleScannerOptions, type PickleVerdict } from './scanner.js';
export { SAFE_GLOBALS, isSafeGlobal, importedName } from './safe-globals.js';
