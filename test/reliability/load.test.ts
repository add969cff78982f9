// Promise 5: under load. 200 concurrent clients mix cached and uncached PyPI project pages and
// files, npm packuments and tarballs against `depfence serve` (a child process, so its memory is
// its own) for DEPFENCE_LOAD_SECONDS (5 s inside `npm test`, 60 s in `npm run test:reliability`).
// Faults are injected upstream: one request in 40 of those depfence retries fails with 503 (it must
// be absorbed), and a few "poisoned" artifacts always arrive corrupted (each request for one must be
// refused with 502). No other failure is allowed, and every artifact served must match its hash.
// Prints a summary table (requests, faults, failures, artifacts verified, p50/p99, peak RSS).
import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NpmUpstream, PypiUpstream, daysAgo, type LoggedRequest } from '../fixtures/index.js';
import { percentile, rssOf, spawnServe, writeServeConfig, type ServeProcess } from './support.js';

const test = suite('reliability/load');

const SECONDS = Number(process.env.DEPFENCE_LOAD_SECONDS ?? 5);
const CLIENTS = Number(process.env.DEPFENCE_LOAD_CLIENTS ?? 200);
const HOT = 20;
/** Enough never-seen names that "uncached" requests stay uncached for the whole run. */
const COLD = Math.min(3_000, Math.max(100, Math.round(SECONDS * 40)));
const POISONED = 2;
const TRANSIENT_EVERY = 40;
const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';
const ABBREVIATED = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';
const MIB = 1024 * 1024;

let scratch: string;
let pypi: PypiUpstream;
let npm: NpmUpstream;
let serve: ServeProcess;

type Kind = 'pypi page' | 'pypi file' | 'npm packument' | 'npm tarball' | 'poisoned artifact';

interface Target {
  kind: Kind;
  path: string;
  accept?: string;
  cached: boolean;
  /** Check a 200 body; null when it is right, otherwise what is wrong. */
  verify(body: Buffer): string | null;
  /** Poisoned: the only right answer is a refusal. */
  poisoned: boolean;
  artifact: boolean;
}

const pypiName = (group: string, i: number) => `zq-load-${group}-${i}-lib`;
const npmName = (group: string, i: number) => `zq-load-${group}-${i}-js`;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function pageTarget(name: string, cached: boolean): Target {
  return {
    kind: 'pypi page',
    path: `/-/pypi/simple/${name}/`,
    accept: SIMPLE_JSON,
    cached,
    poisoned: false,
    artifact: false,
    verify: (body) => {
      const page = JSON.parse(body.toString('utf8')) as { name: string; files: unknown[] };
      return page.name === name && page.files.length === 1 ? null : `page of ${name} reads ${body.toString('utf8').slice(0, 120)}`;
    },
  };
}

function fileTarget(name: string, cached: boolean, poisoned = false): Target {
  const file = pypi.files(name, '1.0.0')[0]!;
  return {
    kind: poisoned ? 'poisoned artifact' : 'pypi file',
    path: `/-/pypi/files/${name}/${file.filename}`,
    cached,
    poisoned,
    artifact: true,
    verify: (body) => (sha256(body) === file.sha256 ? null : `${file.filename} served with sha256 ${sha256(body)}, not ${file.sha256}`),
  };
}

function packumentTarget(name: string, cached: boolean): Target {
  return {
    kind: 'npm packument',
    path: `/${name}`,
    accept: ABBREVIATED,
    cached,
    poisoned: false,
    artifact: false,
    verify: (body) => {
      const doc = JSON.parse(body.toString('utf8')) as { name: string; versions: object };
      return doc.name === name && Object.keys(doc.versions).length === 1
        ? null
        : `packument of ${name} reads ${body.toString('utf8').slice(0, 120)}`;
    },
  };
}

function tarballTarget(name: string, cached: boolean, poisoned = false): Target {
  const expected = npm.tarball(name, '1.0.0');
  return {
    kind: poisoned ? 'poisoned artifact' : 'npm tarball',
    path: `/${name}/-/${name}-1.0.0.tgz`,
    cached,
    poisoned,
    artifact: true,
    verify: (body) =>
      `sha512-${createHash('sha512').update(body).digest('base64')}` === expected.integrity
        ? null
        : `${name}-1.0.0.tgz served with other bytes`,
  };
}

