// Unit tests of the PyPI side's pure parts: Accept negotiation, page parsing and rendering (JSON
// and HTML round trips), filenames, paths, byte ranges and file-host rules.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { wantsAbbreviated } from '../../src/server/npm/verdaccio-answer.js';
import { negotiate } from '../../src/protocol/pypi/negotiate.js';
import { MalformedPageError, type ProjectPage } from '../../src/protocol/pypi/model.js';
import { parseHtmlProjectPage } from '../../src/protocol/pypi/parse-html.js';
import { parseJsonProjectPage } from '../../src/protocol/pypi/parse-json.js';
import { renderHtmlProjectPage, renderHtmlRootPage, renderJsonProjectPage, renderJsonRootPage } from '../../src/protocol/pypi/render.js';
import { filenameProblem, identifyFile } from '../../src/protocol/pypi/filenames.js';
import { fileHref, parsePypiPath } from '../../src/server/pypi/paths.js';
import { parseRange } from '../../src/server/ranges.js';
import { fileUrlProblem } from '../../src/server/file-hosts.js';
import { reasonPhrase } from '../../src/server/respond.js';

const JSON_TYPE = 'application/vnd.pypi.simple.v1+json';
const V1_HTML = 'application/vnd.pypi.simple.v1+html';
const PAGE_URL = 'https://index.example/simple/demo/';
const SHA = 'a'.repeat(64);
const META_SHA = 'b'.repeat(64);

// ── negotiation ────────────────────────────────────────────────────────────────────────────────

test('negotiate: pip and uv get JSON; q-values decide; text/html is an alias', () => {
  const pip = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01';
  assert.equal(negotiate(pip), { format: 'json', contentType: JSON_TYPE });
  assert.equal(
    negotiate('application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01')?.format,
    'json',
  );
  assert.equal(negotiate(`${JSON_TYPE};q=0.5, ${V1_HTML}`), { format: 'html', contentType: V1_HTML });
  assert.equal(negotiate('text/html'), { format: 'html', contentType: 'text/html; charset=utf-8' });
  assert.equal(negotiate('application/vnd.pypi.simple.latest+json')?.contentType, JSON_TYPE);
});

test('negotiate: no Accept or */* gives text/html; wildcards; 406 when nothing fits', () => {
  assert.is(negotiate(undefined)?.contentType, 'text/html; charset=utf-8');
  assert.is(negotiate('')?.contentType, 'text/html; charset=utf-8');
  assert.is(negotiate('*/*')?.contentType, 'text/html; charset=utf-8');
  assert.is(negotiate('application/*')?.contentType, JSON_TYPE);
  assert.is(negotiate('text/*;q=0.3, application/json')?.contentType, 'text/html; charset=utf-8');
  assert.is(negotiate('application/json'), null);
  assert.is(negotiate(`${JSON_TYPE};q=0, text/plain`), null);
  assert.is(negotiate(`*/*, ${JSON_TYPE};q=0`)?.format, 'html', 'an explicit q=0 excludes even when */* would match');
});

test('negotiate: ?format= wins over Accept and must name a served type', () => {
  assert.is(negotiate(JSON_TYPE, V1_HTML)?.contentType, V1_HTML);
  assert.is(negotiate('text/html', JSON_TYPE)?.format, 'json');
  assert.is(negotiate('text/html', 'application/xml'), null);
});

test("negotiate (negotiator): equal q and specificity go by the client's order; an unreadable Accept is 406, not HTML", () => {
  assert.is(negotiate(`${V1_HTML}, ${JSON_TYPE}`)?.format, 'html', 'before: JSON won any exact tie');
  assert.is(negotiate(`${JSON_TYPE}, ${V1_HTML}`)?.format, 'json');
  assert.is(negotiate('APPLICATION/VND.PYPI.SIMPLE.V1+JSON')?.format, 'json', 'media types are case-insensitive');
  assert.is(negotiate('garbage'), null, 'before: a header with no readable range was read as no header (HTML)');
});

test('npm Accept (negotiator): the abbreviated packument only when it is preferred; a wildcard gets the full document', () => {
  assert.is(wantsAbbreviated('application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*'), true);
  assert.is(wantsAbbreviated('application/json, application/vnd.npm.install-v1+json;q=0.5'), false);
  assert.is(wantsAbbreviated('*/*'), false);
  assert.is(wantsAbbreviated(undefined), false);
  assert.is(wantsAbbreviated('application/vnd.npm.install-v1+json;q=0, */*'), false);
});

