/** Is a process with this pid running? (EPERM: it runs, as another user.) Used to tell stale lock and temp files. */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
