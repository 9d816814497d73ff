import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResponseReader } from '../../src/gateway/response-reader.js';

interface Read {
  status?: number;
  message?: string;
  headers?: string[];
  body: string;
  ended: boolean | null;
  error: string | null;
}

/** Feeds `wire` in pieces of `step` bytes (1: byte by byte) and records what the reader saw. */
function read(wire: string, o: { step?: number; head?: boolean; close?: boolean } = {}): Read {
  const out: Read = { body: '', ended: null, error: null };
  const r = new ResponseReader(
    {
      head: (status, message, headers) => Object.assign(out, { status, message, headers }),
      body: (chunk) => (out.body += chunk.toString('latin1')),
      end: (reusable) => (out.ended = reusable),
      error: (err) => (out.error = err.message),
    },
    o.head ?? false,
  );
  const bytes = Buffer.from(wire, 'latin1');
  const step = o.step ?? bytes.length;
  for (let i = 0; i < bytes.length; i += step) r.push(bytes.subarray(i, i + step));
  if (o.close === true) r.finish();
  return out;
}

test('a Content-Length body is read whole, byte by byte too, and the connection stays reusable', () => {
  const wire = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello';
  for (const step of [1, 3, 1000]) {
    const r = read(wire, { step });
    assert.deepEqual([r.status, r.message, r.headers, r.body, r.ended], [200, 'OK', ['Content-Length', '5', 'X-A', '1'], 'hello', true]);
  }
});

test('a chunked body is decoded across chunk boundaries, extensions and trailers', () => {
  const wire = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nwiki\r\n5\r\npedia\r\n0\r\nX-Trailer: t\r\n\r\n';
  for (const step of [1, 2, 7, 1000]) {
    const r = read(wire, { step });
    assert.equal(r.body, 'wikipedia', `step ${step}`);
    assert.equal(r.ended, true);
  }
});

test('a body framed by the close ends with the connection and is not reusable', () => {
  const r = read('HTTP/1.1 200 OK\r\n\r\nuntil the end', { close: true });
  assert.deepEqual([r.body, r.ended], ['until the end', false]);
});

test('Connection: close, HEAD, 204 and 304 end as they should', () => {
  assert.equal(read('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n').ended, false);
  const head = read('HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n', { head: true });
  assert.deepEqual([head.body, head.ended], ['', true]);
  assert.equal(read('HTTP/1.1 204 No Content\r\n\r\n').ended, true);
  assert.equal(read('HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n').ended, true);
});

test('an interim 100 Continue is skipped and the final response read', () => {
  const r = read('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok', { step: 5 });
  assert.deepEqual([r.status, r.body, r.ended], [201, 'ok', true]);
});

test('a response cut short, or malformed, is an error and never a short success', () => {
  assert.equal(read('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort', { close: true }).error, 'hop connection closed mid-response');
  assert.equal(read('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab', { close: true }).ended, null);
  assert.equal(read('SMTP ready\r\n\r\n').error, 'malformed status line');
  assert.equal(read('HTTP/1.1 200 OK\r\nno colon\r\n\r\n').error, 'malformed header line');
  assert.equal(read('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n').error, 'malformed chunk size');
});

test('the status line: a reason phrase is optional, anything else is malformed', () => {
  assert.deepEqual([read('HTTP/1.1 204\r\n\r\n').status, read('HTTP/1.1 204\r\n\r\n').message], [204, '']);
  assert.deepEqual([read('HTTP/1.0 404 Not Found Here\r\nContent-Length: 0\r\n\r\n').status, read('HTTP/1.0 404 Not Found Here\r\nContent-Length: 0\r\n\r\n').message], [404, 'Not Found Here']);
  assert.equal(read('HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n').message, '');
  for (const bad of ['HTTP/1.1 20 OK', 'HTTP/1.1 2000 OK', 'HTTP/1.1 200OK', 'HTTP/2 200 OK', 'HTTP/1.2 200 OK', 'http/1.1 200 OK', 'HTTP/1.1  200 OK', 'HTTP/1.1 2x0 OK']) {
    assert.equal(read(`${bad}\r\nContent-Length: 0\r\n\r\n`).error, 'malformed status line', bad);
  }
});

test('hop-by-hop response headers are read for framing but not passed on', () => {
  const r = read('HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\nX-App: 1\r\nTrailer: X-T\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
  assert.deepEqual(r.headers, ['X-App', '1']);
  assert.equal(r.body, 'abc');
  assert.equal(r.ended, true);
  const closing = read('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok');
  assert.deepEqual(closing.headers, ['Content-Length', '2']);
  assert.equal(closing.ended, false);
});

test('a CR or LF inside the status line is malformed', () => {
  for (const bad of ['HTTP/1.1 200 O\nK', 'HTTP/1.1 200 O\rK', 'HTTP/1.1 200 \n']) {
    assert.equal(read(`${bad}\r\nContent-Length: 0\r\n\r\n`).error, 'malformed status line', JSON.stringify(bad));
  }
});

test('a sink that throws ends the exchange as an error, and is told nothing more', () => {
  const calls: string[] = [];
  const r = new ResponseReader(
    {
      head: () => {
        calls.push('head');
        throw new TypeError('refused header');
      },
      body: () => calls.push('body'),
      end: () => calls.push('end'),
      error: (err) => calls.push(`error ${err.message}`),
    },
    false,
  );
  r.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  r.push(Buffer.from('more'));
  r.finish();
  assert.deepEqual(calls, ['head', 'error refused header']);
  assert.equal(r.done, true);
});
