import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LegacyDecoder, LegacyFramingError } from '../../../relay/legacy/gateway/decoder.js';
import { isSendRequest, readLegacyRequest } from '../../../relay/legacy/gateway/request.js';
import { readLegacyAmount } from '../../../relay/legacy/gateway/amount.js';
import { bankTable, historyTable, loginReply, shortAmount } from '../../../relay/legacy/gateway/texts.js';
import { readProxyHeader } from '../../../relay/legacy/gateway/proxy-header.js';
import { aliasDirectory } from '../../../relay/legacy/gateway/directory.js';
import { encodeRequest, qtRequestText, xor } from '../../helpers/legacy.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('the test encoder against LEGACY-PROTOCOL §1.3', () => {
  it('vector 1: Login ["David_hector","pa55word!"] is 177 bytes with the spec\'s first bytes and SHA-256', () => {
    const plain = qtRequestText('Login', ['David_hector', 'pa55word!']);
    expect(plain).toBe(
      '{\n    "Size": 22,\n    "Type": "Request Message",\n    "args": [\n        "David_hector",\n        "pa55word!"\n    ],\n    "command": "Login",\n    "data": "David_hector pa55word!"\n}\n',
    );
    const ct = encodeRequest('Login', ['David_hector', 'pa55word!']);
    expect(ct.length).toBe(177);
    expect(ct.subarray(0, 24).toString('hex')).toBe('086f435552456936104b57110e150405147945435552471f');
    expect(sha256(ct)).toBe('6a62f70900f5a5298b5d3d0c0051715c68c9f9942f87d33dfd863bce64a104a6');
  });

  it('vector 2: ViewAccountbalance ["ACC1003"] is 148 bytes with the spec\'s SHA-256', () => {
    const ct = encodeRequest('ViewAccountbalance', ['ACC1003']);
    expect(ct.length).toBe(148);
    expect(sha256(ct)).toBe('137f987b217cefd7f449e501e59a2c41f42e51ade46957451d940b8fe84ee1ef');
  });
});

