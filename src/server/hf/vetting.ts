// Inspecting a model file's bytes before it is cached or served (protocol/models: pickles scanned,
// safetensors headers checked), remembered per digest so a cached file is not re-read on every
// request, and a refused one is not fetched again just to be refused again.
import { DepfenceError } from '../../errors.js';
import { inspectModelFile, extensionOf, type FileInspection, type PickleMode } from '../../protocol/models/inspect.js';
import { withFileAccess } from '../../sources/file-access.js';

const REMEMBERED = 10_000;

export class FileVetter {
  private readonly verdicts = new Map<string, FileInspection>();

  constructor(private readonly pickleMode: PickleMode) {}

  /** What an earlier inspection of these bytes under this name found, if any. */
  remembered(digest: string, path: string): FileInspection | undefined {
    return this.verdicts.get(this.key(digest, path));
  }

  async inspect(file: string, path: string, digest: string): Promise<FileInspection> {
    const known = this.remembered(digest, path);
    if (known) return known;
    const inspection = await withFileAccess(file, (access) => inspectModelFile(path, access, this.pickleMode));
    if (this.verdicts.size >= REMEMBERED) this.verdicts.delete(this.verdicts.keys().next().value!);
    this.verdicts.set(this.key(digest, path), inspection);
    return inspection;
  }

  // The format is judged from the bytes and the extension (a .safetensors name is held to its header).
  private key(digest: string, path: string): string {
    return `${digest} ${extensionOf(path)}`;
  }
}

/** Thrown from the artifact store's vet hook: the download is then neither cached nor served. */
export class RefusedContent extends DepfenceError<'EREFUSED_CONTENT'> {
  constructor(readonly inspection: FileInspection) {
    super('EREFUSED_CONTENT', inspection.problem ?? 'refused');
  }
}
