// The real pip through the firewall, ending with the upstream stopped. Every pip run is isolated from the machine's pip settings
// (see test/helpers/pip.ts). pip takes a second or two per run, so the independent installs run
// concurrently in `before` and each test then checks one outcome.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PypiUpstream, daysAgo } from '../fixtures/index.js';
import { startFirewall, type TestFirewall } from '../helpers/firewall.js';
import { pipInstall, type PipResult } from '../helpers/pip.js';

const test = suite('pip/install');
let pypi: PypiUpstream;
let internal: PypiUpstream;
let firewall: TestFirewall;
const results: Record<string, PipResult> = {};
const old = { uploaded: daysAgo(400) };

const installed = (result: PipResult) =>
  readdirSync(result.target)
    .filter((entry) => entry.endsWith('.dist-info'))
    .sort();

test.before(async () => {
  pypi = await PypiUpstream.start();
  internal = await PypiUpstream.start();
  pypi.addProject('app-core', { releases: { '1.0.0': { ...old, dependencies: ['app-util>=1'] } }, downloads: 50_000 });
  pypi.addProject('app-util', { releases: { '1.0.0': old }, downloads: 50_000 });
  pypi.addProject('fresh-lib', { releases: { '1.0.0': old, '1.1.0': { uploaded: new Date(Date.now() - 3_600_000) } }, downloads: 50_000 });
  pypi.addProject('reqeusts', { releases: { '1.0.0': old }, downloads: 40 });
  pypi.addProject('tampered-pkg', { releases: { '1.0.0': old }, downloads: 50_000 });
  pypi.addProject('never-fetched', { releases: { '1.0.0': old }, downloads: 50_000 });
  pypi.addProject('acme-secret', { releases: { '9.9.9': old }, downloads: 50_000 }); // the attacker's upload
  internal.addProject('acme-secret', { releases: { '1.0.0': old } });
  pypi.corrupt({ match: pypi.route.file(pypi.files('tampered-pkg', '1.0.0')[0]!.filename) });
  firewall = await startFirewall({
    pypi,
    mounts: 'pypi',
    configure: (config) => {
      config.policy.confusion.pypi = { names: ['acme-secret'], prefixes: [] };
      config.upstreams.pypi.internal = internal.simpleUrl;
    },
  });
  // One install of everything that should succeed (pip's start-up is most of a run), one run per failure.
  const runs: Record<string, [string[], string[]]> = {
    allowed: [['app-core', 'fresh-lib', 'acme-secret'], []],
    freshPinned: [['fresh-lib==1.1.0'], []],
    typosquat: [['reqeusts'], ['-vv']],
    tampered: [['tampered-pkg'], []],
  };
  await Promise.all(
    Object.entries(runs).map(async ([key, [requirements, args]]) => {
      results[key] = await pipInstall(requirements, { indexUrl: firewall.simpleUrl, args });
    }),
  );
});

let pypiStopped = false;

test.after(async () => {
  await firewall.close();
  if (!pypiStopped) await pypi.close();
  await internal.close();
});

test('an allowed package with a dependency installs, its files fetched by the firewall and every decision logged', () => {
  const result = results.allowed!;
  assert.is(result.code, 0, result.output);
  assert.ok(installed(result).includes('app_core-1.0.0.dist-info'));
  assert.ok(installed(result).includes('app_util-1.0.0.dist-info'));
  assert.match(result.output, `${firewall.url}/-/pypi/files/app-core/app_core-1.0.0-py3-none-any.whl`);
  for (const name of ['app-core', 'app-util']) {
    const fetched = pypi.requestsTo(pypi.route.file(pypi.files(name, '1.0.0')[0]!.filename));
    assert.is(fetched.length, 1, `${name}'s wheel was fetched once, by the firewall`);
    assert.match(String(fetched[0]!.headers['user-agent']), 'depfence');
  }
  const records = firewall.audit().filter((r) => r.name === 'app-core' || r.name === 'app-util');
  assert.ok(records.some((r) => r.name === 'app-core' && r.subject === 'project page' && r.decision === 'allow' && r.client === 'pip'));
  assert.ok(records.some((r) => r.name === 'app-util' && r.subject === 'project page' && r.decision === 'allow'));
  assert.ok(records.some((r) => r.name === 'app-util' && r.subject === 'file' && r.version === '1.0.0'));
});

test('a version uploaded an hour ago is invisible: pip installs the previous one', () => {
  const result = results.allowed!;
  assert.is(result.code, 0, result.output);
  assert.ok(installed(result).includes('fresh_lib-1.0.0.dist-info'), installed(result).join(' '));
  assert.not.ok(installed(result).includes('fresh_lib-1.1.0.dist-info'));
});

test('pinning the young version fails: pip sees only the old one', () => {
  const result = results.freshPinned!;
  assert.is.not(result.code, 0);
  assert.match(result.output, 'from versions: 1.0.0');
  assert.is(pypi.requestsTo(pypi.route.file(pypi.files('fresh-lib', '1.1.0')[0]!.filename)).length, 0);
});

test("a typosquat fails and pip's log shows the 403 reason", () => {
  const result = results.typosquat!;
  assert.is.not(result.code, 0);
  assert.match(result.output, '403 Client Error: depfence: the project reqeusts is blocked');
  assert.match(result.output, 'typosquat of requests');
  assert.is(pypi.requestsTo(pypi.route.file()).filter((r) => r.path.includes('reqeusts')).length, 0);
});

test('a file whose bytes do not match the index hash is refused', () => {
  const result = results.tampered!;
  assert.is.not(result.code, 0);
  assert.match(result.output, '502 Server Error: depfence: tampered_pkg-1.0.0-py3-none-any.whl was not served');
  assert.not.ok(existsSync(join(result.target, 'tampered_pkg')));
});

test('an internal name installs from the internal index only; the public index never hears of it', () => {
  const result = results.allowed!;
  assert.is(result.code, 0, result.output);
  assert.ok(installed(result).includes('acme_secret-1.0.0.dist-info'), 'not the public 9.9.9');
  assert.is(pypi.requests.filter((r) => r.path.includes('acme')).length, 0);
  assert.ok(internal.requestsTo(internal.route.simple('acme-secret')).length > 0);
});

// Last: it stops the upstream.
test('upstream stopped: what was cached still installs; a project never fetched is refused at once (403, not retried) naming the upstream', async () => {
  const upstream = pypi.simpleUrl;
  await pypi.close();
  pypiStopped = true;
  const [cached, uncached] = await Promise.all([
    pipInstall(['app-core'], { indexUrl: firewall.simpleUrl }),
    pipInstall(['never-fetched'], { indexUrl: firewall.simpleUrl, args: ['-vv'] }),
  ]);
  assert.is(cached.code, 0, cached.output);
  assert.equal(installed(cached), ['app_core-1.0.0.dist-info', 'app_util-1.0.0.dist-info']);
  assert.is.not(uncached.code, 0);
  assert.not.match(uncached.output, 'Successfully installed');
  // A 5xx would be retried by pip (urllib3 status_forcelist) and end in "too many 503 error
  // responses"; unavailable facts answer 403, asked once, and the answer names the upstream.
  assert.match(uncached.output, '"GET /-/pypi/simple/never-fetched/ HTTP/1.1" 403');
  assert.not.match(uncached.output, 'too many 503 error responses');
  const answer = await fetch(`${firewall.simpleUrl}never-fetched/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } });
  assert.is(answer.status, 403);
  const error = ((await answer.json()) as { error: string }).error;
  assert.match(error, 'depfence: cannot check this project because the PyPI simple index is unavailable');
  assert.match(error, upstream);
});

test.run();
