// Judgements are reused for a few seconds, never across a threat-data reload: a version found
// malicious is hidden from the very next answer. The registry process (internal packages) reuses
// depfence's judgement of the same versions (every packument read is filtered; an install reads
// each packument again before its tarball); depfence's own public route reuses its verdicts for
// tarballs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunningServer } from '../../src/server/app.js';
import { JudgementReuse, type JudgeAnswer } from '../../src/server/npm/filter/judgement-reuse.js';
import type { NpmMount } from '../../src/server/npm/index.js';
import { NpmUpstream, daysAgo } from '../fixtures/index.js';
import { osvRecord, sharedExport, writeOsvExport } from '../fixtures/osv-export.js';
import { isolatedEnv, runCliInProcess } from '../helpers/cli.js';
import { testConfig } from '../helpers/firewall.js';
import { rawRequest, startNpmMount } from '../helpers/npm-firewall.js';

const answer = (generation: number, reusable = true): JudgeAnswer => ({ hide: ['1.0.0'], generation, reusable });

test('JudgementReuse: the same versions under the newest generation seen, within the reuse time', () => {
  let now = 0;
  const reuse = new JudgementReuse(1_000, () => now);
  reuse.observe(3);
  reuse.remember('pkg', 'body', answer(3));
  assert.equal(reuse.get('pkg', 'body'), answer(3));
  assert.is(reuse.get('pkg', 'other body'), undefined, 'other versions: judged again');
  assert.is(reuse.get('other', 'body'), undefined);
  now = 1_000;
  assert.is(reuse.get('pkg', 'body'), undefined, 'expired');
});

test('JudgementReuse: a newer generation named by any request ends every older answer; unreusable answers are not kept', () => {
  const reuse = new JudgementReuse(60_000);
  reuse.observe(3);
  reuse.remember('pkg', 'body', answer(3));
  reuse.observe(2); // a request forwarded earlier, arriving late: generations only grow
  assert.ok(reuse.get('pkg', 'body'));
  reuse.observe(4);
  assert.is(reuse.get('pkg', 'body'), undefined);
  reuse.remember('pkg', 'body', answer(3));
  assert.is(reuse.get('pkg', 'body'), undefined, 'judged under an older generation than the newest seen');
  reuse.remember('pkg', 'body', answer(4, false));
  assert.is(reuse.get('pkg', 'body'), undefined, 'depfence said it depends on more than the versions sent');
  for (const bad of [Number.NaN, 1.5, Number.POSITIVE_INFINITY]) reuse.observe(bad);
  reuse.remember('pkg', 'body', answer(4));
  assert.ok(reuse.get('pkg', 'body'), 'garbage in the header changes nothing');
});

let npm: NpmUpstream;
let internal: NpmUpstream;
let running: RunningServer;
let mount: NpmMount;
let scratch: string;
const env = isolatedEnv();

test.before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'depfence-reuse-'));
  const dataDir = join(scratch, 'data');
  npm = await NpmUpstream.start();
  internal = await NpmUpstream.start();
  const versions = Object.fromEntries(['1.0.0', '1.1.0', '1.1.1', '1.2.0'].map((v) => [v, { published: daysAgo(400) }]));
  npm.addPackage('leftfix', { versions, downloads: 50_000 });
  npm.addPackage('leftfix-twin', { versions, downloads: 50_000 });
  npm.addPackage('leftfix-crowd', { versions, downloads: 50_000 });
  internal.addPackage('mycorp-leftfix', { versions });
  const before = await writeOsvExport(join(scratch, 'feed-before'), {
    npm: [osvRecord({ id: 'MAL-2026-1', affected: [{ name: 'someone-else', versions: ['1.0.0'] }] })],
    pypi: [osvRecord({ id: 'MAL-2026-2', ecosystem: 'PyPI', affected: [{ name: 'someone-else', versions: ['1.0.0'] }] })],
  });
  const update = await runCliInProcess(['update', '--from', before, '--data-dir', dataDir], { env });
  assert.is(update.code, 0, update.stderr);
  const config = testConfig({
    dataDir,
    configure: (c) => {
      c.upstreams.npm = { ...c.upstreams.npm, registry: npm.registryUrl, downloads: npm.downloadsUrl, internal: internal.registryUrl };
      c.policy.confusion.npm = { scopes: [], names: [], prefixes: ['mycorp-'] };
    },
  });
  ({ running, mount } = await startNpmMount(config, { refreshThreatData: false }));
});

