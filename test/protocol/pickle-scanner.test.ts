import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PickleScanner, type PickleVerdict } from '../../src/protocol/pickle/index.js';
import { inspectModelFile } from '../../src/protocol/models/inspect.js';
import { bufferAccess, buildSafetensors, pythonModelFile, rawSafetensors } from '../fixtures/model-files.js';

function scan(bytes: Buffer, chunk = bytes.length || 1): PickleVerdict {
  const scanner = new PickleScanner();
  for (let at = 0; at < bytes.length; at += chunk) if (!scanner.write(bytes.subarray(at, at + chunk))) break;
  return scanner.end();
}

const inspect = (name: string, bytes: Buffer, mode: 'scan' | 'deny' | 'allow' = 'scan') =>
  inspectModelFile(name, bufferAccess(bytes), mode);

function unsafeName(verdict: PickleVerdict): string | null {
  return verdict.kind === 'unsafe' ? verdict.unsafe.name : null;
}

for (const [file, opcode] of [
  ['system-p0.pkl', 'INST|GLOBAL'],
  ['system-p2.bin', 'GLOBAL'],
  ['system-p4.bin', 'STACK_GLOBAL'],
] as const) {
  test(`a pickle calling os.system is refused (${file}, ${opcode}), read whole or a byte at a time`, () => {
    const bytes = pythonModelFile(file);
    for (const chunk of [bytes.length, 1, 3]) {
      const verdict = scan(bytes, chunk);
      assert.is(unsafeName(verdict), 'posix.system');
      assert.match(verdict.kind === 'unsafe' ? verdict.unsafe.opcode : '', new RegExp(`^(${opcode})$`));
    }
  });
}

test('clean pickles pass with the globals they import: protocol 4 state dict, torch legacy format, bytes and sets', () => {
  const p4 = scan(pythonModelFile('clean-p4.pkl'));
  assert.equal(p4.kind === 'safe' && p4.imports.sort(), [
    'collections.OrderedDict',
    'torch.FloatStorage',
    'torch._utils._rebuild_tensor_v2',
  ]);
  const legacy = scan(pythonModelFile('legacy.bin'));
  assert.is(legacy.kind, 'safe');
  assert.is(legacy.kind === 'safe' && legacy.pickles, 5, 'stops after the fifth pickle: the rest is raw tensor data');
  const data = scan(pythonModelFile('data-p2.pkl'), 7);
  assert.equal(data.kind === 'safe' && data.imports.sort(), ['_codecs.encode', 'builtins.set']);
});

const op = (...bytes: (number | string | Buffer)[]) =>
  Buffer.concat(
    bytes.map((part) => (typeof part === 'number' ? Buffer.from([part]) : typeof part === 'string' ? Buffer.from(part, 'latin1') : part)),
  );
const shortUnicode = (text: string) => op(0x8c, text.length, text);

test('STACK_GLOBAL whose module and name come from the memo is still seen', () => {
  const bytes = op(
    0x80,
    4,
    shortUnicode('subprocess'),
    0x94,
    shortUnicode('Popen'),
    0x94,
    0x30,
    0x30,
    0x68,
    0,
    0x68,
    1,
    0x93,
    0x29,
    0x52,
    0x2e,
  );
  assert.is(unsafeName(scan(bytes)), 'subprocess.Popen');
});

test('Python 2 module names are mapped as the unpickler maps them', () => {
  assert.is(unsafeName(scan(op(0x80, 2, 0x63, '__builtin__\neval\n', 0x4e, 0x85, 0x52, 0x2e))), 'builtins.eval');
  const set = scan(op(0x80, 2, 0x63, '__builtin__\nset\n', 0x5d, 0x85, 0x52, 0x2e));
  assert.equal(set.kind === 'safe' && set.imports, ['builtins.set']);
});

test('what the scanner cannot model is unreadable, never safe', () => {
  const cases: [string, Buffer, RegExp][] = [
    ['truncated', pythonModelFile('system-p2.bin').subarray(0, 10), /ends in the middle/],
    ['empty', Buffer.alloc(0), /empty/],
    ['unknown opcode', op(0x80, 2, 0xff), /not a pickle opcode/],
    ['STACK_GLOBAL on non-strings', op(0x80, 4, 0x4b, 1, 0x4b, 2, 0x93, 0x2e), /as strings/],
    ['stack underflow', op(0x80, 2, 0x52, 0x2e), /needs 2 values/],
    ['memo never stored', op(0x80, 2, 0x68, 9, 0x2e), /never stored/],
    ['POP_MARK without MARK', op(0x80, 2, 0x31), /MARK/],
    ['protocol from the future', op(0x80, 9, 0x4e, 0x2e), /newer/],
    ['garbage after the pickle', op(0x80, 2, 0x4e, 0x2e, 'zzz'), /not a pickle opcode/],
  ];
  for (const [label, bytes, reason] of cases) {
    const verdict = scan(bytes);
    assert.is(verdict.kind, 'unreadable', label);
    assert.match(verdict.kind === 'unreadable' ? verdict.reason : '', reason, label);
  }
});

