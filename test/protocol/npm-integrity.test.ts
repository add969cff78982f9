// dist.integrity read with ssri (npm's own SRI library): the strongest trusted hash decides, and
// spellings that try to slip a weak or unreadable hash past the check fail closed.
import { createHash } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkDigests, checkIntegrity, digestsNeeded } from '../../src/protocol/npm/integrity.js';

const bytes = Buffer.from('tarball bytes');
const sri = (algorithm: string, data = bytes) => `${algorithm}-${createHash(algorithm).update(data).digest('base64')}`;

test('several hashes: the strongest decides, whatever the order; any of several sha512 values may match', () => {
  assert.equal(digestsNeeded(`${sri('sha1')} ${sri('sha512')} ${sri('sha256')}`, null), ['sha512']);
  assert.equal(checkIntegrity(bytes, `${sri('sha512', Buffer.from('other'))} ${sri('sha512')}`, null), { ok: true, algorithm: 'sha512' });
  assert.is(
    checkIntegrity(bytes, `${sri('sha512', Buffer.from('other'))} ${sri('sha1')}`, null).ok,
    false,
    'a matching sha1 does not rescue a wrong sha512',
  );
});

test('md5 (or any unknown algorithm) is never relied on: with nothing else, the shasum decides or the check fails', () => {
  const md5 = sri('md5');
  assert.equal(digestsNeeded(md5, null), []);
  assert.is(checkIntegrity(bytes, md5, null).ok, false);
  const sha1 = createHash('sha1').update(bytes).digest('hex');
  assert.equal(checkIntegrity(bytes, md5, sha1.toUpperCase()), { ok: true, algorithm: 'sha1' });
});

test('unreadable integrity text, options after the hash, and missing digests', () => {
  assert.is(checkIntegrity(bytes, 'not an integrity', null).ok, false);
  assert.equal(checkIntegrity(bytes, `${sri('sha512')}?foo=bar`, null), { ok: true, algorithm: 'sha512' });
  const missing = checkDigests(new Map(), sri('sha512'), null);
  assert.ok(!missing.ok && missing.reason.includes('(not computed)'));
});

test.run();
