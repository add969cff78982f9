// The configuration schema: every key, its type and what it allows. The defaults themselves live
// in config/default.yaml; this file only says what a valid configuration looks like, and turns
// durations into milliseconds on the way.
import { z } from 'zod';
import semver from 'semver';
import * as pep440 from '@renovatebot/pep440';
import { parseDuration } from './duration.js';

const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration: use a number and a unit s, m, h, d or w (e.g. 72h)` });
    return z.NEVER;
  }
  return ms;
});

const httpUrl = z
  .string()
  .refine((text) => /^https?:\/\/[^/]/.test(text) && URL.canParse(text), { error: 'must be an http:// or https:// URL' })
  .transform((text) => (text.endsWith('/') ? text : `${text}/`));

const ecosystem = z.enum(['npm', 'pypi']);
/** Allow and deny entries also name Hugging Face repos (`org/name`, or `org/*` for an organisation). */
const listEcosystem = z.enum(['npm', 'pypi', 'huggingface']);
const nameList = z.array(z.string().min(1));
const count = z.number().int().nonnegative();

/** Expiry dates: YAML gives a Date for `2027-01-31`, strings are parsed. */
const date = z.union([z.date(), z.string()]).transform((value, ctx) => {
  const parsed = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(parsed.getTime())) {
    ctx.addIssue({ code: 'custom', message: `"${String(value)}" is not a date: use YYYY-MM-DD` });
    return z.NEVER;
  }
  return parsed;
});

const listEntryFields = {
  ecosystem: listEcosystem,
  name: z.string().min(1),
  /** A semver range (npm) or a PEP 440 specifier (PyPI); absent = every version. */
  versions: z.string().min(1).optional(),
  reason: z.string().min(1, 'say why, so the next reader knows'),
};

function checkVersionRange(entry: { ecosystem: 'npm' | 'pypi' | 'huggingface'; versions?: string | undefined }, ctx: z.RefinementCtx) {
  if (entry.versions === undefined) return;
  if (entry.ecosystem === 'huggingface') {
    ctx.addIssue({
      code: 'custom',
      path: ['versions'],
      message: 'huggingface entries name a repo (or org/* for an organisation) and take no versions; pin commits with policy.models.lock',
    });
    return;
  }
  const valid = entry.ecosystem === 'npm' ? semver.validRange(entry.versions) !== null : pep440.validRange(entry.versions);
  if (!valid) {
    const kind = entry.ecosystem === 'npm' ? 'a semver range such as "<2.0.0"' : 'a PEP 440 specifier such as ">=1.0,<2"';
    ctx.addIssue({ code: 'custom', path: ['versions'], message: `"${entry.versions}" is not ${kind}` });
  }
}

const packageAllowEntry = z.strictObject({ ...listEntryFields, expires: date.optional() }).superRefine(checkVersionRange);
/** Accepts one vulnerability advisory (by its id or an alias: GHSA-…, PYSEC-…, CVE-…) wherever it applies. */
const advisoryAllowEntry = z.strictObject({
  advisory: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9._:-]+$/, 'an advisory id such as GHSA-xxxx-xxxx-xxxx, PYSEC-2021-1 or CVE-2021-23337')
    .refine((id) => !/^MAL-/i.test(id), 'MAL- records name malicious packages, which cannot be allowed'),
  reason: listEntryFields.reason,
  expires: date.optional(),
});
type PackageAllow = z.output<typeof packageAllowEntry>;
type AdvisoryAllow = z.output<typeof advisoryAllowEntry>;
// An entry with `advisory` is an advisory entry; anything else is read as a package entry, so the
// errors name the fields of the kind of entry that was meant (a plain union would only say "invalid").
const allowEntry = z.unknown().transform((value, ctx): PackageAllow | AdvisoryAllow => {
  const meant = typeof value === 'object' && value !== null && 'advisory' in value ? advisoryAllowEntry : packageAllowEntry;
  const parsed = meant.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});
const denyEntry = z.strictObject(listEntryFields).superRefine(checkVersionRange);

const severityWord = z.enum(['none', 'low', 'medium', 'high', 'critical']);

const blocklistFile = z.strictObject({
  path: z.string().min(1),
  ecosystem,
  kind: z.enum(['malicious', 'slopsquat']),
});

