// Which file URLs the firewall fetches. The URLs come only from upstream pages and redirects
// (never from a client); on top of that: http(s) only, no credentials, no downgrade from an https
// index, and only from a host the configuration names: the index's own, or one in its file-host
// setting (`upstreams.pypi.files`: PyPI's files.pythonhosted.org; `upstreams.huggingface.files`:
// the Hub's CDN). So a page cannot point the firewall at services on its own machine or network,
// nor at any other host, and every redirect is held to the same rule.
import { isIP } from 'node:net';

/**
 * Null when the firewall may fetch `url` for a page of the index at `indexUrl`; otherwise why not.
 * `fileHosts`: the URLs of the file-host setting named `setting` (their origins are allowed).
 */
export function fileUrlProblem(url: URL, indexUrl: string, fileHosts: readonly string[], setting = 'upstreams.pypi.files'): string | null {
  const index = new URL(indexUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `its URL scheme ${url.protocol} is not http or https`;
  if (url.username || url.password) return 'its URL carries credentials';
  if (index.protocol === 'https:' && url.protocol !== 'https:') return 'its URL is plain http while the index is https';
  if (url.host === index.host) return null;
  if (fileHosts.some((named) => URL.canParse(named) && new URL(named).origin === url.origin)) return null;
  if (isLocalHost(url.hostname)) return `its host ${url.hostname} is a local or private address other than the index's`;
  return `its host ${url.host} is neither the index's nor named in ${setting}`;
}

function isLocalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host === '') return true;
  const family = isIP(host);
  if (family === 4) {
    const [a = 0, b = 0] = host.split('.').map(Number);
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (family === 6) {
    return (
      host === '::1' ||
      host === '::' ||
      host.startsWith('fe80:') ||
      host.startsWith('fc') ||
      host.startsWith('fd') ||
      host.startsWith('::ffff:')
    );
  }
  return false;
}
