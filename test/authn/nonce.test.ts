import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { ConfigError } from '../../src/errors.js';
import {
  createMemoryNonceCountStore,
  createNonceService,
  digestChallenges,
  digestUriMatches,
  MAX_COUNTS_PER_NONCE,
  NONCE_CLOCK_SKEW_MS,
  parseDigest,
  verifyDigestResponse,
} from '../../src/authn/digest.js';
import type { NonceCountStore } from '../../src/authn/digest.js';

const SECRET = new Uint8Array(32).fill(7);
const REALM = 'Staff only';
const T0 = 1_700_000_000_000;

/** A clock the test moves by hand. */
function clock(start = T0): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

function service(now: () => number, lifetimeS = 300, store?: NonceCountStore) {
  return createNonceService({ secret: SECRET, lifetimeS, now, ...(store === undefined ? {} : { store }) });
}

/** Replaces the character at `i` with another base64url character. */
function flip(nonce: string, i: number): string {
  const c = nonce[i] === 'A' ? 'B' : 'A';
  return nonce.slice(0, i) + c + nonce.slice(i + 1);
}

test('an issued nonce is valid for its realm', () => {
  const c = clock();
  const nonces = service(c.now);
  assert.equal(nonces.check(nonces.issue(REALM), REALM), 'valid');
});

test('a nonce uses only characters that need no escaping in a quoted-string', () => {
  const nonce = service(Date.now).issue(REALM);
  assert.match(nonce, /^[A-Za-z0-9_-]+$/);
});

test('two nonces issued at the same instant differ', () => {
  const nonces = service(clock().now);
  assert.notEqual(nonces.issue(REALM), nonces.issue(REALM));
});

test('a nonce stays valid up to its lifetime and is stale after it', () => {
  const c = clock();
  const nonces = service(c.now, 300);
  const nonce = nonces.issue(REALM);
  c.advance(300_000);
  assert.equal(nonces.check(nonce, REALM), 'valid');
  c.advance(1);
  assert.equal(nonces.check(nonce, REALM), 'stale');
  c.advance(86_400_000);
  assert.equal(nonces.check(nonce, REALM), 'stale');
});

test('a nonce from another realm is invalid', () => {
  const nonces = service(clock().now);
  assert.equal(nonces.check(nonces.issue('Other'), REALM), 'invalid');
  assert.equal(nonces.check(nonces.issue(`${REALM} `), REALM), 'invalid');
});

test('a forged nonce is invalid', () => {
  const nonces = service(clock().now);
  const nonce = nonces.issue(REALM);
  for (const i of [0, 5, 10, 20, 40, nonce.length - 2]) assert.equal(nonces.check(flip(nonce, i), REALM), 'invalid', String(i));
});

test('a nonce signed with another secret is invalid', () => {
  const c = clock();
  const other = createNonceService({ secret: new Uint8Array(32).fill(8), lifetimeS: 300, now: c.now });
  assert.equal(service(c.now).check(other.issue(REALM), REALM), 'invalid');
});

test('a nonce moved to a later issue time is invalid', () => {
  const c = clock();
  const nonces = service(c.now);
  const bytes = Buffer.from(nonces.issue(REALM), 'base64url');
  bytes.writeBigUInt64BE(BigInt(T0 + 1000), 0);
  c.advance(1000);
  assert.equal(nonces.check(bytes.toString('base64url'), REALM), 'invalid');
});

test('a garbled, truncated, padded or empty nonce is invalid', () => {
  const nonces = service(clock().now);
  const nonce = nonces.issue(REALM);
  for (const bad of ['', 'abc', nonce.slice(1), `${nonce}A`, `${nonce}=`, nonce.replace(/[A-Za-z]/, '+'), ` ${nonce}`, randomBytes(56).toString('base64url')]) {
    assert.equal(nonces.check(bad, REALM), 'invalid', bad);
  }
});

