// What the server says by itself, without asking anyone: answers from the record table,
// and the error replies for queries it will not handle. Pure functions over packets.
import type { Answer, DecodedPacket, Packet, Question } from 'dns-packet';
import type { RecordTable } from './records.js';

/**
 * Docker's embedded resolver answers with TTL 600 (libnetwork resolver.go `respTTL`);
 * aardvark-dns uses 60. We follow Docker: clients that cache (most libcs don't) may keep a
 * stale address for up to 10 minutes after a container is replaced, exactly as on Docker.
 */
export const RECORD_TTL = 600;

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

const RECURSION_DESIRED = 1 << 8;
const RECURSION_AVAILABLE = 1 << 7;
const AUTHORITATIVE = 1 << 10;

/** A reply that echoes the query's ID, question and RD bit, with the given rcode. */
export function reply(query: Packet, rcode: number, answers: Answer[] = [], extraFlags = 0): Packet {
  return {
    type: 'response',
    id: query.id,
    flags: ((query.flags ?? 0) & RECURSION_DESIRED) | RECURSION_AVAILABLE | extraFlags | rcode,
    questions: query.questions,
    answers,
  };
}

/**
 * The local answer for a single-question query, or undefined when the name is not the
 * network's and the query must go to the upstream resolvers.
 * `rotation` picks where round-robin starts, so repeated lookups spread over an alias.
 */
export function answerLocally(query: DecodedPacket, table: RecordTable, rotation: number): Packet | undefined {
  const question = query.questions![0];
  if (question.class !== undefined && question.class !== 'IN' && question.class !== 'ANY') return undefined;
  if (question.type === 'PTR') {
    const names = table.reverse(question.name);
    if (!names) return undefined;
    return reply(query, RCODE.NOERROR, names.map((data) => record(question, 'PTR', data)), AUTHORITATIVE);
  }
  const known = table.lookup(question.name);
  if (!known) return undefined;
  // The name is ours: any type we have no data for is NODATA (NOERROR, no answers), not
  // NXDOMAIN, so a resolver asking A and AAAA in parallel keeps the A answer.
  const answers: Answer[] = [];
  if (question.type === 'A' || (question.type as string) === 'ANY') {
    for (const ip of rotate(known.ipv4, rotation)) answers.push(record(question, 'A', ip));
  }
  if (question.type === 'AAAA' || (question.type as string) === 'ANY') {
    for (const ip of rotate(known.ipv6, rotation)) answers.push(record(question, 'AAAA', ip));
  }
  return reply(query, RCODE.NOERROR, answers, AUTHORITATIVE);
}

function record(question: Question, type: 'A' | 'AAAA' | 'PTR', data: string): Answer {
  // The owner name echoes the question's spelling: resolvers using 0x20 case
  // randomisation reject answers whose case differs.
  return { type, class: 'IN', name: question.name, ttl: RECORD_TTL, data };
}

function rotate<T>(list: readonly T[], by: number): T[] {
  if (list.length < 2) return [...list];
  const start = by % list.length;
  return [...list.slice(start), ...list.slice(0, start)];
}
