// depfence as the team's private registry: users added with `depfence user add` log in (npm's
// PUT /-/user/org.couchdb.user:NAME), publish the reserved internal names into depfence's own
// storage, and everyone installs them through the firewall, which never asks the public registry
// about them, even when it has a higher version of the same name. Anything else stays unpublishable.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NpmUpstream, daysAgo } from '../fixtures/index.js';
import { runCliInProcess } from '../helpers/cli.js';
import type { TestFirewall } from '../helpers/firewall.js';
import { makeProject, runNpm, type TestProject } from '../helpers/npm-client.js';
import { startNpmFirewall } from '../helpers/npm-firewall.js';

let npm: NpmUpstream;
let firewall: TestFirewall;
const projects: TestProject[] = [];
const PASSWORD = 'correct horse battery';

function project(manifest: Record<string, unknown>): TestProject {
  const created = makeProject(manifest);
  projects.push(created);
  return created;
}

/** A package folder to publish, with an .npmrc carrying `token` (if any) for the firewall. */
function publishable(name: string, version: string, token: string | null): TestProject {
  const pkg = project({ name, version, main: 'index.js', private: false });
  writeFileSync(join(pkg.dir, 'index.js'), `module.exports = ${JSON.stringify(`${name}@${version} from depfence`)};\n`);
  const host = new URL(firewall.url).host;
  writeFileSync(join(pkg.dir, '.npmrc'), token === null ? '' : `//${host}/:_authToken=${token}\n`);
  return pkg;
}

/** npm login (legacy): PUT /-/user/org.couchdb.user:NAME, with Basic credentials on the second try (the first is a registration, answered 409). */
async function login(name: string, password: string, basic = true): Promise<Response> {
  return fetch(`${firewall.url}/-/user/org.couchdb.user:${name}`, {
    method: 'PUT',
    headers: {
      'content-type': 'application/json',
      ...(basic && { authorization: `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}` }),
    },
    body: JSON.stringify({ _id: `org.couchdb.user:${name}`, name, password, type: 'user', roles: [], date: new Date().toISOString() }),
  });
}

test.before(async () => {
  npm = await NpmUpstream.start();
  // The public registry has a higher version of the internal name: the confusion attack.
  npm.addPackage('@acme/widget', { versions: { '9.9.9': { published: daysAgo(100) } }, downloads: 5_000_000 });
  npm.addPackage('left-pad', { versions: { '1.0.0': { published: daysAgo(400) } }, downloads: 5_000_000 });
  firewall = await startNpmFirewall({ npm, configure: (config) => void (config.policy.confusion.npm.scopes = ['acme']) });
});

test.after(async () => {
  for (const created of projects) created.remove();
  await firewall?.close();
  await npm?.close();
});

test('depfence user add takes the password on stdin and refuses a short one', async () => {
  const short = await runCliInProcess(['user', 'add', 'alice', '--data-dir', firewall.dataDir], { stdin: 'short\n' });
  assert.is(short.code, 2, short.stderr);
  assert.match(short.stderr, /at least 8 characters/);
  const added = await runCliInProcess(['user', 'add', 'alice', '--data-dir', firewall.dataDir], { stdin: `${PASSWORD}\n` });
  assert.is(added.code, 0, added.stderr);
  assert.match(added.stdout, /added alice/);
  const again = await runCliInProcess(['user', 'add', 'alice', '--data-dir', firewall.dataDir], { stdin: `${PASSWORD}\n` });
  assert.is(again.code, 2, 'an existing user is not overwritten');
});

test('npm publish of an internal name: refused without a token, stored with one', async () => {
  const anonymous = await runNpm(['publish'], { cwd: publishable('@acme/widget', '1.0.0', null).dir, registry: firewall.url });
  assert.is.not(anonymous.code, 0, anonymous.output);
  assert.match(anonymous.output, /ENEEDAUTH|E401|E403/, anonymous.output);
  // npm stops before sending without a token; the registry refuses one sent anyway, or a forged one.
  for (const authorization of [undefined, 'Bearer forged-token']) {
    const put = await fetch(`${firewall.url}/@acme%2fwidget`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...(authorization && { authorization }) },
      body: JSON.stringify({ name: '@acme/widget', versions: {} }),
    });
    assert.ok(put.status === 401 || put.status === 403, `${authorization}: ${put.status}`);
  }

  assert.ok([401, 409].includes((await login('alice', 'wrong password')).status), 'a wrong password gets no token');
  assert.ok([400, 401, 403, 409].includes((await login('mallory', PASSWORD, false)).status), 'nobody registers themselves');
  assert.ok([401, 409].includes((await login('mallory', PASSWORD)).status));
  const session = await login('alice', PASSWORD);
  assert.is(session.status, 201);
  const { token } = (await session.json()) as { token: string };
  assert.ok(token);

  const published = await runNpm(['publish'], { cwd: publishable('@acme/widget', '1.0.0', token).dir, registry: firewall.url });
  assert.is(published.code, 0, published.output);
  const publicName = await runNpm(['publish'], { cwd: publishable('left-pad', '2.0.0', token).dir, registry: firewall.url });
  assert.is.not(publicName.code, 0, 'a public name stays unpublishable, token or not');
  assert.match(publicName.output, /only names reserved for internal packages/);
  assert.equal(
    npm.requests.filter((request) => request.method !== 'GET'),
    [],
    'nothing was sent to the public registry',
  );
});

test('the published internal package installs through the firewall; the public one is never asked', async () => {
  const consumer = project({ dependencies: { '@acme/widget': '*' } });
  const run = await runNpm(['install'], { cwd: consumer.dir, registry: firewall.url });
  assert.is(run.code, 0, run.output);
  assert.is(consumer.installed('@acme/widget')?.version, '1.0.0', 'the published version, not the public 9.9.9');
  assert.equal(
    npm.requests.filter((request) => /acme/i.test(decodeURIComponent(`${request.path}?${request.query}`))),
    [],
    'the public registry never saw the name',
  );
});

test.run();