test('a non-canonical spelling of a genuine nonce is invalid', () => {
  const nonces = service(clock().now);
  const nonce = nonces.issue(REALM);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(nonce.at(-1) ?? '');
  // 56 bytes leave 2 spare bits in the last character; setting one decodes to the same bytes.
  const variant = nonce.slice(0, -1) + alphabet[last | 1];
  assert.deepEqual(Buffer.from(variant, 'base64url'), Buffer.from(nonce, 'base64url'));
  assert.equal(nonces.check(variant, REALM), 'invalid');
});

test('a nonce issued within the clock skew in the future is valid', () => {
  const c = clock();
  const nonces = service(c.now);
  c.advance(NONCE_CLOCK_SKEW_MS);
  const nonce = nonces.issue(REALM);
  c.advance(-NONCE_CLOCK_SKEW_MS);
  assert.equal(nonces.check(nonce, REALM), 'valid');
});

test('a nonce issued further in the future than the clock skew is invalid', () => {
  const c = clock();
  const nonces = service(c.now);
  c.advance(NONCE_CLOCK_SKEW_MS + 1);
  const nonce = nonces.issue(REALM);
  c.advance(-(NONCE_CLOCK_SKEW_MS + 1));
  assert.equal(nonces.check(nonce, REALM), 'invalid');
});

test('a nonce count is accepted once and a replayed one is refused', async () => {
  const nonces = service(clock().now);
  const nonce = nonces.issue(REALM);
  assert.equal(await nonces.useCount(nonce, 1), true);
  assert.equal(await nonces.useCount(nonce, 1), false);
  assert.equal(await nonces.useCount(nonce, 2), true);
  assert.equal(await nonces.useCount(nonce, 2), false);
});

test('counts may arrive out of order, as from parallel requests', async () => {
  const nonces = service(clock().now);
  const nonce = nonces.issue(REALM);
  assert.equal(await nonces.useCount(nonce, 3), true);
  assert.equal(await nonces.useCount(nonce, 1), true);
  assert.equal(await nonces.useCount(nonce, 2), true);
  assert.equal(await nonces.useCount(nonce, 3), false);
});

test('counts of different nonces are independent', async () => {
  const nonces = service(clock().now);
  const a = nonces.issue(REALM);
  const b = nonces.issue(REALM);
  assert.equal(await nonces.useCount(a, 1), true);
  assert.equal(await nonces.useCount(b, 1), true);
});

test('a count on an expired nonce is refused', async () => {
  const c = clock();
  const nonces = service(c.now, 60);
  const nonce = nonces.issue(REALM);
  c.advance(60_001);
  assert.equal(await nonces.useCount(nonce, 1), false);
});

test('a count on a garbled nonce, or a count out of range, is refused', async () => {
  const nonces = service(clock().now);
  const nonce = nonces.issue(REALM);
  assert.equal(await nonces.useCount('garbage', 1), false);
  for (const nc of [0, -1, 1.5, Number.NaN, 0x1_0000_0000]) assert.equal(await nonces.useCount(nonce, nc), false, String(nc));
  assert.equal(await nonces.useCount(nonce, 0xffffffff), true);
});

test(`a nonce accepts at most ${MAX_COUNTS_PER_NONCE} counts`, async () => {
  const nonces = service(clock().now);
  const nonce = nonces.issue(REALM);
  for (let nc = 1; nc <= MAX_COUNTS_PER_NONCE; nc += 1) assert.equal(await nonces.useCount(nonce, nc), true);
  assert.equal(await nonces.useCount(nonce, MAX_COUNTS_PER_NONCE + 1), false);
});

test('the nonce service passes the nonce expiry to a pluggable store', async () => {
  const calls: [string, number, number][] = [];
  const store: NonceCountStore = {
    async markUsed(nonce, nc, expiresAtMs) {
      calls.push([nonce, nc, expiresAtMs]);
      return true;
    },
  };
  const nonces = service(clock().now, 120, store);
  const nonce = nonces.issue(REALM);
  assert.equal(await nonces.useCount(nonce, 5), true);
  assert.deepEqual(calls, [[nonce, 5, T0 + 120_000]]);
});

