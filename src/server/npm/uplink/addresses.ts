// The URLs of depfence's uplink listener as Verdaccio sees them. Verdaccio's uplinks are
// `<base>/public` (the configured registry) and `<base>/internal` (upstreams.npm.internal); the
// packuments depfence hands them point every tarball back at the same listener, so Verdaccio never
// learns, and never fetches, an address of its own choosing. A tarball on a host depfence does not
// fetch from points at `<base>/refused/…?from=<its real URL>`: no uplink matches it, nothing
// serves it, and the version filter hides that version with the reason.
export type UplinkSource = 'public' | 'internal';

export class UplinkAddresses {
  constructor(readonly base: string) {}

  uplinkUrl(source: UplinkSource): string {
    return `${this.base}/${source}`;
  }

  get judgeUrl(): string {
    return `${this.base}/judge`;
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
