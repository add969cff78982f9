// The checks on a Hugging Face repo as a whole, one function each: gated or disabled, age,
// downloads, a look-alike organisation, remote code. Pure: facts, policy and time in; findings out.
import { formatDuration } from '../../config/duration.js';
import type { Finding } from '../types.js';
import type { ModelPolicyContext, RepoFacts, RepoInfo } from './types.js';

const DAY = 86_400_000;

export function checkRepoState(facts: RepoFacts, info: RepoInfo, ctx: ModelPolicyContext): Finding[] {
  const findings: Finding[] = [];
  if (info.disabled) {
    findings.push({
      check: 'gated',
      severity: 'deny',
      message: `${facts.id} is disabled on the Hub (taken down by its owner or by Hugging Face)`,
      evidence: { disabled: true },
    });
  }
  if (info.gated !== false && ctx.hubToken) {
    findings.push({
      check: 'gated',
      severity: 'warn',
      message: `${facts.id} is gated on the Hub (${info.gated} approval): served with the firewall's Hub token (upstreams.huggingface.token), if the Hub lets that account have it`,
      evidence: { gated: info.gated },
    });
  } else if (info.gated !== false) {
    findings.push({
      check: 'gated',
      severity: 'deny',
      message: `${facts.id} is gated on the Hub (${info.gated} approval): its files are served only to accounts its owner approved, which this firewall does not hold (set upstreams.huggingface.token, or DEPFENCE_HF_TOKEN, to an approved account's token)`,
      evidence: { gated: info.gated },
    });
  }
  return findings;
}

export function checkRepoAge(facts: RepoFacts, info: RepoInfo, ctx: ModelPolicyContext, now: Date): Finding[] {
  const { minRepoAge } = ctx.policy;
  if (info.createdAt === null) {
    return [
      {
        check: 'age',
        severity: 'deny',
        message: `the Hub gives no creation time for ${facts.id}, so its age cannot be checked`,
        evidence: { minRepoAge: formatDuration(minRepoAge) },
      },
    ];
  }
  const age = now.getTime() - info.createdAt.getTime();
  if (age >= minRepoAge) return [];
  const shown = age < DAY ? 'less than a day' : formatDuration(Math.floor(age / DAY) * DAY);
  return [
    {
      check: 'age',
      severity: 'deny',
      message: `${facts.id} was created ${shown} ago; new repos are refused until they are ${formatDuration(minRepoAge)} old`,
      evidence: { createdAt: info.createdAt.toISOString(), minRepoAge: formatDuration(minRepoAge) },
    },
  ];
}

export function checkRepoDownloads(facts: RepoFacts, info: RepoInfo, ctx: ModelPolicyContext): Finding[] {
  const { minDownloads } = ctx.policy;
  if (minDownloads === 0) return [];
  if (info.downloads === null) {
    return [
      {
        check: 'downloads',
        severity: 'deny',
        message: `the Hub gives no download count for ${facts.id}, so it cannot be compared with the floor of ${minDownloads}`,
        evidence: { minDownloads },
      },
    ];
  }
  if (info.downloads >= minDownloads) return [];
  return [
    {
      check: 'downloads',
      severity: 'deny',
      message: `${facts.id} had ${info.downloads.toLocaleString('en-US')} downloads last month, below the floor of ${minDownloads}`,
      evidence: { downloads: info.downloads, minDownloads, source: 'the Hub' },
    },
  ];
}

/** The organisation imitates a popular one: `meta-1lama/…` for `meta-llama`. Runs without the Hub. */
export function checkLookalike(facts: RepoFacts, ctx: ModelPolicyContext): Finding[] {
  if (!ctx.policy.lookalike) return [];
  const slash = facts.id.indexOf('/');
  if (slash < 0) return [];
  const org = facts.id.slice(0, slash);
  const match = ctx.lookalike.matchOrganisation(org);
  if (!match) return [];
  return [
    {
      check: 'typosquat',
      severity: 'deny',
      message: `the organisation ${org} looks like ${match.target} (${match.detail}), a popular one: a look-alike name is how malicious models get downloaded by mistake`,
      evidence: { organisation: org, target: match.target, detail: match.detail },
    },
  ];
}

/** Code the repo runs with trust_remote_code: an auto_map in config.json, or *.py files. */
export function checkRemoteCode(facts: RepoFacts, info: RepoInfo, ctx: ModelPolicyContext): Finding[] {
  const { remoteCode, allowedCodeFiles } = ctx.policy;
  const allowed = allowedCodeFiles.map(globToRegExp);
  const code = info.files
    .map((file) => file.path)
    .filter((path) => path.toLowerCase().endsWith('.py') && !allowed.some((pattern) => pattern.test(path)));
  if (!info.autoMap && code.length === 0) return [];
  const what = [
    info.autoMap ? 'config.json has an auto_map' : null,
    code.length ? `it ships ${code.slice(0, 5).join(', ')}${code.length > 5 ? ` and ${code.length - 5} more` : ''}` : null,
  ]
    .filter(Boolean)
    .join(' and ');
  return [
    {
      check: 'remote-code',
      severity: remoteCode,
      message: `${facts.id} carries code that runs when loaded with trust_remote_code=True: ${what}`,
      evidence: { autoMap: info.autoMap, codeFiles: code, remoteCode },
    },
  ];
}

/** `*` within a path segment, `**` across segments. */
export function globToRegExp(glob: string): RegExp {
  const pattern = glob
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`);
}