test('the nonce service refuses a secret shorter than 16 bytes', () => {
  assert.throws(() => createNonceService({ secret: new Uint8Array(15), lifetimeS: 300 }), { code: ConfigError.code });
});

test('the nonce service refuses a lifetime that is not a positive number', () => {
  for (const lifetimeS of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => createNonceService({ secret: SECRET, lifetimeS }), { code: ConfigError.code }, String(lifetimeS));
  }
});

test('changing the secret array after creation does not change the key', () => {
  const secret = new Uint8Array(32).fill(1);
  const nonces = createNonceService({ secret, lifetimeS: 300, now: clock().now });
  const nonce = nonces.issue(REALM);
  secret.fill(2);
  assert.equal(nonces.check(nonce, REALM), 'valid');
});

test('the memory store reports a first use once per nonce and count', async () => {
  const store = createMemoryNonceCountStore({ now: clock().now });
  assert.equal(await store.markUsed('n', 1, T0 + 1000), true);
  assert.equal(await store.markUsed('n', 1, T0 + 1000), false);
  assert.equal(await store.markUsed('m', 1, T0 + 1000), true);
  assert.equal(store.size, 2);
});

test('the memory store refuses an already expired nonce', async () => {
  const store = createMemoryNonceCountStore({ now: clock().now });
  assert.equal(await store.markUsed('n', 1, T0 - 1), false);
  assert.equal(store.size, 0);
});

test('the memory store prunes expired nonces', async () => {
  const c = clock();
  const store = createMemoryNonceCountStore({ now: c.now });
  await store.markUsed('a', 1, T0 + 1000);
  await store.markUsed('b', 1, T0 + 200_000);
  c.advance(120_000);
  await store.markUsed('c', 1, T0 + 300_000);
  assert.equal(store.size, 2);
  assert.equal(await store.markUsed('b', 1, T0 + 200_000), false);
});

test('the memory store evicts the oldest nonce when full', async () => {
  const store = createMemoryNonceCountStore({ now: clock().now, maxNonces: 2 });
  await store.markUsed('a', 1, T0 + 1000);
  await store.markUsed('b', 1, T0 + 2000);
  await store.markUsed('c', 1, T0 + 3000);
  assert.equal(store.size, 2);
  assert.equal(await store.markUsed('b', 1, T0 + 2000), false);
  assert.equal(await store.markUsed('c', 1, T0 + 3000), false);
});

test('an evicted nonce, and any expiring no later, is refused rather than replayable', async () => {
  const store = createMemoryNonceCountStore({ now: clock().now, maxNonces: 1 });
  await store.markUsed('a', 1, T0 + 2000);
  await store.markUsed('b', 1, T0 + 3000);
  assert.equal(await store.markUsed('a', 1, T0 + 2000), false);
  assert.equal(await store.markUsed('a', 2, T0 + 2000), false);
  assert.equal(await store.markUsed('older', 1, T0 + 1000), false);
  assert.equal(await store.markUsed('newer', 1, T0 + 4000), true);
});

test('the memory store evicts the oldest nonces when the total of counts is exceeded', async () => {
  const store = createMemoryNonceCountStore({ now: clock().now, maxCounts: 3 });
  await store.markUsed('a', 1, T0 + 1000);
  await store.markUsed('a', 2, T0 + 1000);
  await store.markUsed('b', 1, T0 + 2000);
  assert.equal(await store.markUsed('b', 2, T0 + 2000), true);
  assert.equal(store.size, 1);
  assert.equal(await store.markUsed('a', 3, T0 + 1000), false);
  assert.equal(await store.markUsed('b', 2, T0 + 2000), false);
});

test('the memory store refuses limits that are not positive integers', () => {
  for (const maxNonces of [0, -1, 1.5, Number.NaN]) {
    assert.throws(() => createMemoryNonceCountStore({ maxNonces }), { code: ConfigError.code }, String(maxNonces));
  }
  assert.throws(() => createMemoryNonceCountStore({ maxCounts: 0 }), { code: ConfigError.code });
});

