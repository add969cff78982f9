// `depfence mirror --list BUNDLE`: what a bundle holds, one artifact a line, read from its manifest.
import type { BundleManifest } from '../protocol/bundle/manifest.js';

export function formatListing(bundleFile: string, manifest: BundleManifest): string {
  const lines = [
    `${bundleFile}: depfence bundle (format ${manifest.formatVersion}), made ${manifest.createdAt} by depfence ${manifest.depfenceVersion}`,
    `vetted under policy sha256:${manifest.policy.digest.slice(0, 16)}…; from ${manifest.inputs.map((input) => input.file).join(', ') || '(no inputs)'}`,
  ];
  if (manifest.threatData) {
    lines.push(`threat data: OSV index built ${manifest.threatData.builtAt}${manifest.threatData.index ? ', carried in the bundle' : ''}`);
  }
  if (manifest.target.pythonVersion || manifest.target.platforms.length > 0) {
    lines.push(`python target: ${manifest.target.pythonVersion ?? 'any'} on ${manifest.target.platforms.join(', ') || 'any platform'}`);
  }
  lines.push('');
  const rows = [...manifest.artifacts].sort((a, b) =>
    `${a.ecosystem} ${a.name} ${a.filename}`.localeCompare(`${b.ecosystem} ${b.name} ${b.filename}`),
  );
  const width = Math.max(10, ...rows.map((row) => `${row.name} ${row.version}`.length));
  for (const artifact of rows) {
    const label = `${artifact.name} ${artifact.version}`.padEnd(width);
    lines.push(
      `${artifact.ecosystem.padEnd(4)}  ${label}  ${artifact.decision.decision.toUpperCase().padEnd(5)}  ${formatBytes(artifact.size).padStart(9)}  ${artifact.filename}`,
    );
  }
  const models = manifest.models ?? [];
  for (const repo of models) {
    const label = `${repo.kind === 'dataset' ? 'datasets/' : ''}${repo.id}@${repo.commit.slice(0, 12)}`;
    for (const file of repo.files)
      lines.push(
        `hf    ${label.padEnd(width)}  ${repo.decision.decision.toUpperCase().padEnd(5)}  ${formatBytes(file.size).padStart(9)}  ${file.path}`,
      );
  }
  for (const skipped of manifest.skipped) {
    const label = `${skipped.name}${skipped.version ? ` ${skipped.ecosystem === 'huggingface' ? skipped.version.slice(0, 12) : skipped.version}` : ''}`;
    lines.push(
      `${(skipped.ecosystem === 'huggingface' ? 'hf' : skipped.ecosystem).padEnd(4)}  ${label.padEnd(width)}  SKIPPED  ${skipped.file ? `${skipped.file}: ` : ''}${skipped.reasons.join('; ')}`,
    );
  }
  const modelFiles = models.flatMap((repo) => repo.files);
  const total = [...manifest.artifacts, ...modelFiles].reduce((sum, artifact) => sum + artifact.size, 0);
  const modelSummary = models.length > 0 ? ` and ${modelFiles.length} model files of ${models.length} repos` : '';
  lines.push(
    '',
    `${manifest.artifacts.length} artifacts of ${manifest.packages.length} packages${modelSummary}, ${formatBytes(total)}${manifest.skipped.length ? `; ${manifest.skipped.length} skipped (denied)` : ''}`,
  );
  return lines.join('\n');
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
