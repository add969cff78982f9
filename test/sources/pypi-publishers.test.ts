// Which provenance documents the PyPI publisher signal reads: the releases asked about and the few
// attested ones below each, a few files each, only on the simple index's origin; a document that
// cannot be read leaves that file's publisher unknown instead of failing the page.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { HttpClient } from '../../src/sources/http.js';
import type { DistFile, ProjectPage } from '../../src/protocol/pypi/model.js';
import { fetchPublishers } from '../../src/sources/pypi-publishers.js';

const SIMPLE = 'https://index.example/simple/';
const publisher = (repository: string) => ({
  version: 1,
  attestation_bundles: [{ publisher: { kind: 'GitHub', repository, workflow: 'release.yml' }, attestations: [] }],
});

function file(filename: string, provenance: string | null | undefined): DistFile {
  return {
    filename,
    url: `https://files.example/${filename}`,
    hashes: {},
    requiresPython: null,
    yanked: false,
    coreMetadata: false,
    gpgSig: null,
    size: null,
    uploadTime: null,
    ...(provenance !== undefined && { provenance }),
  };
}

function recordingHttp(documents: Record<string, unknown>): { http: HttpClient; asked: string[] } {
  const asked: string[] = [];
  const http = {
    getJson: (url: string, options: { validate?: (body: unknown) => unknown }) => {
      asked.push(url);
      if (!(url in documents)) return Promise.resolve({ status: 404, body: null, fromCache: false, stale: false });
      return Promise.resolve({
        status: 200,
        body: options.validate ? options.validate(documents[url]) : documents[url],
        fromCache: false,
        stale: false,
      });
    },
  } as unknown as HttpClient;
  return { http, asked };
}

test('the release asked about, up to three attested releases below it, two files each, on the index origin only', async () => {
  const at = (name: string) => `https://index.example/integrity/pkg/${name}/provenance`;
  const page: ProjectPage = {
    name: 'pkg',
    versions: null,
    files: [
      file('pkg-0.9-py3-none-any.whl', at('0.9')),
      file('pkg-1.0-py3-none-any.whl', at('1.0a')),
      file('pkg-1.0-py2-none-any.whl', at('1.0b')),
      file('pkg-1.0.tar.gz', at('1.0c')),
      file('pkg-1.1-py3-none-any.whl', 'https://elsewhere.example/integrity/pkg-1.1/provenance'),
      file('pkg-1.2-py3-none-any.whl', null),
      file('pkg-1.3-py3-none-any.whl', at('1.3')),
      file('pkg-1.4-py3-none-any.whl', at('1.4')),
      file('pkg-2.0-py3-none-any.whl', at('2.0')),
      file('pkg-3.0-py3-none-any.whl', at('3.0')),
    ],
  };
  const { http, asked } = recordingHttp({
    [at('2.0')]: publisher('evil/pkg'),
    [at('1.4')]: publisher('acme/pkg'),
    [at('1.3')]: { not: 'provenance' },
    [at('1.0a')]: publisher('acme/pkg'),
  });
  const publishers = await fetchPublishers(http, 'pkg', page, ['2.0'], SIMPLE);
  // 2.0 itself; below it 1.4, 1.3 and 1.0 (1.1's provenance is on another origin, 1.2 has none); 0.9 is a fourth.
  assert.equal(asked.sort(), [at('1.0a'), at('1.0b'), at('1.3'), at('1.4'), at('2.0')].sort());
  assert.equal(Object.fromEntries(publishers), {
    'pkg-2.0-py3-none-any.whl': ['GitHub evil/pkg (workflow release.yml)'],
    'pkg-1.4-py3-none-any.whl': ['GitHub acme/pkg (workflow release.yml)'],
    'pkg-1.0-py3-none-any.whl': ['GitHub acme/pkg (workflow release.yml)'],
  });
});

test('nothing asked about: nothing fetched', async () => {
  const { http, asked } = recordingHttp({});
  const page: ProjectPage = { name: 'pkg', versions: null, files: [file('pkg-1.0-py3-none-any.whl', 'https://index.example/p')] };
  assert.equal((await fetchPublishers(http, 'pkg', page, [], SIMPLE)).size, 0);
  assert.equal(asked, []);
});

test.run();
