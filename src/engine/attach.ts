// Clients attached to a container's stdio. A client may attach before the container
// starts (as `docker run` does); it waits here until start connects it to conmon's attach
// socket, between `runc create` and `runc start`, so not a byte of output is missed.
import type { Duplex } from 'node:stream';
import type { AttachSession, Runtime } from '../runtime/types.js';
import { frame } from './stdio-frames.js';

export interface AttachClient {
  socket: Duplex;
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  /** Close the container's stdin when this client's input ends (docker run -i: StdinOnce). */
  stdinOnce: boolean;
}

export class AttachHub {
  private pending = new Map<string, Set<AttachClient>>();

  constructor(private readonly runtime: Runtime) {}

  waitForStart(id: string, client: AttachClient): void {
    let set = this.pending.get(id);
    if (!set) this.pending.set(id, (set = new Set()));
    set.add(client);
    client.socket.once('close', () => set!.delete(client));
  }

  /** Connects clients that attached before start; called once the container is created. */
  async connectPending(id: string, bundleDir: string): Promise<void> {
    const clients = this.pending.get(id);
    this.pending.delete(id);
    if (!clients) return;
    await Promise.all([...clients].map((c) => this.connect(bundleDir, c)));
  }

  /** Ends clients still waiting for a start that failed or will not come (rm, start error). */
  dropPending(id: string): void {
    for (const c of this.pending.get(id) ?? []) c.socket.end();
    this.pending.delete(id);
  }

  async connect(bundleDir: string, client: AttachClient): Promise<void> {
    let session: AttachSession;
    try {
      session = await this.runtime.attach(bundleDir);
    } catch {
      client.socket.end();
      return;
    }
    pipe(session, client);
  }
}

/**
 * Joins an attach session (or exec session) to a hijacked client connection. `onEnd`
 * runs when the output ends; by default it closes the connection.
 */
export function pipe(session: AttachSession, client: AttachClient, onEnd: () => void = () => client.socket.end()): void {
  const { socket } = client;
  session.onOutput((stream, data) => {
    if (!socket.writable) return;
    if (stream === 'stdout' && !client.stdout) return;
    if (stream === 'stderr' && !client.stderr) return;
    socket.write(client.tty ? data : frame(stream, data));
  });
  session.onEnd(onEnd);
  if (client.stdin) {
    socket.on('data', (chunk: Buffer) => session.writeStdin(chunk));
    socket.resume(); // reading the request body may have paused it
    socket.on('end', () => {
      if (client.stdinOnce) session.closeStdin();
    });
    // The client may have half-closed already (`docker exec -i c cat </dev/null` sends EOF
    // while the exec is still starting): 'end' fired before we listened.
    if (socket.readableEnded && client.stdinOnce) session.closeStdin();
  }
  socket.on('close', () => session.close());
}
