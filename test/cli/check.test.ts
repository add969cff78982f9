import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, runCliInProcess, isolatedEnv } from '../helpers/cli.js';

interface JsonResult {
  results: {
    ecosystem: string;
    name: string;
    version: string | null;
    decision: string;
    findings: { check: string; severity: string; message: string; evidence: Record<string, unknown> }[];
  }[];
}

function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'depfence-check-')), name);
  writeFileSync(path, text);
  return path;
}

test('offline --json: three typosquats denied with their targets, exit 1', async () => {
  const { code, stdout } = await runCli(['check', '--offline', '--json', 'pypi:reqeusts', 'npm:loadsh', 'npm:crossenv']);
  assert.is(code, 1);
  const { results } = JSON.parse(stdout) as JsonResult;
  assert.equal(
    results.map((r) => [r.ecosystem, r.name, r.version, r.decision]),
    [
      ['pypi', 'reqeusts', null, 'deny'],
      ['npm', 'loadsh', null, 'deny'],
      ['npm', 'crossenv', null, 'deny'],
    ],
  );
  const targets = results.map((r) => r.findings.find((f) => f.check === 'typosquat' && f.severity === 'deny')?.evidence.target);
  assert.equal(targets, ['requests', 'lodash', 'cross-env']);
  for (const finding of results.flatMap((r) => r.findings))
    assert.equal(Object.keys(finding), ['check', 'severity', 'message', 'evidence']);
});

test('offline --suggest: the popular names each package resembles, closest first; resemblance tiers in the text', async () => {
  const { stdout } = await runCliInProcess(['check', '--offline', '--suggest', 'npm:treact', 'npm:left-pad', 'pypi:pyyaxl']);
  assert.match(
    stdout,
    /DENY\s+npm:treact\n\s+deny\s+typosquat: treact resembles react \('t' put in front\); it has under 0\.01% of react's downloads, and fewer than 1,000 downloads last month \(it also resembles preact\)/,
  );
  assert.match(stdout, /\n\s+resembles react, preact\n/);
  assert.match(stdout, /ALLOW\s+npm:left-pad\n\s+resembles no popular name/);
  // Outside the PyPI snapshot's top 15,000 the count is unknown offline: a warning, not a decision.
  assert.match(
    stdout,
    /WARN\s+pypi:pyyaxl\n\s+warn\s+typosquat: pyyaxl resembles pyyaml \('x' instead of 'm'\); download count unknown offline/,
  );
  const json = JSON.parse((await runCliInProcess(['check', '--offline', '--suggest', '--json', 'pypi:reqests'])).stdout) as {
    results: { suggestions: string[] }[];
  };
  assert.equal(json.results[0]!.suggestions, ['requests']);
});

test('offline: popular packages are allowed, exit 0', async () => {
  const { code, stdout } = await runCliInProcess(['check', '--offline', 'pypi:requests', 'npm:react', 'npm:@types/node']);
  assert.is(code, 0, stdout);
  assert.match(stdout, /ALLOW\s+pypi:requests/);
  assert.match(stdout, /ALLOW\s+npm:react/);
  assert.match(stdout, /ALLOW\s+npm:@types\/node/);
  assert.match(stdout, /3 checked: 0 denied/);
});

test('offline: a known-malicious version of a popular package is denied, its neighbour allowed', async () => {
  const bad = await runCliInProcess(['check', '--offline', 'npm:debug@4.4.2']);
  assert.is(bad.code, 1);
  assert.match(bad.stdout, /DENY\s+npm:debug@4\.4\.2/);
  assert.match(bad.stdout, /malicious: debug 4\.4\.2 is a known-malicious version/);
  assert.match(bad.stdout, /cannot be allowed/);
  const good = await runCliInProcess(['check', '--offline', 'npm:debug@4.4.1']);
  assert.is(good.code, 0, good.stdout);
});

