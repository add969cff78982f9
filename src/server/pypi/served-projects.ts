// The root page's list. A firewall cannot list all of PyPI, and listing nothing tells a browsing
// person nothing, so the root page lists the projects this firewall has served a page for (kept
// in <dataDir>/pypi/served-projects.txt, one normalised name a line, across restarts). Installers
// never read the root page; it is for people and mirror tools.
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { normalizePypiName, validatePypiName } from '../../names/index.js';

export class ServedProjects {
  readonly #names = new Set<string>();

  constructor(readonly file: string) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // none served yet
    }
    for (const line of text.split('\n')) {
      const name = line.trim();
      if (name && validatePypiName(name) === null && normalizePypiName(name) === name) this.#names.add(name);
    }
  }

  static inDataDir(dataDir: string): ServedProjects {
    return new ServedProjects(join(dataDir, 'pypi', 'served-projects.txt'));
  }

  add(name: string): void {
    if (this.#names.has(name)) return;
    this.#names.add(name);
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      appendFileSync(this.file, `${name}\n`);
    } catch {
      // The list is a convenience for people; serving goes on without it.
    }
  }

  list(): string[] {
    return [...this.#names].sort();
  }
}
