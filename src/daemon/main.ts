// wharfd: loads its config, wires the engine, serves the Engine API on the unix socket.
// SIGTERM/SIGINT stop serving; containers keep running under conmon (live restore).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { loadDaemonConfig, socketPath } from './config.js';
import { wire } from './wire.js';

function logLine(level: string, message: string): void {
  process.stderr.write(`${new Date().toISOString()} ${level} ${message}\n`);
}

async function main(): Promise<void> {
  const config = loadDaemonConfig(process.argv.slice(2));
  const log = {
    error: (message: string, err?: unknown) => logLine('error', `${message}${err ? `: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}` : ''}`),
    debug: config.debug ? (message: string) => logLine('debug', message) : undefined,
  };
  const sock = socketPath(config.host);
  const { engine, server } = await wire(config, log);
  await fs.mkdir(path.dirname(sock), { recursive: true });
  await fs.rm(sock, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(sock, () => resolve());
  });
  await fs.chmod(sock, 0o660);
  await fs.writeFile(path.join(config.execRoot, 'wharfd.pid'), `${process.pid}\n`);
  logLine('info', `wharfd ${process.pid} serving on unix://${sock} (data root ${config.dataRoot})`);

  const shutdown = (signal: string) => {
    logLine('info', `${signal}: shutting down; containers keep running`);
    engine.close();
    server.close();
    server.closeAllConnections();
    void fs.rm(sock, { force: true }).finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // A bug in one request must not take the daemon (and every client) down with it.
  process.on('uncaughtException', (err) => log.error('uncaught exception', err));
  process.on('unhandledRejection', (err) => log.error('unhandled rejection', err));
}

main().catch((err) => {
  logLine('fatal', err instanceof Error ? err.message : String(err));
  process.exit(1);
});