test.after(async () => {
  running?.server.closeAllConnections();
  await running?.close();
  await npm?.close();
  await internal?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const versionsServed = async (name: string) => {
  const answer = await rawRequest(running.url, `/${name}`, { headers: { accept: 'application/json' } });
  assert.is(answer.status, 200, answer.text);
  return Object.keys(answer.json!.versions as object).sort();
};

/** A threat-data update that finds 1.2.0 of every package here malicious (and 1.1.0 of leftfix critically vulnerable), put in force. */
async function updateThreatData(): Promise<void> {
  const shared = sharedExport();
  const feed = await writeOsvExport(join(scratch, 'feed-after'), {
    ...shared,
    npm: [
      ...shared.npm,
      osvRecord({ id: 'MAL-2026-3', affected: [{ name: 'mycorp-leftfix', versions: ['1.2.0'] }] }),
      osvRecord({ id: 'MAL-2026-4', affected: [{ name: 'leftfix-twin', versions: ['1.2.0'] }] }),
    ],
  });
  const update = await runCliInProcess(['update', '--from', feed, '--data-dir', running.context.config.server.dataDir], { env });
  assert.is(update.code, 0, update.stderr);
  assert.ok(running.context.threatRefresh.reload('test'), 'the new index is in force');
}

test('reads of the same versions are judged once; after a threat-data reload the next read or tarball is judged afresh', async () => {
  const all = ['1.0.0', '1.1.0', '1.1.1', '1.2.0'];
  assert.equal(await versionsServed('mycorp-leftfix'), all);
  const judged = mount.judgements();
  assert.ok(judged >= 1);
  assert.equal(await versionsServed('mycorp-leftfix'), all);
  const tarball = await rawRequest(running.url, '/mycorp-leftfix/-/mycorp-leftfix-1.2.0.tgz');
  assert.is(tarball.status, 200);
  assert.is(mount.judgements(), judged, 'the registry process reused the judgement for the second read and the tarball');

  const publicJudged = mount.env.publicPackuments.judgements;
  for (const name of ['leftfix', 'leftfix-twin']) {
    assert.equal(await versionsServed(name), all);
    assert.equal(await versionsServed(name), all);
    assert.is((await rawRequest(running.url, `/${name}/-/${name}-1.2.0.tgz`)).status, 200);
  }
  assert.is(
    mount.env.publicPackuments.judgements - publicJudged,
    2,
    'depfence judged each public package once for two reads and a tarball',
  );

  await updateThreatData();
  // A read first (the document served before the reload is not reused), and a tarball first (nor are its verdicts).
  assert.equal(
    await versionsServed('leftfix'),
    ['1.0.0', '1.1.1'],
    'the malicious and the critically vulnerable release are hidden at once',
  );
  const refusedPublic = await rawRequest(running.url, '/leftfix-twin/-/leftfix-twin-1.2.0.tgz');
  assert.is(refusedPublic.status, 403, refusedPublic.text);
  assert.equal(await versionsServed('mycorp-leftfix'), ['1.0.0', '1.1.0', '1.1.1']);
  assert.ok(mount.judgements() > judged);
  const refusedInternal = await rawRequest(running.url, '/mycorp-leftfix/-/mycorp-leftfix-1.2.0.tgz');
  assert.is(refusedInternal.status, 403, refusedInternal.text);
});

test('concurrent requests for a packument nobody has asked for yet share one judgement', async () => {
  const before = mount.env.publicPackuments.judgements;
  const answers = await Promise.all(
    Array.from({ length: 10 }, () => rawRequest(running.url, '/leftfix-crowd', { headers: { accept: 'application/json' } })),
  );
  assert.equal(
    answers.map((answer) => answer.status),
    Array.from({ length: 10 }, () => 200),
  );
  assert.is(mount.env.publicPackuments.judgements - before, 1);
});

test.run();
