// The fixture Hub and CDN in a process of their own, for the download benchmark (so the client,
// the firewall and the upstream each have their own event loop, as in real use):
//   node --import tsx hf-hub-process.ts MEGABYTES
// prints one JSON line {hub, cdn, id, commit, sha256, size} and serves until its stdin closes.
import { HfUpstream } from '../fixtures/index.js';
import { buildSafetensors } from '../fixtures/model-files.js';

const megabytes = Number(process.argv[2] ?? 200);
const hub = await HfUpstream.start();
const weights = buildSafetensors([{ name: 'w', shape: [(megabytes * 1024 * 1024) / 4] }]);
const repo = hub.addRepo({ id: 'bench/big-model', files: { 'config.json': '{}', 'model.safetensors': weights } });
const file = repo.files.get('model.safetensors')!;
console.log(
  JSON.stringify({ hub: hub.url, cdn: hub.cdn.url, id: 'bench/big-model', commit: repo.commit, sha256: file.sha256, size: weights.length }),
);
process.stdin.resume();
process.stdin.on('end', () => void hub.close().then(() => process.exit(0)));
