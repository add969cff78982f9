// One reader per input format (src/inputs/): typed entries with file and line; `check`, the shims
// and `mirror` apply their own policy. The tests below also show where a caller's reading changed
// when it moved onto the shared reader.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { pinRequirements, requirementPins } from '../../src/cli/pin/requirements.js';
import { specsFromFile } from '../../src/cli/specs.js';
import { InputError, strictly } from '../../src/inputs/input-error.js';
import { readPackageJson } from '../../src/inputs/package-json.js';
import { readPackageLock } from '../../src/inputs/package-lock.js';
import { readRequirementEntries, requirementEntries, requirementLines } from '../../src/inputs/requirements.js';
import { readRequirements } from '../../src/mirror/inputs.js';

const test = suite('inputs/readers');
let dir: string;

test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'depfence-readers-'));
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const entries = (text: string) => requirementEntries(requirementLines(text, {}), 'r.txt');

test('requirements: includes, options and requirements as pip reads them, with file and line', () => {
  const read = entries(
    [
      'a==1.0 --hash=sha256:ab',
      '--requirement=x.txt',
      '-ry.txt',
      '--requirem z.txt',
      '-c c.txt',
      '--extra-ind http://i/simple',
      '-e git+https://h/p.git#egg=p',
      '--pre stray words',
    ].join('\n'),
  );
  assert.equal(
    read.map((entry) => [
      entry.line,
      entry.kind === 'include'
        ? `${entry.constraint ? '-c' : '-r'} ${entry.value}`
        : entry.kind === 'option'
          ? entry.option.name
          : `${entry.target.kind}${entry.editable ? ' (editable)' : ''}`,
    ]),
    [
      [1, 'name'],
      [2, '-r x.txt'],
      [3, '-r y.txt'],
      [4, '-r z.txt'],
      [5, '-c c.txt'],
      [6, '--extra-index-url'],
      [7, 'url (editable)'],
      [8, '--pre'],
    ],
  );
  const first = read[0]!;
  assert.ok(first.kind === 'requirement');
  assert.equal(first.options, ['--hash=sha256:ab']);
  assert.equal(first.target, { kind: 'name', name: 'a', version: '1.0' });
  assert.is(first.file, 'r.txt');
});

test('check --file follows every include spelling pip follows (before: abbreviations such as --requirem were missed by check)', () => {
  file('inner.txt', 'inner-pkg==2.0\n');
  const outer = file('outer.txt', 'outer-pkg\n--requirem inner.txt\n');
  assert.equal(
    specsFromFile(outer, () => '').map((spec) => [spec.name, spec.version, spec.origin]),
    [
      ['outer-pkg', null, `${outer}:1`],
      ['inner-pkg', '2.0', 'inner.txt:1'],
    ],
  );
});

test('check --file refuses a direct URL line (before: "https://h/x.whl" was checked as a package named "https")', () => {
  const urls = file('urls.txt', 'https://h/x-1.0-py3-none-any.whl\n');
  assert.throws(() => specsFromFile(urls, () => ''), /downloaded from https:\/\/h\/x-1\.0-py3-none-any\.whl, not from an index/);
  const local = file('local.txt', './vendor/x\nreal-pkg\n');
  assert.equal(
    specsFromFile(local, () => '').map((spec) => spec.name),
    ['real-pkg'],
    'a local path names nothing on an index',
  );
});

test('mirror refuses an index option in any spelling pip obeys (before: only exact -i/--index-url… at the line start)', () => {
  for (const line of ['--extra-ind http://evil/simple', '--index-url=http://evil/simple', '-fhttp://evil/links', '--no-index']) {
    const path = file('mirror.txt', `ok-pkg\n${line}\n`);
    assert.throws(() => readRequirements(path), /would make pip fetch around the firewall/, line);
  }
  const kept = readRequirements(file('kept.txt', 'ok-pkg==1.0\n--only-bin :all:\n'));
  assert.equal(kept.options, ['--only-binary :all:']);
});

test('mirror follows -rFILE and --requirement=FILE (before: an include written so was silently skipped)', () => {
  file('more.txt', 'more-pkg==3.0\n');
  for (const include of ['-rmore.txt', '--requirement=more.txt', '--requirem more.txt']) {
    const set = readRequirements(file('with-include.txt', `ok-pkg\n${include}\n`));
    assert.equal(
      set.requirements.map((requirement) => requirement.name),
      ['ok-pkg', 'more-pkg'],
      include,
    );
  }
});