// ── parsing and rendering ──────────────────────────────────────────────────────────────────────

const PAGE: ProjectPage = {
  name: 'demo',
  versions: ['1.0', '2.0'],
  files: [
    {
      filename: 'demo-1.0-py3-none-any.whl',
      url: 'https://files.example/demo-1.0-py3-none-any.whl',
      hashes: { sha256: SHA },
      requiresPython: '>=3.8,<4',
      yanked: false,
      coreMetadata: { sha256: META_SHA },
      gpgSig: null,
      size: 1234,
      uploadTime: new Date('2024-01-02T03:04:05.678Z'),
    },
    {
      filename: 'demo-2.0.tar.gz',
      url: 'https://files.example/demo-2.0.tar.gz',
      hashes: { sha256: SHA },
      requiresPython: null,
      yanked: 'broken "build" <oops> & more',
      coreMetadata: false,
      gpgSig: false,
      size: 99,
      uploadTime: new Date('2024-02-01T00:00:00.000Z'),
    },
    {
      filename: 'demo-2.0-py3-none-any.whl',
      url: 'https://files.example/demo-2.0-py3-none-any.whl',
      hashes: { sha256: SHA },
      requiresPython: null,
      yanked: true,
      coreMetadata: false,
      gpgSig: null,
      size: null,
      uploadTime: null,
    },
  ],
};

test('JSON round trip keeps every field, yanked reasons and PEP 700 times', () => {
  const text = renderJsonProjectPage(PAGE);
  const wire = JSON.parse(text);
  assert.equal(wire.meta, { 'api-version': '1.1' });
  assert.equal(wire.versions, ['1.0', '2.0']);
  assert.is(wire.files[0]['upload-time'], '2024-01-02T03:04:05.678000Z');
  assert.equal(wire.files[0]['core-metadata'], { sha256: META_SHA });
  assert.equal(wire.files[0]['dist-info-metadata'], { sha256: META_SHA }, 'the PEP 658 name for older pip');
  assert.is(wire.files[1].yanked, 'broken "build" <oops> & more');
  assert.is(wire.files[0].yanked, false);
  assert.not.ok('requires-python' in wire.files[1]);
  assert.equal(parseJsonProjectPage(text, PAGE_URL), PAGE);
});

test('HTML round trip: escaping of requires-python and yank reasons, hash fragments, data-size and data-upload-time', () => {
  const html = renderHtmlProjectPage(PAGE);
  assert.match(html, '<meta name="pypi:repository-version" content="1.1">');
  assert.match(html, 'data-requires-python="&gt;=3.8,&lt;4"');
  assert.match(html, 'data-yanked="broken &quot;build&quot; &lt;oops&gt; &amp; more"');
  assert.match(html, `href="https://files.example/demo-1.0-py3-none-any.whl#sha256=${SHA}"`);
  assert.match(html, `data-core-metadata="sha256=${META_SHA}"`);
  assert.match(html, 'data-upload-time="2024-01-02T03:04:05.678000Z"');
  assert.match(html, '<a href="https://files.example/demo-2.0-py3-none-any.whl#sha256=' + SHA + '" data-yanked="">');
  assert.equal(parseHtmlProjectPage(html, PAGE_URL, 'demo'), { ...PAGE, versions: null });
});

test('HTML pages from other indexes: relative links, <base>, legacy attribute names, single quotes, entities', () => {
  const html = `<!DOCTYPE html><html><head><base href="https://cdn.example/pkgs/"><title>x</title></head><body>
    <!-- a comment with <a href="nope"> inside -->
    <a href='demo-1.0.tar.gz#md5=0123abcd' data-dist-info-metadata=true data-requires-python="&gt;=3.7">demo-1.0.tar.gz</a>
    <A HREF="/abs/demo-1.1.tar.gz#sha256=${SHA}" data-yanked="">demo-1.1.tar.gz</A><br>
  </body></html>`;
  const page = parseHtmlProjectPage(html, PAGE_URL, 'demo');
  assert.is(page.files.length, 2);
  assert.is(page.files[0]!.url, 'https://cdn.example/pkgs/demo-1.0.tar.gz');
  assert.equal(page.files[0]!.hashes, { md5: '0123abcd' });
  assert.is(page.files[0]!.coreMetadata, true);
  assert.is(page.files[0]!.requiresPython, '>=3.7');
  assert.is(page.files[1]!.url, 'https://cdn.example/abs/demo-1.1.tar.gz');
  assert.is(page.files[1]!.yanked, true);
});

