/**
 * The hash pool's worker: computes MD5-crypt, SHA-crypt and DES crypt off the event loop.
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { desCrypt } from './formats/des-crypt.js';
import { md5CryptChecksum } from './formats/md5-crypt.js';
import { shaCryptChecksum } from './formats/sha-crypt.js';
import type { HashJob } from './hash-pool.js';

function compute(job: HashJob): string {
  const key = Buffer.from(job.password);
  if (job.kind === 'md5-crypt') return md5CryptChecksum(key, job.magic, job.salt);
  if (job.kind === 'des-crypt') return desCrypt(key, job.salt);
  return shaCryptChecksum(job.algorithm, key, job.salt, job.rounds);
}

parentPort!.on('message', (msg: { id: number; job: HashJob }) => {
  try {
    parentPort!.postMessage({ id: msg.id, checksum: compute(msg.job) });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) });
  }
});
