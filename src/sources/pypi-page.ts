// A project page from an upstream simple index, as the model: asked for as PEP 691 JSON, read as
// PEP 503 HTML when the index only speaks HTML (remembered per index), with missing upload times filled in from PyPI's
// JSON API (public upstream only: an internal name is never mentioned to a public service).
// Through the shared HTTP client, so pages are cached with its TTL and stale-if-error window;
// a page that does not parse is rejected by the client's validator (JSON and HTML alike) and is
// never cached.
import { UpstreamError, type HttpClient, type UpstreamLabel } from './http.js';
import { fetchPypiProject } from './pypi-metadata.js';
import { loadOnce } from './load-once.js';
import { MalformedPageError, type DistFile, type ProjectPage } from '../protocol/pypi/model.js';
import { readJsonProjectPage } from '../protocol/pypi/parse-json.js';
import { parseUploadTime } from '../protocol/pypi/page-values.js';
import { SIMPLE_HTML, SIMPLE_JSON } from '../protocol/pypi/wire.js';

export interface PageSource {
  /** The simple index base URL, ending in `/`. */
  simpleUrl: string;
  label: UpstreamLabel;
  /** `upstreams.pypi.json` for the public index; null for an internal one. */
  jsonApiUrl: string | null;
}

export type UpstreamPage = { found: true; page: ProjectPage; url: string; stale: boolean } | { found: false; url: string };

export const PUBLIC_SIMPLE: UpstreamLabel = { name: 'PyPI simple index', setting: 'upstreams.pypi.simple' };
export const INTERNAL_SIMPLE: UpstreamLabel = { name: 'internal PyPI index', setting: 'upstreams.pypi.internal' };

const ASK_JSON = SIMPLE_JSON;
const ASK_HTML = `${SIMPLE_HTML}, text/html;q=0.9`;

export function projectPageUrl(simpleUrl: string, name: string): string {
  return `${simpleUrl}${encodeURIComponent(name)}/`;
}

/**
 * Indexes seen answering HTML when asked for JSON: they are asked for HTML straight away for a
 * while (a refused JSON answer is never cached, so asking again would cost a request every time),
 * then JSON is tried again in case that answer was a one-off.
 */
export class HtmlOnlyIndexes {
  readonly #until = new Map<string, number>();
  constructor(private readonly rememberMs = 10 * 60_000) {}
  has(simpleUrl: string): boolean {
    return (this.#until.get(simpleUrl) ?? 0) > Date.now();
  }
  add(simpleUrl: string): void {
    this.#until.set(simpleUrl, Date.now() + this.rememberMs);
  }
}

export async function fetchUpstreamPage(
  http: HttpClient,
  source: PageSource,
  name: string,
  htmlOnly: HtmlOnlyIndexes,
): Promise<UpstreamPage> {
  const url = projectPageUrl(source.simpleUrl, name);
  if (htmlOnly.has(source.simpleUrl)) return fetchHtmlPage(http, source, name, url);
  let answer;
  try {
    answer = await http.getJson(url, {
      accept: ASK_JSON,
      upstream: source.label,
      validate: (document) => readJsonProjectPage(document, url),
    });
  } catch (error) {
    if (!isNotJson(error)) throw error;
    // The index answered something that is not JSON: an index that only speaks PEP 503 HTML?
    const page = await fetchHtmlPage(http, source, name, url);
    htmlOnly.add(source.simpleUrl);
    return page;
  }
  if (answer.status === 404 || answer.body === null) return { found: false, url };
  return { found: true, page: await withUploadTimes(http, source, name, answer.body), url, stale: answer.stale };
}

/** The HTML parser loads with the first index that answers HTML, not when the firewall starts. */
const loadHtmlParser = loadOnce(() => import('../protocol/pypi/parse-html.js'));

async function fetchHtmlPage(http: HttpClient, source: PageSource, name: string, url: string): Promise<UpstreamPage> {
  const { parseHtmlProjectPage } = await loadHtmlParser();
  const html = await http.getText(url, {
    accept: ASK_HTML,
    upstream: source.label,
    validate: (text) => parseHtmlProjectPage(requireHtml(text), url, name),
  });
  if (html.status === 404 || html.body === null) return { found: false, url };
  return { found: true, page: await withUploadTimes(http, source, name, html.body), url, stale: html.stale };
}

/** The client wraps a validator's error; a JSON.parse failure means "not JSON at all". */
function isNotJson(error: unknown): boolean {
  return error instanceof UpstreamError && error.code === 'EUPSTREAM_MALFORMED' && !(error.cause instanceof MalformedPageError);
}

function requireHtml(text: string): string {
  if (!/^\s*</.test(text)) throw new MalformedPageError('the page is neither PEP 691 JSON nor PEP 503 HTML');
  return text;
}

/** Files without a PEP 700 upload time get theirs (and their size) from the JSON API, when there is one. */
async function withUploadTimes(http: HttpClient, source: PageSource, name: string, page: ProjectPage): Promise<ProjectPage> {
  if (source.jsonApiUrl === null || page.files.every((file) => file.uploadTime !== null && file.size !== null)) return page;
  const project = await fetchPypiProject(http, source.jsonApiUrl, name).catch(() => null);
  if (!project?.found) return page;
  const known = new Map<string, { uploadTime: Date | null; size: number | null }>();
  for (const files of Object.values(project.releases)) {
    for (const file of files) {
      known.set(file.filename, {
        uploadTime: file.upload_time_iso_8601 ? parseUploadTime(file.upload_time_iso_8601) : null,
        size: file.size ?? null,
      });
    }
  }
  const files = page.files.map((file): DistFile => {
    const extra = known.get(file.filename);
    return extra ? { ...file, uploadTime: file.uploadTime ?? extra.uploadTime, size: file.size ?? extra.size } : file;
  });
  return { ...page, files };
}
