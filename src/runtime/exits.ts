// Learns about container exits from conmon's exit dir: conmon writes `<dir>/<id>` holding
// the exit code (via a temp file and rename) when a container's process has ended.
//
// inotify (fs.watch) gives the news within a millisecond or so; an initial scan reports
// exits that happened while nobody watched, and a slow periodic rescan covers events the
// kernel dropped (inotify queue overflow) or a watch that failed. Each file is reported
// once; a new file for the same id (the container ran again) is reported again.

import fs from 'node:fs';
import path from 'node:path';

export interface ExitWatcher {
  close(): void;
}

export interface WatchExitsOptions {
  /** Safety-net rescan period in ms. Default 2000. */
  rescanMs?: number;
}

export function watchExits(dir: string, onExit: (id: string, exitCode: number, exitedAt: Date) => void, opts: WatchExitsOptions = {}): ExitWatcher {
  fs.mkdirSync(dir, { recursive: true });
  /** id → identity of the exit file already reported. */
  const seen = new Map<string, string>();
  let closed = false;

  const check = (name: string) => {
    // conmon's temp files are "<id>.XXXXXX"; ids never contain a dot.
    if (closed || name.includes('.')) return;
    const file = path.join(dir, name);
    fs.readFile(file, 'utf8', (err, text) => {
      if (closed) return;
      if (err) {
        if (err.code === 'ENOENT') seen.delete(name);
        return;
      }
      const code = Number.parseInt(text.trim(), 10);
      if (Number.isNaN(code)) return;
      fs.stat(file, (statErr, st) => {
        if (closed || statErr) return;
        const identity = `${st.ino}:${st.mtimeMs}`;
        if (seen.get(name) === identity) return;
        seen.set(name, identity);
        onExit(name, code, st.mtime); // conmon wrote the file as the process exited
      });
    });
  };

  const scan = () => {
    fs.readdir(dir, (err, names) => {
      if (closed || err) return;
      const present = new Set(names);
      for (const id of seen.keys()) if (!present.has(id)) seen.delete(id);
      for (const name of names) check(name);
    });
  };

  let watcher: fs.FSWatcher | undefined;
  const startWatch = () => {
    try {
      watcher = fs.watch(dir, (_event, filename) => {
        if (filename) check(filename.toString());
        else scan();
      });
      watcher.on('error', () => {
        watcher?.close();
        watcher = undefined;
      });
    } catch {
      watcher = undefined;
    }
  };

  startWatch();
  scan();
  const timer = setInterval(() => {
    if (!watcher) startWatch();
    scan();
  }, opts.rescanMs ?? 2000);
  timer.unref();

  return {
    close() {
      closed = true;
      clearInterval(timer);
      watcher?.close();
    },
  };
}
