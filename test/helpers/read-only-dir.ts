import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';

/** Makes a folder unwritable even for root (chattr +i), since CI runs as root and ignores mode bits. */
export function makeReadOnly(dir: string): () => void {
  if (process.getuid?.() === 0) {
    execFileSync('chattr', ['+i', dir]);
    return () => execFileSync('chattr', ['-i', dir]);
  }
  chmodSync(dir, 0o500);
  return () => chmodSync(dir, 0o700);
}
