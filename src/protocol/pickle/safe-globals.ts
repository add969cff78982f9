// The imports a model checkpoint may make: the callables and types PyTorch's restricted unpickler
// accepts by default (`torch.load(weights_only=True)`; torch/_weights_only_unpickler.py,
// `_get_allowed_globals` and `_tensor_rebuild_functions`): tensor-rebuild functions, tensor,
// storage and dtype types, and a few containers. Everything else (os.system, builtins.eval,
// subprocess, functools.partial, numpy's reconstruct…) is refused, whatever the extension says.

const CONTAINERS = [
  'collections.OrderedDict',
  'collections.Counter',
  'builtins.set',
  'builtins.bytearray',
  'builtins.complex',
  // Protocol 2 pickles (torch.save's default) write bytes as _codecs.encode(text, 'latin1').
  '_codecs.encode',
];

const TORCH_TYPES = [
  'torch.nn.parameter.Parameter',
  'torch.serialization._get_layout',
  'torch.Size',
  'torch.Tensor',
  'torch.device',
  'torch._tensor._rebuild_from_type_v2',
];

const REBUILD_FUNCTIONS = [
  '_rebuild_parameter',
  '_rebuild_parameter_with_state',
  '_rebuild_qtensor',
  '_rebuild_tensor',
  '_rebuild_tensor_v2',
  '_rebuild_tensor_v3',
  '_rebuild_sparse_tensor',
  '_rebuild_meta_tensor_no_storage',
  '_rebuild_wrapper_subclass',
  '_rebuild_device_tensor_from_numpy',
  '_rebuild_device_tensor_from_cpu_tensor',
].map((name) => `torch._utils.${name}`);

const DTYPES = [
  'float64',
  'float32',
  'float16',
  'bfloat16',
  'complex32',
  'complex64',
  'complex128',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'int8',
  'int16',
  'int32',
  'int64',
  'bool',
  'quint8',
  'qint8',
  'qint32',
  'quint4x2',
  'quint2x4',
  'float8_e5m2',
  'float8_e4m3fn',
  'float8_e5m2fnuz',
  'float8_e4m3fnuz',
  'float8_e8m0fnu',
  'float4_e2m1fn_x2',
  'bits1x8',
  'bits2x4',
  'bits4x2',
  'bits8',
  'bits16',
  ...[1, 2, 3, 4, 5, 6, 7].flatMap((bits) => [`uint${bits}`, `int${bits}`]),
].map((name) => `torch.${name}`);

const QUANTIZATION_SCHEMES = [
  'per_tensor_affine',
  'per_tensor_symmetric',
  'per_channel_affine',
  'per_channel_symmetric',
  'per_channel_affine_float_qparams',
].map((name) => `torch.${name}`);

const ELEMENT_TYPES = ['Double', 'Float', 'Half', 'BFloat16', 'Long', 'Int', 'Short', 'Char', 'Byte', 'Bool'];
const STORAGE_ONLY_TYPES = ['ComplexDouble', 'ComplexFloat', 'QUInt8', 'QInt8', 'QInt32', 'QUInt4x2', 'QUInt2x4'];

/** torch._tensor_classes: torch.FloatTensor… and their CUDA and sparse variants. */
const TENSOR_CLASSES = ['torch', 'torch.cuda', 'torch.sparse', 'torch.cuda.sparse'].flatMap((module) =>
  ELEMENT_TYPES.map((type) => `${module}.${type}Tensor`),
);

/** torch._storage_classes: the legacy typed storages (torch.FloatStorage…), CUDA's, and the two current ones. */
const STORAGE_CLASSES = [
  ...['torch', 'torch.cuda'].flatMap((module) => [...ELEMENT_TYPES, ...STORAGE_ONLY_TYPES].map((type) => `${module}.${type}Storage`)),
  'torch.storage.TypedStorage',
  'torch.storage.UntypedStorage',
];

export const SAFE_GLOBALS: ReadonlySet<string> = new Set([
  ...CONTAINERS,
  ...TORCH_TYPES,
  ...REBUILD_FUNCTIONS,
  ...DTYPES,
  ...QUANTIZATION_SCHEMES,
  ...TENSOR_CLASSES,
  ...STORAGE_CLASSES,
]);

/**
 * Protocol 0–2 pickles name Python 3's builtins module by its Python 2 name; the unpickler maps it
 * back (pickle's fix_imports, torch's IMPORT_MAPPING), so the scanner does too. Only modules that
 * hold a safe global are mapped: any other Python 2 name is simply not on the list.
 */
const PYTHON2_MODULES: Readonly<Record<string, string>> = { __builtin__: 'builtins', copy_reg: 'copyreg' };

/** The dotted name the unpickler would import for GLOBAL/INST/STACK_GLOBAL's module and name. */
export function importedName(module: string, name: string): string {
  return `${PYTHON2_MODULES[module] ?? module}.${name}`;
}

export function isSafeGlobal(dotted: string): boolean {
  return SAFE_GLOBALS.has(dotted);
}

/**
 * What numpy.load needs to rebuild an object array from the pickle after a .npy header (the
 * ndarray's own reduce: _reconstruct, the ndarray and dtype types, and scalars), under numpy 1's
 * and numpy 2's module names, plus the plain containers above. The array's elements are Python
 * values; any class or callable among them is an import outside this list.
 */
const NUMPY_GLOBALS = [
  ...['numpy.core.multiarray', 'numpy._core.multiarray'].flatMap((module) => [`${module}._reconstruct`, `${module}.scalar`]),
  'numpy.ndarray',
  'numpy.dtype',
];

export const NUMPY_SAFE_GLOBALS: ReadonlySet<string> = new Set([...CONTAINERS, 'builtins.frozenset', 'builtins.slice', ...NUMPY_GLOBALS]);

export function isNumpySafeGlobal(dotted: string): boolean {
  return NUMPY_SAFE_GLOBALS.has(dotted);
}