test.before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'depfence-load-'));
  pypi = await PypiUpstream.start();
  npm = await NpmUpstream.start();
  for (const group of ['hot', 'cold', 'poison'] as const) {
    const count = group === 'hot' ? HOT : group === 'cold' ? COLD : POISONED;
    for (let i = 0; i < count; i++) {
      pypi.addProject(pypiName(group, i), { releases: { '1.0.0': { uploaded: daysAgo(400) } }, downloads: 50_000 });
      npm.addPackage(npmName(group, i), {
        versions: { '1.0.0': { published: daysAgo(400), files: { 'index.js': `module.exports = ${i};\n` } } },
        downloads: 50_000,
      });
    }
  }
  const configFile = join(scratch, 'depfence.yaml');
  writeServeConfig(configFile, { pypi, npm, network: { timeout: '30s', retries: 2 } });
  serve = await spawnServe(configFile, join(scratch, 'data'));
});

test.after(async () => {
  serve?.child.kill('SIGKILL');
  await Promise.all([pypi?.close(), npm?.close()]);
  rmSync(scratch, { recursive: true, force: true });
});

interface Outcome {
  target: Target;
  status: number | null;
  ms: number;
  problem: string | null;
}

function send(agent: Agent, target: Target): Promise<Outcome> {
  const started = performance.now();
  const { hostname, port } = new URL(serve.url);
  return new Promise((resolve) => {
    const done = (status: number | null, problem: string | null) => resolve({ target, status, ms: performance.now() - started, problem });
    const req = request(
      {
        host: hostname,
        port,
        path: target.path,
        agent,
        headers: { 'user-agent': 'depfence-load-test', ...(target.accept && { accept: target.accept }) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => done(res.statusCode ?? null, `the answer broke off: ${error.message}`));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const status = res.statusCode ?? 0;
          if (target.poisoned) {
            const refused = status === 502 && /does not match|has sha256|but the index lists/.test(body.toString('utf8'));
            return done(status, refused ? null : `a poisoned artifact was answered ${status}: ${body.toString('utf8').slice(0, 200)}`);
          }
          if (status !== 200) return done(status, `${status}: ${body.toString('utf8').slice(0, 200)}`);
          let problem: string | null;
          try {
            problem = target.verify(body);
          } catch (error) {
            problem = `unreadable answer: ${(error as Error).message}`;
          }
          done(status, problem);
        });
      },
    );
    req.on('error', (error) => done(null, `request failed: ${error.message}`));
    req.end();
  });
}