test('damaged pages are MalformedPageError, not empty pages', () => {
  const bad = [
    '<html><body><a href="/files/broken.whl#sha256=<<<\x00 </a',
    '<html><body><a href="x.whl">x.whl',
    '<html><head><meta name="pypi:repository-version" content="2.0"></head></html>',
  ];
  for (const html of bad)
    assert.throws(
      () => parseHtmlProjectPage(html, PAGE_URL, 'demo'),
      (e: unknown) => e instanceof MalformedPageError,
      html,
    );
  const badJson = [
    '{"name": "malformed", "versions": {"1.0.0": {',
    '[]',
    '{"meta":{"api-version":"1.0"},"name":"x"}',
    '{"meta":{"api-version":"2.0"},"name":"x","files":[]}',
  ];
  for (const json of badJson)
    assert.throws(
      () => parseJsonProjectPage(json, PAGE_URL),
      (e: unknown) => e instanceof MalformedPageError,
      json,
    );
});

test('a file entry with an unreadable value is set aside with the reason; the rest of the page is used', () => {
  const good = { filename: 'x-1.0-py3-none-any.whl', url: 'x-1.0-py3-none-any.whl', hashes: { sha256: SHA } };
  const damaged: [unknown, RegExp][] = [
    [{ filename: 'x-0.1.tar.gz' }, /has no "url"/],
    [{ filename: 'x-0.2.tar.gz', url: 'x-0.2.tar.gz', hashes: { sha256: 1 } }, /hashes\.sha256 is not a string/],
    [{ filename: 'x-0.3.tar.gz', url: 'x-0.3.tar.gz', hashes: {}, yanked: 3 }, /yanked is neither a boolean nor a reason/],
    [{ filename: 'x-0.4.tar.gz', url: 'x-0.4.tar.gz', hashes: {}, 'requires-python': 3 }, /requires-python is not a string/],
    ['not an object', /files\[4\] of the JSON project page is not an object/],
  ];
  const page = parseJsonProjectPage(
    JSON.stringify({ meta: { 'api-version': '1.0' }, name: 'x', versions: 'odd', files: [...damaged.map(([file]) => file), good] }),
    PAGE_URL,
  );
  assert.is(page.versions, null, 'an unreadable PEP 700 versions list is informational and reads as absent');
  damaged.forEach(([, reason], index) => assert.match(String(page.files[index]!.unreadable), reason));
  assert.is(page.files[4]!.filename, 'files[4]');
  assert.is(page.files[5]!.unreadable, undefined);
  assert.is(page.files[5]!.hashes.sha256, SHA);

  const html = parseHtmlProjectPage(
    `<a href="x-0.1.tar.gz#sha256=zz!">x-0.1.tar.gz</a><a href="http://[bad/x.whl">x.whl</a><a href="x-1.0.tar.gz#sha256=${SHA}" data-core-metadata="odd" data-requires-python="&gt;= 3.6,">x-1.0.tar.gz</a>`,
    PAGE_URL,
    'x',
  );
  assert.match(String(html.files[0]!.unreadable), /hash fragment/);
  assert.match(String(html.files[1]!.unreadable), /not a URL/);
  assert.is(html.files[2]!.unreadable, undefined);
  assert.is(html.files[2]!.coreMetadata, false, 'core metadata in no known form reads as absent');
  assert.is(html.files[2]!.requiresPython, '>= 3.6,', 'an odd requires-python is passed through for the client to judge');
});

test('JSON pages: legacy dist-info-metadata, relative URLs, missing optional fields', () => {
  const page = parseJsonProjectPage(
    JSON.stringify({
      meta: { 'api-version': '1.0' },
      name: 'demo',
      files: [
        {
          filename: 'demo-1.0.tar.gz',
          url: '../../files/demo-1.0.tar.gz',
          hashes: { SHA256: SHA.toUpperCase() },
          'dist-info-metadata': true,
          yanked: '',
        },
      ],
    }),
    PAGE_URL,
  );
  assert.equal(page.files[0], {
    filename: 'demo-1.0.tar.gz',
    url: 'https://index.example/files/demo-1.0.tar.gz',
    hashes: { sha256: SHA },
    requiresPython: null,
    yanked: true,
    coreMetadata: true,
    gpgSig: null,
    size: null,
    uploadTime: null,
  });
  assert.is(page.versions, null);
});

