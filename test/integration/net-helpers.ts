// Small pieces the network, seed and compose tests share: a free host port, an HTTP GET that
// gives up, and polling until something answers.
import net from 'node:net';

/** A TCP port free on `host` right now (the kernel's choice). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, host, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** The body of an HTTP GET (IPv6 hosts bracketed); fails after 5 s. */
export async function httpGet(host: string, port: number, path = '/index.html'): Promise<string> {
  const res = await fetch(`http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`, { signal: AbortSignal.timeout(5000) });
  return res.text();
}

/** Polls until `fn` stops throwing (a server in a container takes a moment to listen). */
export async function eventually<T>(fn: () => Promise<T>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