test('readRequirementEntries reads a file with pip decoding (UTF-16 with a BOM)', () => {
  const path = join(dir, 'utf16.txt');
  writeFileSync(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('x==1\n', 'utf16le')]));
  assert.equal(
    readRequirementEntries(path, {}).map((entry) => entry.kind === 'requirement' && entry.target),
    [{ kind: 'name', name: 'x', version: '1' }],
  );
});

test('package.json: every dependency field, each value read by npm-package-arg, with its line', () => {
  const text = JSON.stringify(
    { name: 'p', dependencies: { a: '^1.0.0', b: 'npm:c@2.0.0' }, devDependencies: { d: 'github:o/d' }, peerDependencies: { e: '*' } },
    null,
    2,
  );
  const { dependencies } = readPackageJson(text, 'package.json');
  assert.equal(
    dependencies.map(({ field, name, spec, line }) => [field, name, spec.kind, line]),
    [
      ['dependencies', 'a', 'registry', 4],
      ['dependencies', 'b', 'registry', 5],
      ['devDependencies', 'd', 'git', 8],
      ['peerDependencies', 'e', 'registry', 11],
    ],
  );
  for (const bad of ['{not json', '[]']) {
    assert.throws(
      () => readPackageJson(bad, 'package.json'),
      (error: unknown) => error instanceof InputError && error.code === 'EINPUT',
      bad,
    );
  }
  // Entries npm would not read are listed, not thrown: check and mirror refuse them (strictly), the npm shim skips them.
  const odd = readPackageJson('{"dependencies": ["a"], "devDependencies": {"a": 1, "b": "^2"}}', 'package.json');
  assert.equal(
    odd.dependencies.map((dependency) => dependency.name),
    ['b'],
  );
  assert.equal(
    odd.invalid.map((error) => error.message),
    ['package.json: "dependencies" must be an object of name: range', 'package.json:1: devDependencies.a must be a version range string'],
  );
  assert.throws(() => strictly(odd), /"dependencies" must be an object/);
});

test('package-lock.json: one entry per path, with links, bundled and workspace folders marked; older lockfiles refused', () => {
  const text = JSON.stringify(
    {
      lockfileVersion: 3,
      packages: {
        '': { name: 'root' },
        'node_modules/a': { version: '1.0.0', resolved: 'https://r/a/-/a-1.0.0.tgz', integrity: 'sha512-x' },
        'node_modules/a/node_modules/@s/b': { version: '2.0.0', inBundle: true },
        'node_modules/w': { resolved: 'packages/w', link: true },
        'packages/w': { name: 'w', version: '0.1.0' },
      },
    },
    null,
    2,
  );
  const { entries } = readPackageLock(text, 'package-lock.json');
  assert.equal(
    entries.map(({ name, version, link, inBundle, installed, line }) => [name, version, link, inBundle, installed, line]),
    [
      ['a', '1.0.0', false, false, true, 7],
      ['@s/b', '2.0.0', false, true, true, 12],
      ['w', null, true, false, true, 16],
      ['w', '0.1.0', false, false, false, 20],
    ],
  );
  assert.throws(
    () => readPackageLock('{"lockfileVersion": 1, "dependencies": {}}', 'package-lock.json'),
    /has no "packages" map: depfence reads lockfileVersion 2 and 3/,
  );
  assert.throws(
    () => strictly(readPackageLock('{"packages": {"node_modules/a": null}}', 'package-lock.json')),
    /packages\["node_modules\/a"\] is not an object/,
  );
});

test('pin reads a requirements file as pip does (before: its own line joiner)', () => {
  assert.equal(
    requirementPins('# pinned below \\\nheld==1.0\n', 'r.txt').map((pin) => [pin.path, pin.name, pin.version]),
    [['r.txt:2', 'held', '1.0']],
    'a comment ending in \\ does not swallow the next line',
  );
  const text = 'keep==1.0\fheld==1.0 \\\n    --hash=sha256:aa\r\nlast==2.0\n';
  const pins = requirementPins(text, 'r.txt');
  assert.equal(
    pins.map((pin) => [pin.path, pin.name]),
    [
      ['r.txt:1', 'keep'],
      ['r.txt:2', 'held'],
      ['r.txt:4', 'last'],
    ],
    'a form feed ends a line for pip',
  );
  const held = { ...pins[1]!, reason: 'too young', allowedFrom: 'tomorrow' };
  const { text: rewritten } = pinRequirements(
    text,
    [held],
    () => '0.9',
    () => ['bb'],
  );
  assert.is(
    rewritten,
    'keep==1.0\fheld==0.9 \\\n    --hash=sha256:bb\r\nlast==2.0\n',
    'the continuation is replaced; other lines and their breaks are kept',
  );
});

test.run();
