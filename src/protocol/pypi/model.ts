// The one model of a project page that every upstream format is parsed into and every client
// format is rendered from. Absolute URLs, dates as Date, no wire quirks (legacy key names, HTML
// escaping, hash fragments) left.
import { DepfenceError, type DepfenceErrorOptions } from '../../errors.js';

export type Hashes = Readonly<Record<string, string>>;

export interface DistFile {
  filename: string;
  /** Absolute URL: upstream pages are resolved on parsing; pages depfence serves point at depfence. */
  url: string;
  /** Hash name → lowercase hex. */
  hashes: Hashes;
  requiresPython: string | null;
  /** PEP 592: false, true, or the reason (a non-empty string). */
  yanked: boolean | string;
  /** PEP 658: false (none), true (present, no hash given) or the hashes of the `.metadata` file. */
  coreMetadata: boolean | Hashes;
  gpgSig: boolean | null;
  size: number | null;
  uploadTime: Date | null;
  /** PEP 740: the provenance URL, null when the index says there is none, absent when it does not say. */
  provenance?: string | null;
  /** Set when a field depfence needs could not be read from the upstream's entry: the file is never served, for this reason. */
  unreadable?: string;
}

export interface ProjectPage {
  /** The PEP 503 normalised project name. */
  name: string;
  /** PEP 700 `versions` when the upstream gave them, otherwise null. */
  versions: string[] | null;
  files: DistFile[];
}

/** An upstream entry a needed field of which could not be read: listed, never served, with the reason. */
export function unreadableFile(filename: string, url: string, reason: string): DistFile {
  return {
    filename,
    url,
    hashes: {},
    requiresPython: null,
    yanked: false,
    coreMetadata: false,
    gpgSig: null,
    size: null,
    uploadTime: null,
    unreadable: reason,
  };
}

/** A problem with an upstream document: answered with 502, never cached. */
export class MalformedPageError extends DepfenceError<'EPAGE_MALFORMED'> {
  constructor(message: string, options?: DepfenceErrorOptions) {
    super('EPAGE_MALFORMED', message, options);
  }
}
