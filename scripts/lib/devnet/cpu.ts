import { readFile } from "node:fs/promises";

/**
 * Linux reports a process's CPU time in `/proc/<pid>/stat` in ticks of 1/100 s (USER_HZ, 100 on every Linux
 * architecture's user interface whatever the kernel's own tick).
 */
const TICKS_PER_SECOND = 100;

/**
 * The CPU time, in seconds, process `pid` has used so far (user and system), or undefined where `/proc` does not
 * tell (not Linux, or the process is gone).
 */
export async function cpuSecondsOf(pid: number): Promise<number | undefined> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // "pid (command) state ppid …": the command may hold spaces and parentheses, so fields are counted after its end.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are the 14th and 15th fields of the line, the 12th and 13th after the command.
  const user = Number(fields[11]);
  const system = Number(fields[12]);
  if (!Number.isFinite(user) || !Number.isFinite(system)) return undefined;
  return (user + system) / TICKS_PER_SECOND;
}

/** This process's CPU time so far, in seconds (user and system). */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
