// The URLs of depfence's uplink listener as Verdaccio sees them. Verdaccio's uplinks are
// `<base>/public` (the configured registry) and `<base>/internal` (upstreams.npm.internal), where
// <base> is a fixed name under `.invalid` (which never resolves) reached through the uplinks'
// documented `http_proxy` setting: the listener, on whatever loopback port it got this time.
// Verdaccio stores these URLs with the packuments, so they must not change when the port does.
// The packuments depfence hands Verdaccio point every tarball back at the same base, so Verdaccio
// never learns, and never fetches, an address of its own choosing. A tarball on a host depfence
// does not fetch from points at `<base>/refused/…?from=<its real URL>`: no uplink matches it, the
// name does not resolve, and the version filter hides that version with the reason.
export type UplinkSource = 'public' | 'internal';

/** The origin of every uplink URL Verdaccio is given. */
export const UPLINK_ORIGIN = 'http://depfence-uplink.invalid';

export class UplinkAddresses {
  readonly base = UPLINK_ORIGIN;

  /** @param listener the listener's own URL (`http://127.0.0.1:PORT`): the uplinks' proxy, and where the judge is. */
  constructor(readonly listener: string) {}

  uplinkUrl(source: UplinkSource): string {
    return `${this.base}/${source}`;
  }

  get judgeUrl(): string {
    return `${this.listener}/judge`;
  }

  tarballUrl(source: UplinkSource, name: string, filename: string): string {
    return `${this.base}/${source}/${name}/-/${filename}`;
  }

  refusedTarballUrl(name: string, filename: string, original: string): string {
    return `${this.base}/refused/${name}/-/${filename}?from=${encodeURIComponent(original)}`;
  }

  /** The original URL of a refused tarball, or null if `url` is not one. */
  refusedOriginal(url: string): string | null {
    if (!url.startsWith(`${this.base}/refused/`)) return null;
    return new URL(url).searchParams.get('from') ?? '(unknown)';
  }

  isFetchable(url: string, source: UplinkSource): boolean {
    return url.startsWith(`${this.uplinkUrl(source)}/`);
  }
}
