// The pre-flight check: the packages a command names are put to the running firewall's policy
// (POST /-/depfence/decide) before the tool runs, so a denial is explained by depfence in plain
// words (check, evidence, how to allow) rather than by the tool's own error after a 403.
import { request } from 'node:http';
import { formatDecision } from '../policy/decision-text.js';
import { deniedOnlyForMissingFacts, type Decision } from '../policy/index.js';
import type { PackageRef } from './packages.js';
import type { FirewallEndpoint } from './plan.js';

export interface PreflightResult {
  /** True when the command must not run (enforce mode and something denied). */
  denied: boolean;
  /** Every denial rests only on facts that could not be had (exit 3, as check). */
  factsUnavailable: boolean;
}

interface DecideAnswer {
  mode: 'enforce' | 'report';
  results: Decision[];
}

const TIMEOUT_MS = 60_000;

export async function preflight(
  firewall: FirewallEndpoint,
  packages: readonly PackageRef[],
  client: string,
  label: string,
  say: (text: string) => void,
): Promise<PreflightResult> {
  const unique = dedupe(packages);
  let answer: DecideAnswer;
  try {
    answer = await postDecide(firewall, { client, packages: unique.map(({ ecosystem, name, version }) => ({ ecosystem, name, version })) });
  } catch (error) {
    say(
      `depfence: could not check the packages before running ${label} (${(error as Error).message}); the firewall still checks every download`,
    );
    return { denied: false, factsUnavailable: false };
  }
  const denied = answer.results.filter((decision) => decision.decision === 'deny');
  const warned = answer.results.filter((decision) => decision.decision === 'warn');
  const blocks = [...denied, ...warned].map((decision) => {
    const ref = unique[answer.results.indexOf(decision)];
    const origin = ref && ref.origin !== 'the command line' ? `\n       named in ${ref.origin}` : '';
    return `${formatDecision(decision)}${origin}`;
  });
  if (denied.length > 0 && answer.mode === 'enforce') {
    say(
      `depfence: ${label} not run: ${denied.length === 1 ? 'a package it names is' : `${denied.length} packages it names are`} denied by the policy\n${blocks.join('\n')}`,
    );
    return { denied: true, factsUnavailable: denied.every(deniedOnlyForMissingFacts) };
  }
  if (blocks.length > 0) {
    const note = denied.length > 0 ? ' (mode: report, so nothing is enforced)' : '';
    say(`depfence: before ${label}${note}:\n${blocks.join('\n')}`);
  }
  return { denied: false, factsUnavailable: false };
}

function dedupe(packages: readonly PackageRef[]): PackageRef[] {
  const seen = new Set<string>();
  return packages.filter((ref) => {
    const key = `${ref.ecosystem}:${ref.name.toLowerCase()}@${ref.version ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function postDecide(firewall: FirewallEndpoint, body: unknown): Promise<DecideAnswer> {
  const payload = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    connection: 'close',
  };
  if (firewall.token !== null) headers.authorization = `Bearer ${firewall.token}`;
  return new Promise((resolve, reject) => {
    const req = request(`${firewall.url}/-/depfence/decide`, { method: 'POST', timeout: TIMEOUT_MS, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return reject(new Error(`the firewall answered ${res.statusCode} with a body that is not JSON`));
        }
        const answer = parsed as Partial<DecideAnswer> & { error?: string };
        if (res.statusCode !== 200 || !Array.isArray(answer.results))
          return reject(new Error(answer.error ?? `the firewall answered ${res.statusCode}`));
        resolve({ mode: answer.mode === 'report' ? 'report' : 'enforce', results: answer.results });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.end(payload);
  });
}
