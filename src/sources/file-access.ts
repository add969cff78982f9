// A RandomAccess over a file on disk, for the format readers in protocol/ (zip directories,
// pickle entries, safetensors headers). Opened for one inspection, then closed.
import { open } from 'node:fs/promises';
import type { RandomAccess } from '../protocol/random-access.js';

export async function withFileAccess<T>(path: string, use: (file: RandomAccess) => Promise<T>): Promise<T> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    return await use({
      size,
      async read(offset, length) {
        const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
        let filled = 0;
        while (filled < buffer.length) {
          const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, offset + filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        return buffer.subarray(0, filled);
      },
    });
  } finally {
    await handle.close();
  }
}