test('root pages list names in both formats', () => {
  assert.equal(JSON.parse(renderJsonRootPage(['a', 'b-c'])), {
    meta: { 'api-version': '1.1' },
    projects: [{ name: 'a' }, { name: 'b-c' }],
  });
  assert.match(renderHtmlRootPage(['b-c']), '<a href="b-c/">b-c</a>');
  assert.match(renderHtmlRootPage([]), '<meta name="pypi:repository-version" content="1.1">');
});

// ── filenames, paths, ranges, hosts ────────────────────────────────────────────────────────────

test('identifyFile: wheels, sdists with dashes in the name, eggs; other projects and installers refused', () => {
  assert.equal(identifyFile('requests-toolbelt', 'requests_toolbelt-1.0.0-py2.py3-none-any.whl'), { kind: 'wheel', version: '1.0.0' });
  assert.equal(identifyFile('requests-toolbelt', 'requests-toolbelt-0.9.1.tar.gz'), { kind: 'sdist', version: '0.9.1' });
  assert.equal(identifyFile('zope-interface', 'zope.interface-5.0-1-cp38-cp38-manylinux1_x86_64.whl'), { kind: 'wheel', version: '5.0' });
  assert.equal(identifyFile('demo', 'demo-1.0-py3.8.egg'), { kind: 'egg', version: '1.0' });
  assert.equal(identifyFile('demo', 'Demo-2.0rc1.zip'), { kind: 'sdist', version: '2.0rc1' });
  assert.type(identifyFile('demo', 'other-1.0-py3-none-any.whl'), 'string');
  assert.type(identifyFile('demo', 'demo-1.0.win32.exe'), 'string');
  assert.type(identifyFile('demo', 'demo-1.0-py3-none.whl'), 'string');
});

test('filenameProblem: separators, dots, control characters and length', () => {
  assert.is(filenameProblem('demo-1.0-py3-none-any.whl'), null);
  assert.is(filenameProblem('demo-1.0+local.tar.gz'), null);
  for (const bad of ['', '../x.whl', 'a/b.whl', 'a\\b.whl', '.hidden', 'x\u0000.whl', 'x'.repeat(256), 'a..b.whl'])
    assert.type(filenameProblem(bad), 'string', bad);
});

test('parsePypiPath: routes, redirects to normalised names, and bad input', () => {
  assert.equal(parsePypiPath('/-/pypi/simple/'), { kind: 'root' });
  assert.equal(parsePypiPath('/-/pypi/simple/demo/?format=text/html'), { kind: 'project', name: 'demo' });
  assert.equal(parsePypiPath('/-/pypi/simple/Demo_Pkg/'), { kind: 'redirect', location: '/-/pypi/simple/demo-pkg/' });
  assert.equal(parsePypiPath('/-/pypi/simple/demo?format=x'), { kind: 'redirect', location: '/-/pypi/simple/demo/?format=x' });
  assert.equal(parsePypiPath('/-/pypi/simple'), { kind: 'redirect', location: '/-/pypi/simple/' });
  assert.equal(parsePypiPath('/-/pypi/files/demo/demo-1.0.tar.gz'), {
    kind: 'file',
    project: 'demo',
    filename: 'demo-1.0.tar.gz',
    metadata: false,
  });
  assert.equal(parsePypiPath('/-/pypi/files/demo/demo-1.0-py3-none-any.whl.metadata'), {
    kind: 'file',
    project: 'demo',
    filename: 'demo-1.0-py3-none-any.whl',
    metadata: true,
  });
  assert.equal(parsePypiPath('/-/pypi/simple/demo/extra'), { kind: 'unknown' });
  const bad = [
    '/-/pypi/simple/a%2Fb/',
    '/-/pypi/simple/a%5cb/',
    '/-/pypi/simple/../x/',
    '/-/pypi/simple/%2e%2e/',
    '/-/pypi/simple/-bad-/',
    `/-/pypi/simple/${'a'.repeat(215)}/`,
    '/-/pypi/simple/%ZZ/',
    '/-/pypi/files/demo/..',
    '/-/pypi/files/Demo/demo-1.0.tar.gz',
    '/-/pypi/files/demo/%2e%2e%2fetc%2fpasswd',
    '/-/pypi/files/demo/a%00.whl',
  ];
  for (const path of bad) assert.is(parsePypiPath(path).kind, 'bad', path);
});

