// Shared by the builder's tests: context directories and the classic output's normal form.
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** A context dir `<scratch>/<name>` holding these files (subdirectories made as needed). */
export async function writeContext(scratch: string, name: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(scratch, name);
  for (const [f, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, f)), { recursive: true });
    await fs.writeFile(path.join(dir, f), text);
  }
  return dir;
}

/** The classic build stream without the context-size line, short IDs as `<id>`. */
export function withoutIds(s: string): string {
  return s.replace(/^Sending build context[^\n]*\n/, '').replace(/[0-9a-f]{12}\b/g, '<id>');
}

/** The daemon's error line of a failed build (the docker CLI prints a deprecation notice first). */
export function errorLine(stderr: string): string | undefined {
  return stderr.trim().split('\n').at(-1);
}
