export { PickleScanner, type PickleImport, type PickleScannerOptions, type PickleVerdict } from './scanner.js';
export { SAFE_GLOBALS, NUMPY_SAFE_GLOBALS, isSafeGlobal, isNumpySafeGlobal, importedName } from './safe-globals.js';
