// Step 2: drop the hidden versions (and their distfile records, so nothing still points at their
// tarballs). Returns a new packument; the input is not changed.
import { tarballFilename } from '../../../protocol/npm/packument.js';
import type { Packument } from './packument.js';

export function hideVersions(packument: Packument, hidden: ReadonlySet<string>): Packument {
  const versions = Object.fromEntries(Object.entries(packument.versions).filter(([version]) => !hidden.has(version)));
  const result: Packument = { ...packument, versions };
  if (packument._distfiles) {
    const hiddenFiles = new Set<string>();
    for (const version of hidden) {
      const manifest = packument.versions[version];
      const file = manifest && tarballFilename(manifest);
      if (file) hiddenFiles.add(file);
    }
    result._distfiles = Object.fromEntries(Object.entries(packument._distfiles).filter(([file]) => !hiddenFiles.has(file)));
  }
  return result;
}
