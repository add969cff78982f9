import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { loadConfig, ConfigError, parseDuration, formatDuration, defaultConfigFile } from '../../src/config/index.js';
import { builtDefaults } from '../../src/config/built-defaults.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'depfence-config-'));
}

/** An environment with no user config, so the machine's own files never leak into a test. */
function isolatedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const home = tempDir();
  return { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, 'data'), ...extra };
}

function configError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.instance(error, ConfigError);
    return (error as Error).message;
  }
  assert.unreachable('expected a ConfigError');
  return '';
}

test('defaults: the keys the issue names, with durations in milliseconds', () => {
  const cwd = tempDir();
  const { config, files } = loadConfig({ env: isolatedEnv(), cwd });
  assert.is(files.length, 1);
  assert.is(config.mode, 'enforce');
  assert.is(config.upstreams.npm.registry, 'https://registry.npmjs.org/');
  assert.is(config.upstreams.npm.downloads, 'https://api.npmjs.org/downloads/');
  assert.is(config.upstreams.pypi.simple, 'https://pypi.org/simple/');
  assert.is(config.upstreams.pypi.json, 'https://pypi.org/pypi/');
  assert.is(config.upstreams.pypi.downloads, 'https://pypistats.org/api/');
  assert.is(config.policy.minVersionAge, 72 * 3_600_000);
  assert.is(config.policy.minPackageAge, 30 * 86_400_000);
  assert.equal(config.policy.downloads, { deny: 100, warn: 1000 });
  assert.is(config.policy.typosquat.enabled, true);
  assert.equal(config.policy.confusion, { npm: { scopes: [], names: [], prefixes: [] }, pypi: { names: [], prefixes: [] } });
  assert.equal(config.allow, []);
  assert.equal(config.deny, []);
  assert.ok(config.server.dataDir.endsWith(join('data', 'depfence')));
});

test("the firewall's Hub token: none by default; DEPFENCE_HF_TOKEN sets it (HF_TOKEN, which the clients send to the firewall, does not)", () => {
  const cwd = tempDir();
  assert.is(loadConfig({ env: isolatedEnv({ HF_TOKEN: 'hf_client_side' }), cwd }).config.upstreams.huggingface.token, null);
  assert.is(loadConfig({ env: isolatedEnv({ DEPFENCE_HF_TOKEN: 'hf_upstream' }), cwd }).config.upstreams.huggingface.token, 'hf_upstream');
});

test('precedence: flags > env > project file > user file > defaults', () => {
  const env = isolatedEnv();
  const userDir = join(env.XDG_CONFIG_HOME!, 'depfence');
  mkdirSync(userDir, { recursive: true });
  writeFileSync(
    join(userDir, 'config.yaml'),
    'mode: report\npolicy:\n  minVersionAge: 1h\n  minPackageAge: 2d\n  downloads: { deny: 5, warn: 50 }\n',
  );
  const project = tempDir();
  const nested = join(project, 'a', 'b');
  mkdirSync(nested, { recursive: true });
  writeFileSync(join(project, 'depfence.yaml'), 'policy:\n  minVersionAge: 2h\n  downloads: { warn: 60 }\n');

  const fromFiles = loadConfig({ env, cwd: nested }).config;
  assert.is(fromFiles.mode, 'report', 'user file applies');
  assert.is(fromFiles.policy.minVersionAge, 2 * 3_600_000, 'project file (found upward) beats user file');
  assert.is(fromFiles.policy.minPackageAge, 2 * 86_400_000, 'maps merge key by key');
  assert.equal(fromFiles.policy.downloads, { deny: 5, warn: 60 });

  const withEnv = loadConfig({ env: { ...env, DEPFENCE_POLICY__MIN_VERSION_AGE: '3h', DEPFENCE_MODE: 'enforce' }, cwd: nested }).config;
  assert.is(withEnv.policy.minVersionAge, 3 * 3_600_000);
  assert.is(withEnv.mode, 'enforce');

  const withFlag = loadConfig({
    env: { ...env, DEPFENCE_POLICY__MIN_VERSION_AGE: '3h' },
    cwd: nested,
    flags: [{ path: ['policy', 'minVersionAge'], value: '4h', flag: '--min-version-age' }],
  }).config;
  assert.is(withFlag.policy.minVersionAge, 4 * 3_600_000);
});

test('--config and DEPFENCE_CONFIG name the project file instead of searching', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'depfence.yaml'), 'mode: report\n');
  const other = join(tempDir(), 'other.yaml');
  writeFileSync(other, 'offline: true\n');
  const viaEnv = loadConfig({ env: isolatedEnv({ DEPFENCE_CONFIG: other }), cwd: dir });
  assert.is(viaEnv.config.offline, true);
  assert.is(viaEnv.config.mode, 'enforce', 'the found depfence.yaml is not read when a file is named');
  const viaFlag = loadConfig({ env: isolatedEnv(), cwd: dir, configFile: other });
  assert.ok(viaFlag.files.includes(other));
  const message = configError(() => loadConfig({ env: isolatedEnv(), cwd: dir, configFile: 'missing.yaml' }));
  assert.match(message, /missing\.yaml/);
  assert.match(message, /--config/);
});

