// `depfence import` refuses every kind of bad bundle before anything is stored, and leaves the
// data dir byte for byte as it was: a changed byte, an extra file, `..` and absolute paths,
// symlinks, hard links, devices, a truncated archive, sizes that disagree with the manifest or
// pass the configured maximum, a bad or missing signature, a conflicting file. Good bundles
// import, merge, and re-import idempotently.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MirrorError } from '../../src/sources/offline-store/errors.js';
import { importBundle } from '../../src/mirror/import.js';
import { artifactPath } from '../../src/protocol/bundle/manifest.js';
import { signBundle } from '../../src/mirror/signature.js';
import { OfflineStore } from '../../src/sources/offline-store/store.js';
import { fileSha256 } from '../../src/mirror/hashing.js';
import { isolatedEnv, runCliInProcess } from '../helpers/cli.js';
import { treeFingerprint } from './helpers.js';
import { entriesOf, rawTarball, synthetic, writeSynthetic, type RawEntry, type Synthetic } from './synthetic.js';

const test = suite('mirror/import-verify');
const MAX = 1024 * 1024;
let scratch: string;
let dataDir: string;
let base: Synthetic;
let keys: { privateKey: string; publicKey: string; otherPublic: string };

test.before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'depfence-import-'));
  dataDir = join(scratch, 'data');
  base = synthetic([
    { ecosystem: 'pypi', name: 'alpha', version: '1.0.0' },
    { ecosystem: 'npm', name: 'beta', version: '1.0.0' },
  ]);
  const good = await writeSynthetic(scratch, 'good.tgz', base);
  await importBundle({ bundle: good, dataDir, maxBytes: MAX });
  const pair = generateKeyPairSync('ed25519');
  const other = generateKeyPairSync('ed25519');
  keys = {
    privateKey: write('signing.pem', pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
    publicKey: write('signing.pub.pem', pair.publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    otherPublic: write('other.pub.pem', other.publicKey.export({ type: 'spki', format: 'pem' }).toString()),
  };
});

