import { readdirSync, readFileSync } from "node:fs";

/** What a benchmark's CPU is spent on: a label and its processes, by command line or pid. */
export type ProcessGroups = Record<string, RegExp | number>;

/** CPU seconds (user + system, all threads) used so far by each group's live processes. */
export type CpuSample = Map<string, number>;

/** clock ticks per second, as Linux reports /proc/PID/stat times. */
const TICKS = 100;

/** The group that holds every CPU's busy time, whatever used it. */
const MACHINE = "the whole machine";

/**
 * Reads /proc (Linux only; elsewhere the sample is empty). A process that
 * started and ended between two samples is not counted, so groups of
 * long-lived processes (servers, pools) give the true figure.
 */
export function sampleCpu(groups: ProcessGroups): CpuSample {
  const sample: CpuSample = new Map(Object.keys(groups).map((name) => [name, 0]));
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    return new Map();
  }
  for (const pid of pids) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      const group = Object.entries(groups).find(([, match]) =>
        typeof match === "number" ? match === Number(pid) : match.test(args),
      )?.[0];
      if (!group) continue;
      // Fields after the command name, which is in parentheses and may contain spaces.
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ticks = Number(fields[11]) + Number(fields[12]);
      sample.set(group, (sample.get(group) ?? 0) + ticks / TICKS);
    } catch {
      // The process ended while being read.
    }
  }
  sample.set(MACHINE, machineBusySeconds());
  return sample;
}

function machineBusySeconds(): number {
  // "cpu  user nice system idle iowait irq softirq steal ..."; idle, iowait and steal are not ours.
  const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq] = fields.slice(1).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0)) / TICKS;
}

/** Milliseconds of CPU per unit of work in each group between two samples. */
export function cpuPerUnit(
  before: CpuSample,
  after: CpuSample,
  units: number,
): Map<string, number> {
  return new Map(
    [...after].map(([name, seconds]) => [
      name,
      ((seconds - (before.get(name) ?? 0)) * 1000) / Math.max(units, 1),
    ]),
  );
}
