// `depfence import BUNDLE.tgz [--data-dir D] [--verify-key PUB] [--signature FILE]`: a vetted
// bundle into the offline store that `depfence serve --offline` answers from.
import { resolve } from 'node:path';
import type { Config } from '../config/index.js';
import { isDepfenceError } from '../errors.js';
import { importBundle } from '../mirror/import.js';
import { mirrorRoot } from '../sources/offline-store/store.js';
import { EXIT } from '../policy/exit-codes.js';
import { inCommand } from './command-error.js';

export interface ImportCommandOptions {
  verifyKey?: string;
  signature?: string;
}

export async function runImportCommand(
  config: Config,
  bundle: string,
  options: ImportCommandOptions,
  io: { out(text: string): void; err(text: string): void; cwd: string },
): Promise<number> {
  const dataDir = config.server.dataDir;
  try {
    const report = await importBundle({
      bundle: resolve(io.cwd, bundle),
      dataDir,
      maxBytes: config.mirror.maxBundleBytes,
      verifyKey: options.verifyKey === undefined ? undefined : resolve(io.cwd, options.verifyKey),
      signatureFile: options.signature === undefined ? undefined : resolve(io.cwd, options.signature),
    });
    const { manifest } = report;
    const signed = report.signatureVerified ? ' (signature verified)' : '';
    if (!report.changed) {
      io.out(
        `${bundle}${signed}: the offline store in ${mirrorRoot(dataDir)} already holds all ${manifest.artifacts.length} artifacts; nothing changed`,
      );
    } else {
      const packages = new Set(report.added.map((artifact) => `${artifact.ecosystem}:${artifact.name}`));
      const models = manifest.models?.length
        ? `, ${report.addedModelFiles} new model files of ${manifest.models.length} Hugging Face repos`
        : '';
      io.out(
        `imported ${bundle}${signed}: ${report.added.length} new artifacts of ${packages.size} packages${models} (${manifest.artifacts.length} artifacts in the bundle) into ${mirrorRoot(dataDir)}`,
      );
    }
    if (manifest.threatData?.index)
      io.out(
        `threat data: the bundle carries the OSV index built ${manifest.threatData.builtAt}; serve and check use the newest index they have (a running firewall loads it on SIGHUP)`,
      );
    io.out(`serve them with: depfence serve --offline --data-dir ${dataDir}`);
    return EXIT.ok;
  } catch (error) {
    throw isDepfenceError(error) ? inCommand(error, 'import refused, nothing was stored: ') : error;
  }
}