test.after(() => rmSync(scratch, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const file = join(scratch, name);
  writeFileSync(file, content);
  return file;
}

/** Imports `file` expecting a refusal with a message matching `pattern`; the store must not change. */
async function refused(
  file: string,
  pattern: RegExp | string,
  options: { maxBytes?: number; verifyKey?: string; into?: string } = {},
): Promise<void> {
  const into = options.into ?? dataDir;
  const before = treeFingerprint(into);
  try {
    await importBundle({ bundle: file, dataDir: into, maxBytes: options.maxBytes ?? MAX, verifyKey: options.verifyKey });
    assert.unreachable(`${file} was imported`);
  } catch (error) {
    if (!(error instanceof MirrorError)) throw error;
    assert.match(error.message, pattern);
  }
  assert.is(treeFingerprint(into), before, 'the data dir is byte-identical after the refused import');
}

const tampered = (name: string, entries: RawEntry[]) => write(name, rawTarball(entries));

test('a good bundle imports: records and blobs in the current generation', () => {
  const store = new OfflineStore(dataDir);
  const alpha = store.package('pypi', 'alpha');
  assert.ok(alpha);
  assert.is(alpha.artifacts.length, 1);
  assert.ok(store.blob(alpha.artifacts[0]!.sha256));
  assert.ok(store.package('npm', 'beta'));
  assert.is(store.index().bundles.length, 1);
});

test('a changed byte is refused (sha256 mismatch), nothing stored', async () => {
  const entries = entriesOf(base);
  const body = Buffer.from(entries[1]!.body!);
  body[10] = body[10]! ^ 0xff;
  entries[1] = { ...entries[1]!, body };
  await refused(tampered('changed-byte.tgz', entries), /its sha256 is [0-9a-f]{64}, the manifest says/);
});

test('an extra file is refused, whether named like an artifact or not', async () => {
  await refused(
    tampered('extra-artifact.tgz', [...entriesOf(base), { path: artifactPath('a'.repeat(64)), body: Buffer.from('extra') }]),
    'the manifest does not list it',
  );
  await refused(
    tampered('extra-file.tgz', [...entriesOf(base), { path: 'README', body: Buffer.from('extra') }]),
    'the manifest does not list it',
  );
});

test('a ../ entry and an absolute path are refused', async () => {
  await refused(
    tampered('dotdot.tgz', [...entriesOf(base), { path: '../../escaped', body: Buffer.from('x') }]),
    "its path leaves the bundle ('..')",
  );
  await refused(
    tampered('absolute.tgz', [entriesOf(base)[0]!, { path: '/tmp/depfence-absolute', body: Buffer.from('x') }]),
    'it has an absolute path',
  );
});

test('symlinks, hard links and devices are refused', async () => {
  const [manifest, first] = entriesOf(base);
  await refused(
    tampered('symlink.tgz', [manifest!, { path: first!.path, type: 'SymbolicLink', linkpath: '/etc/passwd' }]),
    'it is a symbolic link',
  );
  await refused(tampered('hardlink.tgz', [manifest!, { path: first!.path, type: 'Link', linkpath: 'manifest.json' }]), 'it is a hard link');
  await refused(tampered('device.tgz', [manifest!, { path: first!.path, type: 'CharacterDevice' }]), 'it is a character device');
  await refused(tampered('directory.tgz', [manifest!, { path: 'artifacts/', type: 'Directory' }]), 'it is a directory');
});

test('a truncated archive is refused (cut inside the gzip stream, and cut at an entry boundary)', async () => {
  const good = readFileSync(join(scratch, 'good.tgz'));
  await refused(
    write('truncated.tgz', good.subarray(0, Math.floor(good.length / 2))),
    /not a complete gzip tar archive|cut short|truncated/,
  );
  const entries = entriesOf(base);
  await refused(tampered('missing-entry.tgz', entries.slice(0, 2)), /lacks 1 file\(s\) its manifest lists/);
});

test('sizes: an entry whose header disagrees with the manifest, and a bundle over mirror.maxBundleBytes', async () => {
  const entries = entriesOf(base);
  entries[1] = { ...entries[1]!, body: Buffer.concat([entries[1]!.body!, Buffer.from('more')]) };
  await refused(tampered('bigger-entry.tgz', entries), /it is \d+ bytes, the manifest says \d+/);
  await refused(join(scratch, 'good.tgz'), 'more than mirror.maxBundleBytes', { maxBytes: 100 });
});

test('the manifest must come first, once; a malformed manifest is refused', async () => {
  const [manifest, ...rest] = entriesOf(base);
  await refused(tampered('manifest-last.tgz', [...rest, manifest!]), 'a bundle starts with manifest.json');
  await refused(tampered('manifest-twice.tgz', [manifest!, manifest!, ...rest]), 'holds manifest.json twice');
  await refused(tampered('duplicate-entry.tgz', [manifest!, rest[0]!, rest[0]!, rest[1]!]), 'the bundle holds it twice');
  const evil = { ...base.manifest, artifacts: base.manifest.artifacts.map((artifact) => ({ ...artifact, filename: '../../etc/passwd' })) };
  await refused(
    tampered('bad-manifest.tgz', [{ path: 'manifest.json', body: Buffer.from(JSON.stringify(evil)) }, ...rest]),
    /manifest.json is not valid: .*filename/,
  );
});

test('a refused import into a data dir that did not exist leaves no data dir behind', async () => {
  const fresh = join(scratch, 'never-created');
  await refused(
    tampered('fresh-refused.tgz', [...entriesOf(base), { path: 'README', body: Buffer.from('x') }]),
    'the manifest does not list it',
    { into: fresh },
  );
  assert.not.ok(existsSync(fresh));
});

test('signatures: a signed bundle verifies (CLI); a wrong key, a changed bundle, an altered or missing signature are refused', async () => {
  const signedBundle = synthetic([{ ecosystem: 'pypi', name: 'signed-pkg', version: '2.0.0' }]);
  const file = await writeSynthetic(scratch, 'signed.tgz', signedBundle);
  writeFileSync(`${file}.sig`, JSON.stringify(signBundle(await fileSha256(file), keys.privateKey)));

  await refused(file, 'does not verify with the key', { verifyKey: keys.otherPublic });
  const altered = JSON.parse(readFileSync(`${file}.sig`, 'utf8')) as { signature: string };
  const copy = write('signed-altered.tgz', readFileSync(file));
  writeFileSync(`${copy}.sig`, JSON.stringify({ ...altered, signature: Buffer.alloc(64, 1).toString('base64') }));
  await refused(copy, 'does not verify with the key', { verifyKey: keys.publicKey });
  const changed = write('signed-changed.tgz', rawTarball(entriesOf(signedBundle)));
  writeFileSync(`${changed}.sig`, readFileSync(`${file}.sig`));
  await refused(changed, /signs a bundle with sha256 [0-9a-f]{64}, but this bundle's sha256 is/, { verifyKey: keys.publicKey });
  await refused(join(scratch, 'good.tgz'), 'signature', { verifyKey: keys.publicKey });

  const cli = await runCliInProcess(['import', file, '--data-dir', dataDir, '--verify-key', keys.publicKey], {
    env: isolatedEnv(),
    cwd: scratch,
  });
  assert.is(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, 'signature verified');
  const bad = await runCliInProcess(['import', changed, '--data-dir', dataDir, '--verify-key', keys.publicKey], {
    env: isolatedEnv(),
    cwd: scratch,
  });
  assert.is(bad.code, 1);
  assert.match(bad.stderr, 'import refused, nothing was stored');
});

test('a later bundle adds packages and versions; the same bundle again changes nothing; a conflicting file is refused', async () => {
  const later = synthetic(
    [
      { ecosystem: 'pypi', name: 'alpha', version: '1.1.0' },
      { ecosystem: 'npm', name: 'gamma', version: '3.0.0' },
    ],
    new Date('2026-02-01T00:00:00Z'),
  );
  const file = await writeSynthetic(scratch, 'later.tgz', later);
  const first = await importBundle({ bundle: file, dataDir, maxBytes: MAX });
  assert.is(first.changed, true);
  const store = new OfflineStore(dataDir);
  assert.equal(
    store.package('pypi', 'alpha')!.artifacts.map((artifact) => artifact.version),
    ['1.0.0', '1.1.0'],
  );
  assert.ok(store.package('npm', 'gamma'));
  assert.ok(store.package('npm', 'beta'), 'earlier packages stay');

  const before = treeFingerprint(dataDir);
  const again = await importBundle({ bundle: file, dataDir, maxBytes: MAX });
  assert.is(again.changed, false);
  assert.is(treeFingerprint(dataDir), before);

  const conflicting = synthetic([{ ecosystem: 'pypi', name: 'alpha', version: '1.0.0' }]);
  await refused(
    await writeSynthetic(scratch, 'conflict.tgz', conflicting),
    /already in the offline store with sha256 [0-9a-f]{64}, but this bundle has/,
  );
});

test.run();