test('the extension registry (EXT1) and a second pickle after a clean one are refused', () => {
  assert.match(unsafeName(scan(op(0x80, 2, 0x82, 7, 0x2e))) ?? '', /extension code 7/);
  assert.is(unsafeName(scan(Buffer.concat([pythonModelFile('clean-p4.pkl'), pythonModelFile('system-p2.bin')]))), 'posix.system');
});

test('a long string is counted past without being kept, and cannot name a global', () => {
  const long = 'x'.repeat(5000);
  const bytes = op(
    0x80,
    4,
    0x58,
    Buffer.from(Uint32Array.of(long.length).buffer).toString('latin1'),
    long,
    shortUnicode('system'),
    0x93,
    0x2e,
  );
  assert.match(unsafeName(scan(bytes, 100)) ?? '', /<long string>\.system/);
});

test('PyTorch zip checkpoints: tensor-rebuild globals pass; a payload in data.pkl is refused, deflated or not', async () => {
  const clean = await inspect('pytorch_model.bin', pythonModelFile('clean.pt'));
  assert.is(clean.format, 'torch-zip');
  assert.is(clean.problem, null);
  const payload = await inspect('model.pt', pythonModelFile('payload.pt'));
  assert.match(payload.problem ?? '', /archive\/data\.pkl.*builtins\.eval/);
  const deflated = await inspect('model.ckpt', pythonModelFile('payload-deflated.pt'));
  assert.match(deflated.problem ?? '', /posix\.system/);
});

test('policy modes: deny refuses any pickle unread, allow lets it through; the format comes from the bytes', async () => {
  assert.match((await inspect('model.pt', pythonModelFile('clean.pt'), 'deny')).problem ?? '', /pickle is deny/);
  assert.is((await inspect('model.pt', pythonModelFile('payload.pt'), 'allow')).problem, null);
  // A pickle under a name that does not say so is still scanned.
  assert.match((await inspect('weights.msgpack', pythonModelFile('system-p4.bin'))).problem ?? '', /posix\.system/);
  // A .bin that is no pickle at all cannot be checked, so it is refused.
  assert.match((await inspect('pytorch_model.bin', Buffer.from('just some bytes'))).problem ?? '', /cannot be read safely/);
  assert.match((await inspect('model.bin', Buffer.from('PK\x03\x04 not really a zip'))).problem ?? '', /cannot be read/);
});

test('safetensors headers: valid passes; out-of-bounds, overlapping, gapped, oversized and non-JSON headers are refused', async () => {
  assert.is(
    (
      await inspect(
        'model.safetensors',
        buildSafetensors([
          { name: 'a', shape: [2, 2] },
          { name: 'b', shape: [3] },
        ]),
      )
    ).problem,
    null,
  );
  const t = (data_offsets: number[], shape = [1]) => ({ dtype: 'F32', shape, data_offsets });
  const bad: [string, Buffer, RegExp][] = [
    ['outside', rawSafetensors({ a: t([0, 4]), b: t([4, 12], [2]) }, Buffer.alloc(8)), /outside/],
    ['overlap', rawSafetensors({ a: t([0, 8], [2]), b: t([4, 8]) }, Buffer.alloc(8)), /overlaps/],
    ['gap', rawSafetensors({ a: t([4, 8]) }, Buffer.alloc(8)), /belong to no tensor/],
    ['shape', rawSafetensors({ a: t([0, 8]) }, Buffer.alloc(8)), /need 4/],
    ['dtype', rawSafetensors({ a: { dtype: 'PICKLE', shape: [1], data_offsets: [0, 1] } }, Buffer.alloc(1)), /unknown dtype/],
    ['too big', Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]), Buffer.alloc(16)]), /more than/],
    ['not json', Buffer.concat([Buffer.from([3, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('abc')]), /not JSON/],
  ];
  for (const [label, bytes, reason] of bad) assert.match((await inspect('model.safetensors', bytes)).problem ?? '', reason, label);
});

test('GGUF must carry its magic', async () => {
  assert.is((await inspect('model.gguf', Buffer.from('GGUF\x03\x00\x00\x00'))).problem, null);
  assert.match(
    (await inspect('model.gguf', pythonModelFile('system-p2.bin'))).problem ?? '',
    /posix\.system/,
    'a pickle named .gguf is scanned as the pickle it is',
  );
});

test.run();