test('lists replace, and blocklist paths are relative to their config file', () => {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'depfence.yaml'),
    'policy:\n  blocklists:\n    files: [{ path: lists/ours.txt, ecosystem: npm, kind: malicious }]\n  confusion:\n    npm: { scopes: ["@Corp"] }\n',
  );
  const { config } = loadConfig({ env: isolatedEnv(), cwd: dir });
  assert.equal(config.policy.blocklists.files, [{ path: join(dir, 'lists', 'ours.txt'), ecosystem: 'npm', kind: 'malicious' }]);
  assert.equal(config.policy.confusion.npm.scopes, ['corp'], 'scopes are stored without @, lowercase');
  assert.equal(config.policy.confusion.npm.names, [], 'sibling keys keep their defaults');
});

test('unknown keys name the key, the file and what is allowed', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'depfence.yaml'), 'policy:\n  minVersonAge: 1h\n');
  const message = configError(() => loadConfig({ env: isolatedEnv(), cwd: dir }));
  assert.match(message, /policy\.minVersonAge/);
  assert.match(message, new RegExp(join(dir, 'depfence.yaml').replace(/[.]/g, '\\.')));
  assert.match(message, /allowed here: .*minVersionAge/);
});

test('bad values name the key, the origin and what is allowed', () => {
  const env = isolatedEnv({
    DEPFENCE_POLICY__MIN_PACKAGE_AGE: 'soon',
    DEPFENCE_MODE: 'loud',
    DEPFENCE_UPSTREAMS__NPM__REGISTRY: 'ftp://x',
  });
  const message = configError(() => loadConfig({ env, cwd: tempDir() }));
  assert.match(message, /policy\.minPackageAge \(in DEPFENCE_POLICY__MIN_PACKAGE_AGE\): "soon" is not a duration/);
  assert.match(message, /mode \(in DEPFENCE_MODE\).*enforce.*report/);
  assert.match(message, /upstreams\.npm\.registry \(in DEPFENCE_UPSTREAMS__NPM__REGISTRY\): must be an http/);
  const unknownVar = configError(() => loadConfig({ env: isolatedEnv({ DEPFENCE_NOPE: '1' }), cwd: tempDir() }));
  assert.match(unknownVar, /nope \(in DEPFENCE_NOPE\): unknown key/);
});

test('allow/deny entries: version ranges are checked per ecosystem, expiry is a date', () => {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'depfence.yaml'),
    [
      'allow:',
      '  - { ecosystem: npm, name: left-pad, versions: "<2", reason: vetted, expires: 2027-01-31 }',
      '  - { ecosystem: pypi, name: six, versions: ">=1.0,<2", reason: vetted }',
      '',
    ].join('\n'),
  );
  const { config } = loadConfig({ env: isolatedEnv(), cwd: dir });
  assert.instance(config.allow[0]!.expires, Date);
  assert.is(config.allow[0]!.expires!.toISOString().slice(0, 10), '2027-01-31');

  writeFileSync(join(dir, 'depfence.yaml'), 'deny:\n  - { ecosystem: pypi, name: six, versions: "^1.0", reason: x }\n');
  assert.match(
    configError(() => loadConfig({ env: isolatedEnv(), cwd: dir })),
    /deny\.0\.versions.*PEP 440/,
  );
  writeFileSync(join(dir, 'depfence.yaml'), 'deny:\n  - { ecosystem: npm, name: six, reason: "" }\n');
  assert.match(
    configError(() => loadConfig({ env: isolatedEnv(), cwd: dir })),
    /deny\.0\.reason/,
  );
});

test('DEPFENCE_DATA_DIR sets the data directory', () => {
  const data = tempDir();
  const { config } = loadConfig({ env: isolatedEnv({ DEPFENCE_DATA_DIR: data }), cwd: tempDir() });
  assert.is(config.server.dataDir, data);
});

test('malformed YAML names the file', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'depfence.yaml'), 'mode: [unclosed\n');
  assert.match(
    configError(() => loadConfig({ env: isolatedEnv(), cwd: dir })),
    /depfence\.yaml/,
  );
});

test('durations accept s m h d w', () => {
  assert.is(parseDuration('90s'), 90_000);
  assert.is(parseDuration('15m'), 900_000);
  assert.is(parseDuration('72h'), 259_200_000);
  assert.is(parseDuration('30d'), 2_592_000_000);
  assert.is(parseDuration('2w'), 1_209_600_000);
  assert.is(parseDuration('3'), null);
  assert.is(parseDuration('3y'), null);
  assert.is(formatDuration(259_200_000), '3d');
  assert.is(formatDuration(5_400_000), '90m');
});

test('built defaults: used only with the exact default.yaml text they were built from', () => {
  const dir = tempDir();
  const file = join(dir, 'default.json');
  const text = 'mode: audit\n';
  writeFileSync(file, JSON.stringify({ sha256: createHash('sha256').update(text).digest('hex'), values: { mode: 'audit' } }));
  assert.equal(builtDefaults(text, file), { mode: 'audit' });
  assert.is(builtDefaults(`${text}# edited after the build\n`, file), undefined);
  assert.is(builtDefaults(text, join(dir, 'absent.json')), undefined);
  writeFileSync(file, '{"sha256": ');
  assert.is(builtDefaults(text, file), undefined);
});

test('built defaults: dist/config/default.json holds what config/default.yaml says', () => {
  const built = fileURLToPath(new URL('../../dist/config/default.json', import.meta.url));
  if (!existsSync(built)) {
    console.log('  skipped: no dist/config/default.json (npm run build writes it)');
    return;
  }
  const text = readFileSync(defaultConfigFile(), 'utf8');
  const values = builtDefaults(text, built);
  assert.ok(values !== undefined, 'dist/config/default.json was built from another config/default.yaml: run npm run build');
  assert.equal(values, parseYaml(text));
});

test.run();