describe('the streaming decoder', () => {
  const decode = (d: LegacyDecoder, chunk: Uint8Array) => d.push(chunk, isSendRequest).map((i) => (i.kind === 'request' ? readLegacyRequest(i.plaintext) : i.kind));

  it('finds two requests in one chunk, each decrypted from key offset 0', () => {
    const both = Buffer.concat([encodeRequest('Login', ['a', 'b']), encodeRequest('ViewAccountbalance', ['x'])]);
    expect(decode(new LegacyDecoder(), both)).toEqual([
      { command: 'Login', args: ['a', 'b'], sizeOk: true },
      { command: 'ViewAccountbalance', args: ['x'], sizeOk: true },
    ]);
  });

  it('joins a request split over any number of chunks, byte by byte included', () => {
    const ct = encodeRequest('TransferAmount', ['A {"}', 'B\\"[', '1']);
    const d = new LegacyDecoder();
    const out: unknown[] = [];
    for (const byte of ct) out.push(...decode(d, Buffer.from([byte])));
    expect(out).toEqual([{ command: 'TransferAmount', args: ['A {"}', 'B\\"['], sizeOk: false }].map((r) => ({ ...r, args: ['A {"}', 'B\\"[', '1'], sizeOk: true })));
    expect(d.partial).toBe(false);
  });

  it('a request without its final newline, then the next one', () => {
    const a = xor(Buffer.from('{"command":"Login","args":["a","b"]}'));
    const b = encodeRequest('ViewAccountbalance', ['x']);
    const d = new LegacyDecoder();
    expect(decode(d, a)).toHaveLength(1);
    expect(decode(d, b)).toEqual([{ command: 'ViewAccountbalance', args: ['x'], sizeOk: true }]);
  });

  it('discards the "Send" box\'s 32-byte SHA-256 trailer, even when it arrives in pieces', () => {
    const text = 'hello there';
    const ct = encodeRequest('', [], { data: text });
    const trailer = createHash('sha256').update(ct).digest();
    const d = new LegacyDecoder();
    expect(decode(d, Buffer.concat([ct, trailer.subarray(0, 5)]))).toEqual([{ command: '', args: [], sizeOk: true }]);
    expect(decode(d, trailer.subarray(5))).toEqual([]);
    expect(decode(d, encodeRequest('ViewAccountbalance', ['x']))).toEqual([{ command: 'ViewAccountbalance', args: ['x'], sizeOk: true }]);
  });

  it('answers garbage once per chunk and drops it', () => {
    const d = new LegacyDecoder();
    expect(decode(d, Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toEqual(['garbage']);
    expect(decode(d, encodeRequest('Login', ['a', 'b']))).toHaveLength(1);
  });

  it('refuses a request that grows past the limit', () => {
    const d = new LegacyDecoder(1024);
    expect(() => d.push(xor(Buffer.from(`{"data":"${'a'.repeat(2000)}`)), isSendRequest)).toThrow(LegacyFramingError);
  });
});

describe('reading a request as the old server did', () => {
  it('garbage JSON, non-objects and wrong types read as an empty object', () => {
    expect(readLegacyRequest(Buffer.from('{nope'))).toEqual({ command: '', args: [], sizeOk: true });
    expect(readLegacyRequest(Buffer.from('[1,2]'))).toEqual({ command: '', args: [], sizeOk: true });
    expect(readLegacyRequest(Buffer.from('{"command":"Login","args":[1,"x",null]}'))).toEqual({ command: 'Login', args: ['', 'x', ''], sizeOk: true });
  });

  it('Size counts UTF-16 code units of data', () => {
    expect(readLegacyRequest(Buffer.from(JSON.stringify({ Size: 2, data: '😀' }))).sizeOk).toBe(true);
    expect(readLegacyRequest(Buffer.from(JSON.stringify({ Size: 1, data: '😀' }))).sizeOk).toBe(false);
  });
});

describe('amounts, numbers and tables', () => {
  it('accepts only plain decimals with up to 2 places', () => {
    expect(readLegacyAmount('12.5')).toEqual({ ok: true, minor: 1250 });
    expect(readLegacyAmount('-96')).toEqual({ ok: true, minor: -9600 });
    for (const bad of ['abc', '1e3', 'nan', 'inf', ' 5', '1.234', '', '.5']) expect(readLegacyAmount(bad).ok, bad).toBe(false);
  });

  it('shows balances as %g does for everyday values, but exactly', () => {
    expect(shortAmount(379600)).toBe('3796');
    expect(shortAmount(49050)).toBe('490.5');
    expect(shortAmount(123456789)).toBe('1234567.89');
    expect(shortAmount(0)).toBe('0');
  });

  it('lays out the tables and the Login reply byte for byte', () => {
    expect(loginReply(true, false, 'David_hector successfully logged in as user.')).toBe(
      '{\n    "isAdmin": false,\n    "message": "David_hector successfully logged in as user.",\n    "pass": true\n}\n',
    );
    expect(historyTable([{ date: '2024-12-27', amount: 300000 }, { date: '2024-12-06', amount: 200000 }])).toBe(
      'Date                  | Amount               \n------------------|------------------\n2024-12-27      | 3000.00        \n2024-12-06      | 2000.00        \n',
    );
    const table = bankTable([{ name: 'David_hector', account: 'ACC1003', balance: 379600, loggedIn: false, transactions: [{ date: '2024-12-27', amount: 300000, id: '1288266476' }] }]);
    expect(table.endsWith('David_hector   ********       ACC1003                3796.00             No\n  Transactions:\n    - Date: 2024-12-27, Amount: 3000.00, Transaction Id 1288266476\n\n')).toBe(true);
    expect(table.startsWith('Users Table:\nUsername       Password       Account Number         Balance   Is Logged InTransactions\n' + '-'.repeat(80) + '\n')).toBe(true);
  });
});

describe('PROXY protocol v1', () => {
  it('reads the forwarded client address', () => {
    expect(readProxyHeader(Buffer.from('PROXY TCP4 10.1.2.3 10.0.0.1 5555 9000\r\nrest'))).toEqual({ kind: 'ok', address: '10.1.2.3', consumed: 40 });
    expect(readProxyHeader(Buffer.from('PROXY UNKNOWN\r\n'))).toEqual({ kind: 'ok', address: undefined, consumed: 15 });
    expect(readProxyHeader(Buffer.from('PROXY TCP4 10.1'))).toEqual({ kind: 'more' });
    expect(readProxyHeader(Buffer.from('GET / HTTP/1.1\r\n'))).toEqual({ kind: 'bad' });
    expect(readProxyHeader(Buffer.from('PROXY TCP4 nope 10.0.0.1 1 2\r\n'))).toEqual({ kind: 'bad' });
  });
});

describe('the alias directory', () => {
  it('maps old numbers and names exactly, and shows them back', async () => {
    const aliases = {
      byLegacyUsername: async (n: string) => (n === 'David_hector' ? { username: 'david_hector' } : undefined),
      byLegacyAccount: async (a: string) => (a === 'ACC1003' ? { username: 'david_hector' } : undefined),
      byUsername: async (u: string) => (u === 'david_hector' ? { legacyUsername: 'David_hector', legacyAccount: 'ACC1003' } : undefined),
      // Recording new aliases (CreateNewUser) is the gateway suites' business: nothing here writes.
      reserve: async () => undefined,
      link: async () => undefined,
    };
    const ledger = {
      account: async (n: string) => (n === 'DB180000000001' ? { owner: 'david_hector' } : undefined),
      accountStatesOf: async (o: string) => (o === 'david_hector' ? [{ account: 'DB180000000001' }] : []),
    };
    const dir = aliasDirectory(aliases, ledger);
    expect(await dir.accountOf('ACC1003')).toBe('DB180000000001');
    expect(await dir.accountOf('acc1003')).toBeUndefined();
    expect(await dir.accountOf('db18 0000 0000 01')).toBe('DB180000000001');
    expect(await dir.userOf('David_hector')).toBe('david_hector');
    expect(await dir.shownAccount('DB180000000001')).toBe('ACC1003');
    expect(await dir.shownUser('david_hector')).toBe('David_hector');
  });
});
