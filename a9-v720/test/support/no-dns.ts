/**
 * A DNS server address where nothing listens (127.0.0.1:9): the setup check of a server a test
 * starts asks it and gets "connection refused" at once, instead of asking a real DNS server.
 * Tests of the DNS check itself use a fake DNS server (fake-dns.ts).
 */
export const NO_DNS = '127.0.0.1:9';
