// Wire types of the Simple Repository API as the specs define them (PEP 691 JSON with PEP 592,
// 658/714 and 700 fields; PEP 503 HTML as its anchors carry them). These mirror the documents on
// the wire and hold no logic; parse-*.ts turn them into the model, render.ts turns the model back.

export const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';
export const SIMPLE_HTML = 'application/vnd.pypi.simple.v1+html';
export const TEXT_HTML = 'text/html';

/** The PEP 629 repository version depfence speaks: 1.1 = PEP 700 (versions, size, upload-time). */
export const REPOSITORY_VERSION = '1.1';

/** A hash dictionary: hash name → lowercase hex digest (`{sha256: "…"}`), possibly empty. */
export type WireHashes = Record<string, string>;

/** One file of a PEP 691 project page. Unknown keys are ignored by clients. */
export interface WireFile {
  filename: string;
  url: string;
  hashes: WireHashes;
  'requires-python'?: string | null;
  /** PEP 658/714: true, or the hashes of the `.metadata` file. */
  'core-metadata'?: boolean | WireHashes;
  /** The PEP 658 name, kept for pip 22.3–23.1. */
  'dist-info-metadata'?: boolean | WireHashes;
  'gpg-sig'?: boolean;
  /** PEP 592: true or the reason. */
  yanked?: boolean | string;
  /** PEP 700 (api 1.1): mandatory. */
  size?: number;
  /** PEP 700: `yyyy-mm-ddThh:mm:ss.ffffffZ`. */
  'upload-time'?: string;
}

/** A PEP 691 project page. */
export interface WireProjectPage {
  meta: { 'api-version': string; [key: string]: unknown };
  name: string;
  /** PEP 700 (api 1.1): every version of the project, files or not. */
  versions?: string[];
  files: WireFile[];
}

/** A PEP 691 root page. */
export interface WireRootPage {
  meta: { 'api-version': string };
  projects: { name: string }[];
}

/**
 * One `<a>` of a PEP 503 project page: the attributes pip and uv read, values HTML-decoded.
 * `data-size` and `data-upload-time` are not in any PEP, but uv reads them.
 */
export interface WireAnchor {
  href: string;
  text: string;
  attributes: Record<string, string>;
}