export const configSchema = z.strictObject({
  mode: z.enum(['enforce', 'report']),
  offline: z.boolean(),
  upstreams: z.strictObject({
    npm: z.strictObject({
      registry: httpUrl,
      downloads: httpUrl,
      internal: httpUrl.nullable(),
      lockfileUrls: z.enum(['auto', 'upstream', 'firewall']),
    }),
    pypi: z.strictObject({
      simple: httpUrl,
      json: httpUrl,
      downloads: httpUrl,
      internal: httpUrl.nullable(),
      /** Hosts files may be fetched from besides the index's own (config/default.yaml names PyPI's). */
      files: z.array(httpUrl).optional(),
    }),
    huggingface: z.strictObject({
      endpoint: httpUrl,
      /** Hosts the Hub may redirect file downloads to (its CDN) besides the endpoint's own. */
      files: z.array(httpUrl),
      /** A Hub access token the firewall sends to the endpoint (never to other hosts), for gated repos. */
      token: z.string().min(1).nullable().optional(),
    }),
  }),
  policy: z.strictObject({
    minVersionAge: duration,
    minPackageAge: duration,
    downloads: z.strictObject({ deny: count, warn: count }).refine((d) => d.warn >= d.deny, { error: 'warn must be at least deny' }),
    typosquat: z.strictObject({
      enabled: z.boolean(),
      popular: z.strictObject({ npmMinDownloads: count, pypiTop: z.number().int().positive() }),
      denyBelowShare: z.number().min(0).max(1),
      youngerThan: duration,
    }),
    history: z.strictObject({
      enabled: z.boolean(),
      window: duration,
      newPublisherWindow: duration,
    }),
    blocklists: z.strictObject({ builtin: z.boolean(), files: z.array(blocklistFile) }),
    models: z.strictObject({
      pickle: z.enum(['deny', 'scan', 'allow']),
      remoteCode: z.enum(['deny', 'warn']),
      /** Globs of *.py paths a repo may ship without counting as remote code. */
      allowedCodeFiles: z.array(z.string().min(1)),
      minRepoAge: duration,
      minDownloads: count,
      lookalike: z.boolean(),
      /** A models.lock (`depfence models lock`): only its repos, commits and file hashes are served. */
      lock: z.string().min(1).nullable(),
    }),
    /** What a known-malicious package or version (bundled lists, OSV MAL- records) gets. */
    malicious: z.enum(['deny', 'warn']),
    /** Vulnerabilities at or above `deny` are hidden, at or above `warn` are warned; null turns that off. */
    vulnerabilities: z.strictObject({ deny: severityWord.nullable(), warn: severityWord.nullable(), unscored: severityWord }),
    confusion: z.strictObject({
      npm: z.strictObject({
        scopes: z.array(
          z
            .string()
            .min(1)
            .transform((scope) => scope.replace(/^@/, '').toLowerCase()),
        ),
        names: nameList,
        prefixes: nameList,
      }),
      pypi: z.strictObject({ names: nameList, prefixes: nameList }),
    }),
  }),
  allow: z.array(allowEntry),
  deny: z.array(denyEntry),
  network: z.strictObject({
    timeout: duration,
    retries: z.number().int().min(0).max(10),
    concurrency: z.number().int().min(1).max(256),
    cacheTtl: duration,
    downloadsCacheTtl: duration,
    staleIfError: duration,
    maxResponseBytes: z.number().int().positive(),
  }),
  shims: z.strictObject({
    trustedUrls: z.array(z.string().min(1)),
    startTimeout: duration,
  }),
  feeds: z.strictObject({
    osv: z.strictObject({
      /** The OSV export root: <url>npm/all.zip and <url>PyPI/all.zip. */
      url: httpUrl,
      interval: duration,
      autoUpdate: z.boolean(),
      maxAge: duration,
      /** A feed download larger than this is refused. */
      maxBytes: z.number().int().positive(),
      /** The update's worker thread may use this much JavaScript heap (MiB); a bigger need fails the update. */
      updateHeapMb: z.number().int().min(8),
    }),
  }),
  mirror: z.strictObject({
    maxBundleBytes: z.number().int().positive(),
  }),
  server: z.strictObject({
    host: z.string().min(1),
    port: z.number().int().min(0).max(65535),
    dataDir: z.string().min(1).nullable(),
    token: z.string().min(16, 'use at least 16 characters (e.g. openssl rand -hex 24)').nullable(),
    audit: z.strictObject({ maxBytes: z.number().int().min(4096), keep: z.number().int().min(1).max(100) }),
  }),
});

type ParsedConfig = z.output<typeof configSchema>;

/**
 * A loaded configuration: durations in milliseconds, URLs ending in `/`, dates as Date, and the
 * data directory resolved to a path.
 */
export type Config = Omit<ParsedConfig, 'server'> & {
  server: Omit<ParsedConfig['server'], 'dataDir'> & { dataDir: string };
};
export type PolicyConfig = Config['policy'];
export type AllowListEntry = Config['allow'][number];
/** An allow entry for a package (or some of its versions). */
export type AllowEntry = Extract<AllowListEntry, { name: string }>;
/** An allow entry that accepts one vulnerability advisory. */
export type AdvisoryAllowEntry = Extract<AllowListEntry, { advisory: string }>;
export type SeverityWord = z.output<typeof severityWord>;
export type FeedsConfig = Config['feeds'];
export type DenyEntry = Config['deny'][number];
export type NetworkConfig = Config['network'];
export type UpstreamsConfig = Config['upstreams'];
export type ModelPolicy = Config['policy']['models'];
