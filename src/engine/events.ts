// The daemon's event stream (`docker events`): every lifecycle change is published here
// with Docker's names and attributes, kept in a bounded ring for `--since`, and fanned
// out to live subscribers.
export interface EngineEvent {
  Type: 'container' | 'image' | 'network' | 'volume' | 'daemon';
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  time: number;
  timeNano: number;
  // Pre-1.22 fields the docker CLI still reads for containers and images.
  status?: string;
  id?: string;
  from?: string;
}

const RING_SIZE = 1024;

export class EventBus {
  private ring: EngineEvent[] = [];
  private subscribers = new Set<(e: EngineEvent) => void>();

  publish(type: EngineEvent['Type'], action: string, id: string, attributes: Record<string, string> = {}): void {
    const nowNs = BigInt(Date.now()) * 1_000_000n + process.hrtime.bigint() % 1_000_000n;
    const event: EngineEvent = {
      Type: type,
      Action: action,
      Actor: { ID: id, Attributes: attributes },
      scope: 'local',
      time: Number(nowNs / 1_000_000_000n),
      timeNano: Number(nowNs),
    };
    if (type === 'container' || type === 'image') {
      event.status = action;
      event.id = id;
      if (attributes.image) event.from = attributes.image;
    }
    this.ring.push(event);
    if (this.ring.length > RING_SIZE) this.ring.shift();
    for (const s of this.subscribers) s(event);
  }

  /** Past events (oldest first) and a subscription to new ones; call the returned function to stop. */
  subscribe(onEvent: (e: EngineEvent) => void): { past: EngineEvent[]; unsubscribe: () => void } {
    this.subscribers.add(onEvent);
    return { past: [...this.ring], unsubscribe: () => this.subscribers.delete(onEvent) };
  }
}
