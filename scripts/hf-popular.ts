// The popular Hugging Face repos and organisations depfence compares repo names with (look-alike
// organisations such as `meta-1lama`). No Hub is asked: the list is built from the repo ids that
// Hugging Face's own npm packages name as examples — @huggingface/tasks (the example models and
// datasets of every task page, the library snippets) and @huggingface/hub (its README and tests) —
// which are installed with depfence's dev dependencies. Output: config/snapshots/hf-popular.txt,
// one `org/name` a line, sorted, under a header saying where it came from.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const PACKAGES = ['@huggingface/tasks', '@huggingface/hub'];
const REPO_ID = /["'`]([A-Za-z0-9][A-Za-z0-9_.-]{1,95})\/([A-Za-z0-9][A-Za-z0-9_.-]{0,95})["'`]/g;
/** Strings of that shape that are no repo: media types, placeholders, paths. */
const NOT_AN_ORG =
  /^(application|audio|image|video|text|multipart|font|model|user|username|some-user|myname|your-username|your-org|org|owner|me|src|dist|lib|node_modules|http|https|api|models|datasets|spaces|blob|refs|main|x|a|b|c|\d+|acoustic|asset|checkpoints|ckpt|ckpt-0|data|dummy|embedding|flow|foo|fs|hello-world|inference|ns|point_map_vae|precomputed_embeddings|prefix|pretrain|pretrained|sub|sub\.dir|test-folder|tests|transformer|unet|utils|vae|cvlm_llama2_tokenizer|LVFace-L_Glint360K|mobilenet|hallo|champ|fever|iker)$/i;

export function hfPopularList(nodeModules: string): string {
  const ids = new Set<string>();
  const versions: string[] = [];
  for (const name of PACKAGES) {
    const root = join(nodeModules, name);
    versions.push(`${name}@${(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version}`);
    for (const file of sourceFiles(root)) {
      for (const match of readFileSync(file, 'utf8').matchAll(REPO_ID)) {
        const [, org = '', repo = ''] = match;
        if (NOT_AN_ORG.test(org) || /\.(ts|js|json|md|png|jpe?g|wav|mp3|html|py)$/i.test(repo) || !/[a-z]/i.test(repo)) continue;
        ids.add(`${org}/${repo}`);
      }
    }
  }
  return [
    '# Popular Hugging Face repos (org/name): the look-alike check compares organisations with these.',
    `# source: the repo ids named in ${versions.join(' and ')} (task-page example models and datasets,`,
    '#   library snippets, README and tests); MIT licence. Rebuilt by `npm run snapshots`.',
    '# No Hub is asked when building it, so it holds the organisations Hugging Face itself cites, not a',
    '# download ranking. Add your own with allow entries or by extending this file.',
    ...[...ids].sort((a, b) => a.localeCompare(b)),
    '',
  ].join('\n');
}

function* sourceFiles(dir: string): Iterable<string> {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|md)$/.test(entry)) yield path;
  }
}