test(`${CLIENTS} concurrent clients for ${SECONDS} s: no failure beyond those injected, every artifact verified`, async () => {
  // Warm the hot set (outside the measured run), so "cached" means cached.
  const warmAgent = new Agent({ keepAlive: true, maxSockets: 20 });
  const hotTargets: Target[] = [];
  for (let i = 0; i < HOT; i++) {
    hotTargets.push(
      pageTarget(pypiName('hot', i), true),
      fileTarget(pypiName('hot', i), true),
      packumentTarget(npmName('hot', i), true),
      tarballTarget(npmName('hot', i), true),
    );
  }
  for (const outcome of await Promise.all(hotTargets.map((target) => send(warmAgent, target)))) {
    assert.is(outcome.problem, null, `warming ${outcome.target.path}: ${outcome.problem}`);
  }
  warmAgent.destroy();

  // Faults: one in TRANSIENT_EVERY of the requests depfence retries (metadata and files it fetches
  // itself, told apart by its User-Agent) fails once: never the same URL twice, so a retry absorbs
  // it (a URL hit on all 1 + retries attempts is refused for real, which the run would count as
  // unexpected: with thousands of fetches a 60 s run can meet one); poisoned artifacts always
  // arrive corrupted.
  let counter = 0;
  const failed = new Set<string>();
  const retried = (r: LoggedRequest) => {
    if (!String(r.headers['user-agent']).startsWith('depfence (') || ++counter % TRANSIENT_EVERY !== 0) return false;
    const key = `${r.path} ${r.accept}`;
    if (failed.has(key)) return false;
    failed.add(key);
    return true;
  };
  const transient = [pypi.failWith(503, { match: retried }), npm.failWith(503, { match: retried })];
  const poison = [
    pypi.corrupt({ match: (r) => /zq-load-poison-\d+-lib|zq_load_poison_\d+_lib/.test(r.path) && r.path.startsWith('/files/') }),
    npm.corrupt({ match: (r) => r.path.includes('zq-load-poison-') && r.path.endsWith('.tgz') }),
  ];

  let cold = 0;
  const pick = (): Target => {
    const roll = Math.random();
    const i = Math.floor(Math.random() * HOT);
    const useCold = Math.random() < 0.25 && cold < COLD * 2;
    if (roll < 0.05) {
      const p = Math.floor(Math.random() * POISONED);
      return Math.random() < 0.5 ? fileTarget(pypiName('poison', p), false, true) : tarballTarget(npmName('poison', p), false, true);
    }
    if (useCold) {
      const n = cold++;
      const name = n % 2 === 0 ? pypiName('cold', (n / 2) % COLD) : npmName('cold', ((n - 1) / 2) % COLD);
      const kinds = n % 2 === 0 ? [pageTarget, fileTarget] : [packumentTarget, tarballTarget];
      return kinds[Math.floor(Math.random() * 2)]!(name, false);
    }
    if (roll < 0.3) return pageTarget(pypiName('hot', i), true);
    if (roll < 0.5) return fileTarget(pypiName('hot', i), true);
    if (roll < 0.75) return packumentTarget(npmName('hot', i), true);
    return tarballTarget(npmName('hot', i), true);
  };

  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const outcomes: Outcome[] = [];
  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssOf(serve.pid)?.peak ?? 0);
  }, 500);
  const deadline = Date.now() + SECONDS * 1_000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < deadline) outcomes.push(await send(agent, pick()));
    }),
  );
  const elapsed = (Date.now() - started) / 1_000;
  clearInterval(sampler);
  agent.destroy();
  for (const fault of [...transient, ...poison]) fault.remove();
  peakRss = Math.max(peakRss, rssOf(serve.pid)?.peak ?? 0);

  const latencies = outcomes.map((outcome) => outcome.ms).sort((a, b) => a - b);
  const unexpected = outcomes.filter((outcome) => outcome.problem !== null);
  const refusedPoison = outcomes.filter((outcome) => outcome.target.poisoned && outcome.problem === null).length;
  const verified = outcomes.filter((outcome) => outcome.target.artifact && !outcome.target.poisoned && outcome.problem === null).length;
  const transientHits = transient.reduce((sum, fault) => sum + fault.hits, 0);
  const poisonHits = poison.reduce((sum, fault) => sum + fault.hits, 0);
  const byKind = (kind: Kind) => outcomes.filter((outcome) => outcome.target.kind === kind).length;
  const uncached = outcomes.filter((outcome) => !outcome.target.cached && !outcome.target.poisoned).length;
  const kindP99 = (kind: Kind) =>
    Math.round(
      percentile(
        outcomes
          .filter((o) => o.target.kind === kind)
          .map((o) => o.ms)
          .sort((a, b) => a - b),
        99,
      ),
    );

  const rows: [string, string][] = [
    ['duration, clients', `${elapsed.toFixed(1)} s, ${CLIENTS} concurrent`],
    [
      'requests sent',
      `${outcomes.length} (${Math.round(outcomes.length / elapsed)}/s): ${byKind('pypi page')} pages, ${byKind('pypi file')} files, ${byKind('npm packument')} packuments, ${byKind('npm tarball')} tarballs, ${byKind('poisoned artifact')} poisoned; ${uncached} uncached`,
    ],
    [
      'faults injected',
      `${transientHits + poisonHits}: ${transientHits} transient upstream 503s, ${poisonHits} corrupted artifact downloads`,
    ],
    [
      'failures seen',
      `${outcomes.length - outcomes.filter((o) => o.status === 200).length}: ${refusedPoison} requests for poisoned artifacts refused (502; concurrent requests share one download), ${unexpected.length} unexpected`,
    ],
    ['artifacts verified', `${verified} (every 200 file/tarball hashed against the index/packument)`],
    [
      'latency p50 / p99',
      `${Math.round(percentile(latencies, 50))} ms / ${Math.round(percentile(latencies, 99))} ms (max ${Math.round(latencies.at(-1) ?? 0)} ms)`,
    ],
    [
      'p99 by kind',
      `page ${kindP99('pypi page')}, file ${kindP99('pypi file')}, packument ${kindP99('npm packument')}, tarball ${kindP99('npm tarball')} ms`,
    ],
    ['peak RSS (depfence serve)', `${Math.round(peakRss / MIB)} MiB`],
  ];
  const width = Math.max(...rows.map(([key]) => key.length));
  console.log(
    `\n  load test summary\n  | ${'metric'.padEnd(width)} | value |\n  | ${'-'.repeat(width)} | --- |\n${rows.map(([key, value]) => `  | ${key.padEnd(width)} | ${value} |`).join('\n')}\n`,
  );

  const examples = [...new Set(unexpected.map((outcome) => `${outcome.target.kind} ${outcome.target.path}: ${outcome.problem}`))].slice(
    0,
    10,
  );
  assert.equal(examples, [], `${unexpected.length} failures beyond those injected, e.g.:\n${examples.join('\n')}`);
  assert.ok(outcomes.length > CLIENTS, 'the clients got through more than one request each');
  assert.ok(uncached > 0 && byKind('poisoned artifact') > 0, 'the mix had uncached and poisoned requests');
  assert.ok(transientHits > 0, 'transient faults were injected');
  const health = await fetch(`${serve.url}/-/depfence/health`);
  assert.is(health.status, 200, 'still healthy afterwards');
});

test.run();
