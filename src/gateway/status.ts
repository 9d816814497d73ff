/**
 * The gateway's status (like mod_status and mod_wsgi's metrics): application groups,
 * daemon processes (pid, requests served, in flight, started at), queue time and the
 * engine's outcomes, as JSON or as a small HTML page.
 * @module
 */
import type { ServerResponse } from 'node:http';
import type { Decision } from '../types.js';
import { VERSION } from '../version.js';
import type { AppGroupStats } from './app-group.js';
import type { DaemonGroupStats } from './daemon-group.js';

/** How many recent queue times the percentiles are taken over. */
const WINDOW = 1024;

/** Queue time: from the gateway's accept to the moment the app starts on the request. */
export interface QueueTimeStats {
  readonly count: number;
  readonly meanMs: number;
  readonly maxMs: number;
  /** Over the last 1024 requests. */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Everything the status page shows. */
export interface GatewayStatus {
  readonly version: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly uptimeS: number;
  readonly requests: number;
  /** Engine decisions by status, and by status and reason (`401 no-credentials`). */
  readonly auth: { readonly byStatus: Readonly<Record<string, number>>; readonly byReason: Readonly<Record<string, number>> };
  readonly queueTime: QueueTimeStats;
  readonly applicationGroups: readonly AppGroupStats[];
  readonly daemonGroups: readonly DaemonGroupStats[];
}

/** The gateway's counters. */
export class GatewayCounters {
  readonly startedAt = Date.now();
  requests = 0;
  /** status → reason → count: no string is built per request. */
  readonly #outcomes = new Map<number, Map<string, number>>();
  #queueCount = 0;
  #queueSumUs = 0;
  #queueMaxUs = 0;
  readonly #recent = new Float64Array(WINDOW);

  /** Counts one engine decision. */
  decision(d: Decision): void {
    let reasons = this.#outcomes.get(d.status);
    if (reasons === undefined) this.#outcomes.set(d.status, (reasons = new Map()));
    reasons.set(d.reason, (reasons.get(d.reason) ?? 0) + 1);
  }

  /** Records one queue time, in µs. */
  queueTime(us: number): void {
    this.#recent[this.#queueCount % WINDOW] = us;
    this.#queueCount++;
    this.#queueSumUs += us;
    if (us > this.#queueMaxUs) this.#queueMaxUs = us;
  }

  /** Queue-time summary. */
  queueStats(): QueueTimeStats {
    const n = Math.min(this.#queueCount, WINDOW);
    const sorted = Array.from(this.#recent.subarray(0, n)).sort((a, b) => a - b);
    const at = (q: number): number => (n === 0 ? 0 : sorted[Math.min(n - 1, Math.floor(q * n))]! / 1000);
    const round = (v: number): number => Math.round(v * 1000) / 1000;
    return {
      count: this.#queueCount,
      meanMs: round(this.#queueCount === 0 ? 0 : this.#queueSumUs / this.#queueCount / 1000),
      maxMs: round(this.#queueMaxUs / 1000),
      p50Ms: round(at(0.5)),
      p99Ms: round(at(0.99)),
    };
  }

  /** A snapshot with the groups' own counters. */
  snapshot(applicationGroups: readonly AppGroupStats[], daemonGroups: readonly DaemonGroupStats[]): GatewayStatus {
    const byStatus: Record<string, number> = {};
    const byReason: Record<string, number> = {};
    for (const [status, reasons] of this.#outcomes) {
      for (const [reason, n] of reasons) {
        byStatus[status] = (byStatus[status] ?? 0) + n;
        byReason[`${status} ${reason}`] = n;
      }
    }
    return {
      version: VERSION,
      pid: process.pid,
      startedAt: new Date(this.startedAt).toISOString(),
      uptimeS: Math.round((Date.now() - this.startedAt) / 1000),
      requests: this.requests,
      auth: { byStatus, byReason },
      queueTime: this.queueStats(),
      applicationGroups,
      daemonGroups,
    };
  }
}

const esc = (v: unknown): string => String(v).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const time = (ms: number): string => new Date(ms).toISOString();

function table(head: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const tr = (cells: readonly unknown[], tag: string): string => `<tr>${cells.map((c) => `<${tag}>${esc(c)}</${tag}>`).join('')}</tr>`;
  return `<table>${tr(head, 'th')}${rows.map((r) => tr(r, 'td')).join('')}</table>`;
}

/** The HTML page of a status snapshot. */
export function statusHtml(s: GatewayStatus): string {
  const q = s.queueTime;
  const groups = s.applicationGroups.map((g) => [g.name === '' ? '%{GLOBAL}' : g.name, g.where, g.apps.join(' '), g.requests, g.reloads, g.workers.map((w) => `#${w.threadId} ${w.state}`).join(', ')]);
  const procs = s.daemonGroups.flatMap((g) => g.live.map((p) => [g.name, p.pid ?? '', p.state, p.requests, p.inFlight, time(p.startedAt)]));
  const daemons = s.daemonGroups.map((g) => [g.name, `${g.processes}×${g.threads}`, g.requests, g.queued, g.maxQueued, g.queueTimeouts, Object.entries(g.restarts).map(([k, v]) => `${k} ${v}`).join(', ')]);
  return [
    '<!doctype html><html><head><meta charset="utf-8"><title>authhook status</title>',
    '<style>body{font-family:sans-serif}table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #999;padding:2px 6px;text-align:left}</style></head><body>',
    `<h1>authhook ${esc(s.version)} status</h1><p>pid ${s.pid}, started ${esc(s.startedAt)}, up ${s.uptimeS} s, ${s.requests} requests</p>`,
    `<h2>Queue time</h2><p>${q.count} requests; mean ${q.meanMs} ms, p50 ${q.p50Ms} ms, p99 ${q.p99Ms} ms, max ${q.maxMs} ms</p>`,
    '<h2>Authentication and authorisation</h2>',
    table(['outcome', 'count'], Object.entries(s.auth.byReason)),
    '<h2>Application groups</h2>',
    table(['group', 'where', 'apps', 'requests', 'reloads', 'workers'], groups),
    '<h2>Daemon process groups</h2>',
    table(['group', 'processes×threads', 'requests', 'queued', 'max queued', 'queue time-outs', 'restarts'], daemons),
    table(['group', 'pid', 'state', 'requests', 'in flight', 'started at'], procs),
    '</body></html>',
  ].join('\n');
}

/** Writes the status: JSON for `?json`, `?auto` or `Accept: application/json`, else HTML. */
export function renderStatus(res: ServerResponse, status: GatewayStatus, query: string, accept: string | undefined): void {
  const json = /(?:^|&)(?:json|auto)(?:=|&|$)/.test(query) || (accept ?? '').includes('application/json');
  res.statusCode = 200;
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Type', json ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8');
  res.end(json ? JSON.stringify(status, null, 2) : statusHtml(status));
}
