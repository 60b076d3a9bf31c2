// Embedded DNS for user-defined networks: one DnsServer per network, fed by the engine.
export { DnsServer, type DnsServerOptions } from './server.js';
export { type DnsRecord, reverseName } from './records.js';
export { type Upstream } from './upstream.js';
export { RECORD_TTL } from './answer.js';
