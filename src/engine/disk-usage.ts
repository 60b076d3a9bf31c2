// Bytes used by a directory tree, counted as `du --apparent-size` would (hard links once).
import { promises as fs } from 'node:fs';
import path from 'node:path';

export async function dirSize(dir: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    await Promise.all(
      entries.map(async (e) => {
        const p = path.join(d, e.name);
        const st = await fs.lstat(p).catch(() => undefined);
        if (!st) return;
        if (st.nlink > 1) {
          const key = `${st.dev}:${st.ino}`;
          if (seen.has(key)) return;
          seen.add(key);
        }
        if (st.isFile() || st.isSymbolicLink()) total += st.size;
        if (st.isDirectory()) await walk(p);
      }),
    );
  };
  await walk(dir);
  return total;
}
