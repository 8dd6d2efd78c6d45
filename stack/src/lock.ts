// One stack per data folder: `<data dir>/stack.json` names the running stack (its pid and URLs).
// It is claimed before anything starts and removed when the stack has stopped, so a second
// `npm start` can say where the first one is instead of failing on Postgres' lock file. A file
// whose process is gone (the stack was killed with SIGKILL) is taken over.
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StackRecord {
  pid: number;
  startedAt: string;
  /** The web app's URL; absent when the stack runs without it. */
  webAppUrl?: string;
  apiUrl: string;
}

export type Claim = { claimed: true; release: () => void } | { claimed: false; running: StackRecord };

export const stackFile = (dataDir: string) => join(dataDir, 'stack.json');

/** True when `pid` is a live process that looks like a stack (not a pid reused by something else). */
function isStack(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false; // EPERM: alive, another user's
  }
  try {
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return command.includes('stack') && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return true; // no /proc (macOS): a live pid is taken at its word
  }
}

function read(file: string): StackRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as StackRecord;
    return Number.isInteger(record.pid) ? record : undefined;
  } catch {
    return undefined;
  }
}

/** Claims the data folder for this process, or names the stack that holds it. */
export function claimDataDir(dataDir: string, record: Omit<StackRecord, 'pid' | 'startedAt'>): Claim {
  mkdirSync(dataDir, { recursive: true });
  const file = stackFile(dataDir);
  const mine: StackRecord = { pid: process.pid, startedAt: new Date().toISOString(), ...record };
  // Written whole to a file of our own, then linked into place: link fails when the name exists,
  // so of two stacks starting at once exactly one gets it, and no reader sees half a file.
  const draft = `${file}.${process.pid}`;
  writeFileSync(draft, `${JSON.stringify(mine, null, 2)}\n`);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(draft, file);
        return {
          claimed: true,
          release: () => {
            if (read(file)?.pid === process.pid) rmSync(file, { force: true });
          },
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = read(file);
      if (holder && holder.pid !== process.pid && isStack(holder.pid)) return { claimed: false, running: holder };
      rmSync(file, { force: true }); // left by a stack that was killed: ours now
    }
    throw new Error(`could not claim ${file}`);
  } finally {
    rmSync(draft, { force: true });
  }
}

export function alreadyRunningMessage(running: StackRecord): string {
  const where = [running.webAppUrl && `web app ${running.webAppUrl}`, `API ${running.apiUrl}`].filter(Boolean);
  return (
    `Postaify is already running (pid ${running.pid}): ${where.join(', ')}. ` +
    'Stop it with Ctrl-C in its terminal, or set POSTAIFY_DATA_DIR for a second stack.'
  );
}