/** What a client does with a challenge (RFC 7616 §3.4.1), written independently of src/. */
function clientAuthorization(challenge: string, user: string, password: string, method: string, uri: string, nc: string): string {
  const get = (name: string): string => new RegExp(`${name}="?([^",]*)"?`).exec(challenge)?.[1] ?? '';
  const algorithm = get('algorithm');
  const h = (s: string): string => createHash(algorithm === 'SHA-256' ? 'sha256' : 'md5').update(s).digest('hex');
  const realm = get('realm');
  const nonce = get('nonce');
  const cnonce = randomBytes(12).toString('base64');
  const response = h(`${h(`${user}:${realm}:${password}`)}:${nonce}:${nc}:${cnonce}:auth:${h(`${method}:${uri}`)}`);
  return `Digest username="${user}", realm="${realm}", uri="${uri}", algorithm=${algorithm}, nonce="${nonce}", nc=${nc}, cnonce="${cnonce}", qop=auth, response="${response}"`;
}

test('a full round trip: issue a nonce, the client answers, the server verifies, a replay is refused', async () => {
  const c = clock();
  const nonces = service(c.now);
  const ha1 = createHash('sha256').update(`alice:${REALM}:s3cret`).digest('hex');
  const [challenge] = digestChallenges({ realm: REALM, algorithms: ['SHA-256', 'MD5'], nonce: nonces.issue(REALM), stale: false });
  assert.ok(challenge !== undefined);

  const authorization = clientAuthorization(challenge, 'alice', 's3cret', 'GET', '/private?x=1', '00000001');
  const creds = parseDigest(authorization);
  assert.ok(creds !== undefined);
  assert.equal(creds.realm, REALM);
  assert.equal(creds.algorithm, 'SHA-256');
  assert.equal(digestUriMatches(creds.uri, '/private?x=1'), true);
  assert.equal(nonces.check(creds.nonce, REALM), 'valid');
  assert.equal(verifyDigestResponse(creds, 'GET', ha1), true);
  assert.equal(await nonces.useCount(creds.nonce, creds.ncValue), true);

  assert.equal(await nonces.useCount(creds.nonce, creds.ncValue), false);

  const next = parseDigest(clientAuthorization(challenge, 'alice', 's3cret', 'GET', '/private?x=1', '00000002'));
  assert.ok(next !== undefined);
  assert.equal(verifyDigestResponse(next, 'GET', ha1), true);
  assert.equal(await nonces.useCount(next.nonce, next.ncValue), true);
});

test('a round trip with a wrong password does not verify', () => {
  const nonces = service(clock().now);
  const [challenge] = digestChallenges({ realm: REALM, algorithms: ['MD5'], nonce: nonces.issue(REALM), stale: false });
  assert.ok(challenge !== undefined);
  const creds = parseDigest(clientAuthorization(challenge, 'alice', 'wrong', 'GET', '/', '00000001'));
  assert.ok(creds !== undefined);
  const ha1 = createHash('md5').update(`alice:${REALM}:s3cret`).digest('hex');
  assert.equal(verifyDigestResponse(creds, 'GET', ha1), false);
});

test('a round trip after the nonce lifetime yields a stale nonce with a good response', () => {
  const c = clock();
  const nonces = service(c.now, 10);
  const [challenge] = digestChallenges({ realm: REALM, algorithms: ['MD5'], nonce: nonces.issue(REALM), stale: false });
  assert.ok(challenge !== undefined);
  const creds = parseDigest(clientAuthorization(challenge, 'alice', 's3cret', 'GET', '/', '00000001'));
  assert.ok(creds !== undefined);
  c.advance(10_001);
  assert.equal(nonces.check(creds.nonce, REALM), 'stale');
  assert.equal(verifyDigestResponse(creds, 'GET', createHash('md5').update(`alice:${REALM}:s3cret`).digest('hex')), true);
});
