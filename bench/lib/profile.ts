/**
 * Reads V8 .cpuprofile files (node --cpu-prof) and lists the functions with the most self
 * time: samples whose top frame is that function, aggregated by name + script + line.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  selfMs: number;
  /** Share of non-idle sampled time. */
  share: number;
  /** The caller that accounts for most of this self time (first non-anonymous-native frame up). */
  caller?: string;
}

export interface ProfileSummary {
  file: string;
  pid: number;
  process: string;
  totalMs: number;
  idleMs: number;
  top: ProfileEntry[];
  /** Self time by where the code lives: an npm package, node internals, the app bundle, native. */
  byArea: ProfileEntry[];
}

/** CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile -> pid. */
function pidOf(file: string): number {
  const parts = basename(file).split('.');
  return Number(parts[3]);
}

const APP_COPY = /\/\.cache\/distilled-bench\/[^/]+\/(server|api)\/main\.js$/;

function shortUrl(url: string): string {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const app = APP_COPY.exec(path);
  if (app) return `dist/apps/${app[1]}/main.js`;
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return path.slice(nm + 'node_modules/'.length);
  if (path.startsWith('node:')) return path;
  return relative(process.cwd(), path) || path;
}

export function summarizeProfile(file: string, processName: string, topN = 12): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parent.set(child, node);
  }
  const keyOf = (node: ProfileNode): string => {
    const frame = node.callFrame;
    const where = frame.url ? ` ${shortUrl(frame.url)}:${frame.lineNumber + 1}` : '';
    return `${frame.functionName || '(anonymous)'}${where}`;
  };
  const callers = new Map<string, Map<string, number>>();
  const selfUs = new Map<string, number>();
  const areaUs = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const delta = profile.timeDeltas[i] ?? 0;
    if (!node) continue;
    totalUs += delta;
    const frame = node.callFrame;
    if (frame.functionName === '(idle)') {
      idleUs += delta;
      continue;
    }
    const key = keyOf(node);
    selfUs.set(key, (selfUs.get(key) ?? 0) + delta);
    const up = parent.get(node.id);
    if (up && up.callFrame.functionName !== '(root)') {
      const byCaller = callers.get(key) ?? new Map<string, number>();
      callers.set(key, byCaller);
      const callerKey = keyOf(up);
      byCaller.set(callerKey, (byCaller.get(callerKey) ?? 0) + delta);
    }
    const area = areaOf(frame.url, frame.functionName);
    areaUs.set(area, (areaUs.get(area) ?? 0) + delta);
  }
  const busyUs = totalUs - idleUs;
  const top = [...selfUs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, topN)
    .map(([name, us]) => ({
      name,
      selfMs: us / 1000,
      share: busyUs > 0 ? us / busyUs : 0,
      caller: [...(callers.get(name)?.entries() ?? [])].sort((a, b) => b[1] - a[1])[0]?.[0],
    }));
  const byArea = [...areaUs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([name, us]) => ({ name, selfMs: us / 1000, share: busyUs > 0 ? us / busyUs : 0 }));
  return {
    file,
    pid: pidOf(file),
    process: processName,
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    top,
    byArea,
  };
}

function areaOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(program)') return '(program)';
    return 'native (syscalls, builtins)';
  }
  const app = APP_COPY.exec(url);
  if (app) return `app (${app[1]})`;
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith('node:')) return 'node internals';
  return `app (${basename(url)})`;
}

/** Every .cpuprofile in `dir`, named through `names` (pid -> process name). */
export function summarizeProfiles(dir: string, names: Map<number, string>): ProfileSummary[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.cpuprofile'))
    .map((file) => {
      const pid = pidOf(file);
      return summarizeProfile(join(dir, file), names.get(pid) ?? `pid ${pid}`);
    })
    .sort((a, b) => a.process.localeCompare(b.process));
}

export function printProfiles(summaries: ProfileSummary[]): void {
  for (const summary of summaries) {
    const busy = summary.totalMs - summary.idleMs;
    console.log(
      `\n#### ${summary.process} (pid ${summary.pid}): ${(busy / 1000).toFixed(1)} s busy of ${(summary.totalMs / 1000).toFixed(1)} s sampled — ${summary.file}\n`,
    );
    console.log(
      `by area: ${summary.byArea.map((a) => `${a.name} ${(a.share * 100).toFixed(0)}%`).join(', ')}\n`,
    );
    console.log('| self time | share of busy | function | main caller |');
    console.log('| ---: | ---: | --- | --- |');
    for (const entry of summary.top) {
      console.log(
        `| ${Math.round(entry.selfMs).toLocaleString('en-US')} ms | ${(entry.share * 100).toFixed(1)}% | \`${entry.name}\` | ${entry.caller ? `\`${entry.caller}\`` : ''} |`,
      );
    }
  }
}

const NAMES_FILE = 'processes.json';

/** Remembers which process each pid was, next to the profiles. */
export function saveProcessNames(dir: string, names: Map<number, string>): void {
  writeFileSync(join(dir, NAMES_FILE), JSON.stringify(Object.fromEntries(names), null, 2) + '\n');
}

export function loadProcessNames(dir: string): Map<number, string> {
  const file = join(dir, NAMES_FILE);
  if (!existsSync(file)) return new Map();
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  return new Map(Object.entries(raw).map(([pid, name]) => [Number(pid), name]));
}

/** `npm run bench -- profile <dir> [--top n]`: summarizes the .cpuprofile files of a run again. */
export async function run(argv: string[]): Promise<void> {
  const dir = argv.find((arg) => !arg.startsWith('--'));
  if (!dir) throw new Error('usage: npm run bench -- profile <profile dir>');
  printProfiles(summarizeProfiles(dir, loadProcessNames(dir)));
}
