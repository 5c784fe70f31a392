/**
 * A tiny DNS server on 127.0.0.1 (random port, node:dgram) for the setup check's tests: it answers
 * A queries from a table — addresses, NXDOMAIN, SERVFAIL, or no answer at all (a timeout) — and
 * counts every query, so nothing in a test ever asks a real DNS server. RFC 1035 wire format.
 */
import dgram from 'node:dgram';

export type FakeRecord =
  | { readonly kind: 'a'; readonly addresses: readonly string[] }
  | { readonly kind: 'nxdomain' }
  | { readonly kind: 'servfail' }
  /** Never answers: the resolver times out. */
  | { readonly kind: 'silent' };

export interface FakeDns {
  /** `127.0.0.1:<port>`, for Resolver.setServers / `--dns-server`. */
  readonly server: string;
  /** Names asked, in order (lower case). */
  readonly queries: string[];
  /** The table; names not in it are NXDOMAIN. Change it at will between queries. */
  readonly records: Map<string, FakeRecord>;
  close(): Promise<void>;
}

const QTYPE_A = 1;
const QCLASS_IN = 1;

/** The question's name and where the question ends; undefined for a malformed query. */
function readQuestion(query: Buffer): { name: string; end: number; qtype: number } | undefined {
  let offset = 12;
  const labels: string[] = [];
  while (offset < query.length) {
    const length = query[offset] as number;
    if (length === 0) {
      offset++;
      if (offset + 4 > query.length) return undefined;
      return { name: labels.join('.').toLowerCase(), end: offset + 4, qtype: query.readUInt16BE(offset) };
    }
    if (length > 63 || offset + 1 + length > query.length) return undefined;
    labels.push(query.toString('latin1', offset + 1, offset + 1 + length));
    offset += 1 + length;
  }
  return undefined;
}

function answer(query: Buffer, question: { end: number; qtype: number }, record: FakeRecord): Buffer {
  const rcode = record.kind === 'nxdomain' ? 3 : record.kind === 'servfail' ? 2 : 0;
  const addresses = record.kind === 'a' && question.qtype === QTYPE_A ? record.addresses : [];
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // the query's id
  // QR=1, opcode 0, RD copied from the query, RA=1, the rcode.
  header.writeUInt16BE(0x8000 | (((query[2] as number) & 0x01) << 8) | 0x0080 | rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(addresses.length, 6);
  const records = addresses.map((address) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    rr.writeUInt16BE(QTYPE_A, 2);
    rr.writeUInt16BE(QCLASS_IN, 4);
    rr.writeUInt32BE(60, 6);
    rr.writeUInt16BE(4, 10);
    address.split('.').forEach((octet, i) => rr.writeUInt8(Number(octet), 12 + i));
    return rr;
  });
  return Buffer.concat([header, query.subarray(12, question.end), ...records]);
}

export async function startFakeDns(records: Record<string, FakeRecord> = {}): Promise<FakeDns> {
  const socket = dgram.createSocket('udp4');
  const table = new Map(Object.entries(records).map(([name, record]) => [name.toLowerCase(), record]));
  const queries: string[] = [];
  socket.on('message', (query, peer) => {
    const question = query.length >= 12 ? readQuestion(query) : undefined;
    if (!question) return;
    queries.push(question.name);
    const record = table.get(question.name) ?? { kind: 'nxdomain' };
    if (record.kind === 'silent') return;
    socket.send(answer(query, question, record), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  return {
    server: `127.0.0.1:${port}`,
    queries,
    records: table,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