test('fileHref is relative to the project page and encodes the filename', () => {
  assert.is(fileHref('demo', 'demo-1.0+local.tar.gz'), '../../files/demo/demo-1.0%2Blocal.tar.gz');
  assert.is(new URL(fileHref('demo', 'x.whl'), 'http://h:1/-/pypi/simple/demo/').pathname, '/-/pypi/files/demo/x.whl');
});

test('parseRange: single ranges, suffixes, open ends, unsatisfiable, ignored forms', () => {
  assert.equal(parseRange('bytes=0-9', 100), { kind: 'range', start: 0, end: 9 });
  assert.equal(parseRange('bytes=90-', 100), { kind: 'range', start: 90, end: 99 });
  assert.equal(parseRange('bytes=-10', 100), { kind: 'range', start: 90, end: 99 });
  assert.equal(parseRange('bytes=95-200', 100), { kind: 'range', start: 95, end: 99 });
  assert.equal(parseRange('bytes=100-', 100), { kind: 'unsatisfiable' });
  assert.equal(parseRange('bytes=-0', 100), { kind: 'unsatisfiable' });
  assert.equal(parseRange('bytes=0-1,5-6', 100), { kind: 'whole' });
  assert.equal(parseRange('items=0-1', 100), { kind: 'whole' });
  assert.equal(parseRange(undefined, 100), { kind: 'whole' });
});

test('parseRange (range-parser): overlapping ranges combine; a backwards range is unsatisfiable (before: the whole file)', () => {
  assert.equal(parseRange('bytes=0-9,5-19', 100), { kind: 'range', start: 0, end: 19 });
  assert.equal(parseRange('bytes=5-2', 100), { kind: 'unsatisfiable' });
  assert.equal(parseRange('bytes=abc', 100), { kind: 'whole' }, 'unreadable: ignored, as before');
  assert.equal(parseRange('bytes 0-9', 100), { kind: 'whole' }, 'no "=": not a range header at all');
  assert.equal(parseRange('bytes=0-', 0), { kind: 'unsatisfiable' }, 'nothing to serve of an empty file');
});

test('fileUrlProblem: schemes, credentials, downgrades, local addresses and hosts nobody named', () => {
  const index = 'https://pypi.org/simple/';
  const named = ['https://files.pythonhosted.org/'];
  assert.is(fileUrlProblem(new URL('https://files.pythonhosted.org/packages/x.whl'), index, named), null);
  assert.is(fileUrlProblem(new URL('https://pypi.org/x.whl'), index, named), null);
  assert.type(
    fileUrlProblem(new URL('https://files.pythonhosted.org/packages/x.whl'), index, []),
    'string',
    'a host is fetched from only when named',
  );
  assert.type(fileUrlProblem(new URL('https://mirror.example.com/x.whl'), index, named), 'string');
  assert.type(fileUrlProblem(new URL('file:///etc/passwd'), index, named), 'string');
  assert.type(fileUrlProblem(new URL('http://files.pythonhosted.org/x.whl'), index, named), 'string');
  assert.type(fileUrlProblem(new URL('https://user:pw@files.example/x.whl'), index, named), 'string');
  for (const local of [
    'https://127.0.0.1/x',
    'https://localhost/x',
    'https://10.1.2.3/x',
    'https://169.254.169.254/x',
    'https://[::1]/x',
    'https://192.168.1.1/x',
  ]) {
    assert.type(fileUrlProblem(new URL(local), index, named), 'string', local);
  }
  assert.is(
    fileUrlProblem(new URL('http://127.0.0.1:9999/files/x.whl'), 'http://127.0.0.1:9999/simple/', named),
    null,
    "the index's own local host is fine",
  );
  assert.type(
    fileUrlProblem(new URL('http://127.0.0.1:22/x'), 'http://127.0.0.1:9999/simple/', named),
    'string',
    'another port on the same machine is not',
  );
});

test('reasonPhrase keeps one ASCII line', () => {
  assert.is(reasonPhrase('depfence: café — blocked\r\nx'), 'depfence: cafe - blocked??x');
  assert.ok(reasonPhrase('x'.repeat(1000)).length <= 400);
});

test.run();
