// --sig-proxy: signals we receive go to the container (docker's ForwardAllSignals, for
// the signals a terminal user sends).
const PROXIED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

export function proxySignals(kill: (signal: string) => Promise<void>): () => void {
  const handlers = PROXIED.map((sig) => {
    const h = (): void => { kill(sig).catch(() => undefined); };
    process.on(sig, h);
    return [sig, h] as const;
  });
  return () => { for (const [sig, h] of handlers) process.off(sig, h); };
}
