// `npm run bench`: runs every benchmark module in this folder (files named *.bench.ts) one after
// another and prints their figures. A module's default export is an async function that prints its
// own report; `npm run bench -- NAME` runs only the modules whose file name contains NAME.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
const modules = readdirSync(here)
  .filter((file) => file.endsWith('.bench.ts') && (!only || file.includes(only)))
  .sort();

for (const file of modules) {
  console.log(`\n== ${file.replace(/\.bench\.ts$/, '')} ==`);
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: () => Promise<void> };
  await mod.default();
}
