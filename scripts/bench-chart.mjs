#!/usr/bin/env node
// Draws docs/benchmarks.svg from the JSON the benchmarks write with `npm run bench -- --json <dir>`
// (versus-client-node.json, initial-sync.json, apiserver.json). Usage: node scripts/bench-chart.mjs <dir> <out.svg>
// A figure missing from the JSON (a case that was capped or skipped) is drawn as "—", never invented.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [dir = 'docs/bench-results', out = 'docs/benchmarks.svg'] = process.argv.slice(2);
const load = (name) => {
  const file = path.join(dir, `${name}.json`);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).data : undefined;
};
const versus = load('versus-client-node');
const initial = load('initial-sync');
const api = load('apiserver');

const COLORS = { ours: '#2b7bb9', bare: '#9aa5b1', 'client-node': '#e07b39', Cacher: '#2b7bb9', storage: '#9aa5b1' };
const KINDS = ['ours', 'bare', 'client-node'];
const panels = [];

if (versus) {
  const n = 10_000;
  const bars = KINDS.map((kind) => {
    const r = versus.results.find((x) => x.kind === kind && x.n === n);
    return { label: kind, color: COLORS[kind], value: r?.syncMs === undefined ? undefined : (r.syncMs * 1000) / n };
  });
  panels.push({
    title: `Initial sync of ${n / 1000}k pods over HTTP: µs per object (lower is better)`,
    bars,
    digits: 1,
  });
  const events = KINDS.map((kind) => {
    const r = versus.results.find((x) => x.kind === kind && x.n === n);
    return {
      label: kind,
      color: COLORS[kind],
      value: r?.eventsMs === undefined ? undefined : (r.eventsMs * 1000) / r.m,
    };
  });
  panels.push({
    title: `${versus.events / 1000}k watch events after the 10k sync: µs per event (lower is better)`,
    bars: events,
    digits: 1,
  });
}
if (initial) {
  for (const mode of ['unpaged', 'paged']) {
    const bars = KINDS.map((kind) => {
      const ms = initial.results[`${kind}/${mode}`]?.syncMs;
      return { label: kind, color: COLORS[kind], value: ms === undefined ? undefined : ms / 1000 };
    });
    panels.push({
      title: `Initial sync of ${initial.pods / 1000}k pods over HTTP, ${mode}: s (lower is better)`,
      bars,
      digits: 1,
    });
  }
}
if (initial) {
  for (const mode of ['unpaged', 'paged']) {
    const bars = KINDS.map((kind) => ({
      label: kind,
      color: COLORS[kind],
      value: initial.results[`${kind}/${mode}`]?.peakRssMB,
    }));
    panels.push({
      title: `Peak RSS during a ${initial.pods / 1000}k-pod initial sync, ${mode}: MB (lower is better)`,
      bars,
      digits: 0,
    });
  }
}
if (api) {
  for (const n of [10_000, 100_000]) {
    const bars = api.list
      .filter((r) => r.pods === n)
      .map((r) => ({
        label: r.case,
        color: r.case.startsWith('Cacher') ? COLORS.Cacher : COLORS.storage,
        value: r.mbPerS,
      }));
    panels.push({ title: `API server LIST of ${n / 1000}k pods over HTTP: MB/s (higher is better)`, bars, digits: 1 });
  }
  const bars = api.fanOut.flatMap((r) => [
    { label: `${r.watchers} watchers p50`, color: COLORS.Cacher, value: r.p50Ms },
    { label: `${r.watchers} watchers p99`, color: COLORS.storage, value: r.p99Ms },
  ]);
  panels.push({ title: 'Watch fan-out, write → event parsed by the client: ms (lower is better)', bars, digits: 1 });
}
if (panels.length === 0) {
  console.error(`no benchmark JSON in ${dir}; run: npm run bench -- --json ${dir}`);
  process.exit(1);
}

const W = 760;
const LABEL_W = 240;
const BAR_H = 18;
const GAP = 6;
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
let y = 20;
const parts = [];
for (const p of panels) {
  parts.push(`<text x="10" y="${y + 14}" font-weight="bold">${esc(p.title)}</text>`);
  y += 26;
  const max = Math.max(...p.bars.map((b) => b.value ?? 0)) || 1;
  for (const b of p.bars) {
    const w = b.value === undefined ? 0 : Math.max(1, ((W - LABEL_W - 90) * b.value) / max);
    const text = b.value === undefined ? '— (not measured)' : b.value.toFixed(p.digits);
    parts.push(`<text x="${LABEL_W - 8}" y="${y + 13}" text-anchor="end">${esc(b.label)}</text>`);
    parts.push(`<rect x="${LABEL_W}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${b.color}"/>`);
    parts.push(`<text x="${(LABEL_W + w + 6).toFixed(1)}" y="${y + 13}">${esc(text)}</text>`);
    y += BAR_H + GAP;
  }
  y += 14;
}
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y}" viewBox="0 0 ${W} ${y}" font-family="sans-serif" font-size="12" role="img">
<title>kubecache benchmarks: informer sync, watch events, peak memory, API server LIST and watch fan-out</title>
<rect width="100%" height="100%" fill="white"/>
${parts.join('\n')}
</svg>
`;
writeFileSync(out, svg);
console.log(`wrote ${out}: ${panels.length} panels from ${dir}`);
