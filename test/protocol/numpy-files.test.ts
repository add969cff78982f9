// NumPy array files as numpy.load reads them: numeric arrays pass once their header is valid, the
// pickle of an object array is scanned (numpy's own rebuild globals allowed, anything else not),
// a .npz's members are each read by their magic, and what cannot be parsed is refused. The files
// are written by hand per the .npy spec in model-files.py; none is ever loaded.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inspectModelFile, type FileInspection } from '../../src/protocol/models/inspect.js';
import { bufferAccess, pythonModelFile, type PythonModelFile } from '../fixtures/model-files.js';

const inspect = (file: PythonModelFile, mode: 'scan' | 'deny' | 'allow' = 'scan', name: string = file): Promise<FileInspection> =>
  inspectModelFile(name, bufferAccess(pythonModelFile(file)), mode);

test('numeric arrays pass under scan and deny (header validated, no pickle read): version 1 and a structured version 2', async () => {
  for (const file of ['numeric.npy', 'numeric-v2.npy'] as const) {
    for (const mode of ['scan', 'deny'] as const) {
      const result = await inspect(file, mode);
      assert.equal([result.format, result.problem], ['numpy', null], `${file} under ${mode}`);
    }
  }
  // A numeric array under any name is read by its magic.
  assert.is((await inspect('numeric.npy', 'scan', 'embeddings.dat')).format, 'numpy');
});

test('an object array: its pickle is scanned; numpy rebuild globals pass, os.system does not, wherever the object sits', async () => {
  const clean = await inspect('object-clean.npy');
  assert.is(clean.problem, null);
  assert.equal(clean.pickle && 'imports' in clean.pickle && [...clean.pickle.imports].sort(), [
    'numpy._core.multiarray._reconstruct',
    'numpy.dtype',
    'numpy.ndarray',
  ]);
  for (const file of ['object-payload.npy', 'object-field.npy'] as const) {
    const refused = await inspect(file);
    assert.match(refused.problem ?? '', /imports posix\.system .*numpy needs to load an object array/, file);
  }
  // Renamed, it is still what numpy.load would unpickle.
  assert.match((await inspect('object-payload.npy', 'scan', 'vectors.bin')).problem ?? '', /posix\.system/);
});

test('under deny an object array is refused without scanning; under allow nothing is read', async () => {
  assert.match((await inspect('object-clean.npy', 'deny')).problem ?? '', /object array.*policy\.models\.pickle is deny/);
  assert.is((await inspect('object-payload.npy', 'allow')).problem, null);
});

test('what cannot be parsed is refused: short data, a header numpy rejects, a dtype this reader does not know, truncation', async () => {
  assert.match((await inspect('short.npy')).problem ?? '', /describes 80 bytes of data but 16 follow/);
  assert.match((await inspect('extra-key.npy')).problem ?? '', /keys descr, fortran_order, shape, x/);
  assert.match((await inspect('unknown-dtype.npy')).problem ?? '', /dtype "object" is not one this reader knows/);
  const whole = pythonModelFile('numeric.npy');
  const cut = await inspectModelFile('cut.npy', bufferAccess(whole.subarray(0, 40)), 'scan');
  assert.match(cut.problem ?? '', /cannot be read safely/);
  const payload = pythonModelFile('object-clean.npy');
  const truncated = await inspectModelFile('cut.npy', bufferAccess(payload.subarray(0, payload.length - 5)), 'scan');
  assert.match(truncated.problem ?? '', /truncated|ends/);
  const version9 = Buffer.from(whole);
  version9[6] = 9;
  assert.match((await inspectModelFile('v9.npy', bufferAccess(version9), 'scan')).problem ?? '', /format version 9\.0/);
});

test('a .npy that is not one is unpickled by numpy.load, so it is scanned as a pickle', async () => {
  const result = await inspect('raw-pickle.npy');
  assert.is(result.format, 'pickle');
  assert.match(result.problem ?? '', /posix\.system/);
});

test('.npz: every member with the .npy magic is read (named .npy or not); other members are bytes numpy returns as they are', async () => {
  const clean = await inspect('clean.npz');
  assert.equal([clean.format, clean.problem], ['numpy', null]);
  assert.match((await inspect('payload.npz')).problem ?? '', /\(in labels\.npy\).*posix\.system|posix\.system.*labels\.npy/);
  assert.match((await inspect('payload-unnamed.npz')).problem ?? '', /posix\.system/);
  assert.match((await inspect('payload.npz', 'deny')).problem ?? '', /object array \(labels\.npy\)/);
  // numpy.load reads a zip under any name as a .npz.
  assert.match((await inspect('payload.npz', 'scan', 'arrays.zip')).problem ?? '', /posix\.system/);
});

test.run();
