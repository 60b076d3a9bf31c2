// How compose operations report what they do: Compose v2's plain progress lines
// (` Container demo-web-1  Started`), written by the CLI to stderr.
export type ResourceKind = 'Container' | 'Network' | 'Volume' | 'Image' | 'Service';

export interface Progress {
  event(kind: ResourceKind, name: string, status: string): void;
  /** Build output and warnings. */
  note(text: string): void;
}

export const silent: Progress = { event: () => undefined, note: () => undefined };
