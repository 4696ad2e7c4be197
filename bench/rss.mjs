// Peak memory of the Chromium process tree, sampled from /proc every 100 ms.
//
// Chromium is a child of this Node process (playwright spawns it), and every
// renderer, GPU and utility process descends from that browser process. Each
// sample sums VmRSS (what the brief asks for; shared pages are counted once per
// process that maps them) and, for reference, RssAnon (private anonymous
// memory: closer to what the tree really costs) and PSS (smaps_rollup: shared
// pages split among their processes, so the tree's sum counts each once) over
// the whole tree.
import fs from 'node:fs';

function readProcs() {
  const procs = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // comm may hold spaces and parentheses: the fields after the last ')' are fixed.
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      procs.set(Number(name), { pid: Number(name), ppid, comm });
    } catch {
      // the process ended between readdir and read
    }
  }
  return procs;
}

function statusKB(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    return { rss: field('VmRSS'), anon: field('RssAnon'), pss: pssKB(pid) };
  } catch {
    return { rss: 0, anon: 0, pss: 0 };
  }
}

/** PSS: each shared page split among the processes mapping it, so a tree's sum counts it once. */
function pssKB(pid) {
  try {
    return Number(/^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function processType(pid) {
  try {
    // Chromium rewrites its children's titles, so the arguments may be one space-separated string.
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /--type=([^\s\0]+)/.exec(cmdline)?.[1] ?? 'browser';
  } catch {
    return '?';
  }
}

/** One sample: MB summed over every Chromium process below this Node process. */
export function sampleChromiumTree(rootPid = process.pid) {
  const procs = readProcs();
  const children = new Map();
  for (const p of procs.values()) {
    if (!children.has(p.ppid)) children.set(p.ppid, []);
    children.get(p.ppid).push(p);
  }
  // Browser processes: our own children (or grandchildren, through a wrapper) named chromium.
  const roots = [];
  const walk = (pid, depth) => {
    for (const c of children.get(pid) ?? []) {
      if (/chrom/i.test(c.comm)) roots.push(c);
      else if (depth < 2) walk(c.pid, depth + 1);
    }
  };
  walk(rootPid, 0);
  const tree = [];
  const stack = [...roots];
  while (stack.length) {
    const p = stack.pop();
    tree.push(p);
    stack.push(...(children.get(p.pid) ?? []));
  }
  let rss = 0;
  let anon = 0;
  let pss = 0;
  const parts = [];
  for (const p of tree) {
    const kb = statusKB(p.pid);
    rss += kb.rss;
    anon += kb.anon;
    pss += kb.pss;
    parts.push({ pid: p.pid, kb });
  }
  return { rssMB: rss / 1024, anonMB: anon / 1024, pssMB: pss / 1024, processes: tree.length, parts };
}

/**
 * Samples continuously; `open(name)` starts a window whose peak is tracked
 * until `close()`. Windows may overlap (a case and each export inside it).
 */
export class RssSampler {
  #timer = null;
  #windows = new Set();
  constructor(intervalMs = 100) {
    this.intervalMs = intervalMs;
  }

  start() {
    if (!this.#timer) this.#timer = setInterval(() => this.#sample(), this.intervalMs);
    return this;
  }

  stop() {
    clearInterval(this.#timer);
    this.#timer = null;
  }

  #sample() {
    if (this.#windows.size === 0) return;
    const s = sampleChromiumTree();
    for (const w of this.#windows) {
      w.samples++;
      if (s.rssMB > w.peakRssMB) {
        w.peakRssMB = s.rssMB;
        w.anonAtPeakMB = s.anonMB;
        w.processesAtPeak = s.processes;
        w.peakParts = s.parts;
      }
      w.peakAnonMB = Math.max(w.peakAnonMB, s.anonMB);
      w.peakPssMB = Math.max(w.peakPssMB, s.pssMB);
    }
  }

  /** Starts a window (taking a first sample at once). */
  open(name) {
    const w = { name, samples: 0, peakRssMB: 0, anonAtPeakMB: 0, peakAnonMB: 0, peakPssMB: 0, processesAtPeak: 0, peakParts: [] };
    this.#windows.add(w);
    this.#sample();
    return {
      close: () => {
        this.#sample();
        this.#windows.delete(w);
        // Which kinds of process held the memory at the peak (renderer, gpu-process, ...).
        const byType = {};
        for (const { pid, kb } of w.peakParts) {
          const type = processType(pid);
          byType[type] = Math.round(((byType[type] ?? 0) + kb.rss / 1024) * 10) / 10;
        }
        return {
          peakRssMB: round1(w.peakRssMB),
          anonAtPeakMB: round1(w.anonAtPeakMB),
          peakAnonMB: round1(w.peakAnonMB),
          peakPssMB: round1(w.peakPssMB),
          processesAtPeak: w.processesAtPeak,
          rssAtPeakByProcessTypeMB: byType,
          samples: w.samples,
        };
      },
    };
  }
}

const round1 = (x) => Math.round(x * 10) / 10;