test('human output explains each finding and how to allow', async () => {
  const { code, stdout } = await runCliInProcess(['check', '--offline', 'pypi:reqeusts']);
  assert.is(code, 1);
  assert.match(stdout, /DENY\s+pypi:reqeusts/);
  assert.match(stdout, /typosquat: reqeusts looks like a typosquat of requests/);
  assert.match(stdout, /to allow it, add to "allow:" in depfence\.yaml: \{ ecosystem: pypi, name: reqeusts/);
  assert.match(stdout, /offline: decided from the bundled snapshots/);
});

test('--file reads requirements.txt (with -r includes), package.json, package-lock.json and spec lists', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'depfence-files-'));
  writeFileSync(join(dir, 'base.txt'), 'reqeusts==2.0\n');
  writeFileSync(
    join(dir, 'requirements.txt'),
    '# app\nrequests>=2 ; python_version > "3"\n-r base.txt\n--index-url https://example.invalid/simple\nNumPy[extra]==1.26.0\n',
  );
  const reqs = await runCliInProcess(['check', '--offline', '--json', '--file', join(dir, 'requirements.txt')]);
  assert.equal(
    (JSON.parse(reqs.stdout) as JsonResult).results.map((r) => [r.name, r.version, r.decision]),
    [
      ['requests', null, 'allow'],
      ['reqeusts', '2.0', 'deny'],
      ['NumPy', '1.26.0', 'allow'],
    ],
  );
  const pkg = tempFile('package.json', JSON.stringify({ dependencies: { react: '^18.0.0' }, devDependencies: { loadsh: '1.0.0' } }));
  const fromPkg = JSON.parse((await runCliInProcess(['check', '--offline', '--json', '--file', pkg])).stdout) as JsonResult;
  assert.equal(
    fromPkg.results.map((r) => [r.name, r.version, r.decision]),
    [
      ['react', null, 'allow'],
      ['loadsh', '1.0.0', 'deny'],
    ],
  );
  const lock = tempFile(
    'package-lock.json',
    JSON.stringify({
      lockfileVersion: 3,
      packages: { '': { name: 'app' }, 'node_modules/debug': { version: '4.4.2' }, 'node_modules/@types/node': { version: '20.1.0' } },
    }),
  );
  const fromLock = JSON.parse((await runCliInProcess(['check', '--offline', '--json', '--file', lock])).stdout) as JsonResult;
  assert.equal(
    fromLock.results.map((r) => [r.name, r.version, r.decision]),
    [
      ['debug', '4.4.2', 'deny'],
      ['@types/node', '20.1.0', 'allow'],
    ],
  );
  const fromStdin = await runCliInProcess(['check', '--offline', '--json', '--file', '-'], {
    stdin: 'npm:react\n# comment\npypi:requests==2.32.0\n',
  });
  assert.equal(
    (JSON.parse(fromStdin.stdout) as JsonResult).results.map((r) => [r.ecosystem, r.name, r.version]),
    [
      ['npm', 'react', null],
      ['pypi', 'requests', '2.32.0'],
    ],
  );
});

test('the executable: a usage error exits 2 on stderr', async () => {
  const { code, stderr, stdout } = await runCli(['check', '--offline', 'npm:../etc/passwd']);
  assert.is(code, 2);
  assert.is(stdout, '');
  assert.match(stderr, /npm:\.\.\/etc\/passwd/);
});

test('bad input is a usage error (exit 2) naming the spec, file or line', async () => {
  const cases: [string[], RegExp][] = [
    [['check', '--offline', 'npm:../etc/passwd'], /npm:\.\.\/etc\/passwd/],
    [['check', '--offline', 'pypi:a/b'], /pypi:a\/b/],
    [['check', '--offline', 'pypi:'], /pypi:/],
    [['check', '--offline', `npm:${'a'.repeat(215)}`], /214/],
    [['check', '--offline', 'npm:bad\u0007name'], /bad\\x07name/],
    [['check', '--offline', 'cargo:serde'], /not a package spec/],
    [['check', '--offline'], /nothing to check/],
    [['check', '--offline', '--file', '/nonexistent/requirements.txt'], /cannot read \/nonexistent\/requirements\.txt: ENOENT/],
    [['check', '--offline', '--file', tempFile('requirements.txt', 'requests\n!!bad line\n')], /requirements\.txt:2/],
    [['check', '--offline', '--file', tempFile('package.json', '{not json')], /package\.json is not valid JSON/],
    [['check', '--offline', '--file', tempFile('package.json', 'null')], /package\.json is not a package\.json object/],
    [['check', '--offline', '--file', tempFile('package-lock.json', '{"packages": null}')], /has no "packages" map/],
    [['check', '--bogus-flag'], /unknown option/],
  ];
  for (const [args, pattern] of cases) {
    const { code, stderr } = await runCliInProcess(args);
    assert.is(code, 2, `${args.join(' ')} → ${stderr}`);
    assert.match(stderr, pattern);
    assert.not.match(stderr, /at .*\.ts:\d+/, 'no stack trace');
  }
});

test('a config error exits 2 naming the key and file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'depfence-cfg-'));
  writeFileSync(join(dir, 'depfence.yaml'), 'policy:\n  minVersionAge: soon\n');
  const { code, stderr } = await runCliInProcess(['check', '--offline', 'npm:react'], { cwd: dir, env: isolatedEnv() });
  assert.is(code, 2);
  assert.match(stderr, /policy\.minVersionAge/);
  assert.match(stderr, /depfence\.yaml/);
});

test('report mode prints the denial but exits 0', async () => {
  const { code, stdout } = await runCliInProcess(['check', '--offline', 'pypi:reqeusts'], {
    env: isolatedEnv({ DEPFENCE_MODE: 'report' }),
  });
  assert.is(code, 0);
  assert.match(stdout, /DENY/);
  assert.match(stdout, /mode: report/);
});

test.run();
