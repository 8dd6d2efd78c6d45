// The local stack's restarts (stack/src/supervise.ts): the wait doubles from 0.5 s to at most
// 30 s and starts over once a child has stayed up; nothing restarts before arm() (an exit while
// the stack starts is fatal) or after stop(); a launch that throws counts as one more crash.
import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Ending, Managed } from '../../stack/src/process.ts';
import { duration, restartDelay, supervise } from '../../stack/src/supervise.ts';
import { until } from '../helpers/wait.ts';

let nextPid = 1000;

/** A stand-in child: `die()` ends it as a crash would; `stop()` ends it as asked. */
function fakeChild() {
  let end!: (e: Ending) => void;
  const ended = new Promise<Ending>((resolve) => (end = resolve));
  const child = Object.assign(new EventEmitter(), { pid: nextPid++ }) as unknown as ChildProcess;
  let stopped = false;
  const managed: Managed & { die: (e?: Partial<Ending>) => void; wasStopped: () => boolean } = {
    name: 'fake',
    child,
    ended,
    exited: ended.then((e) => e.code),
    stop: () => {
      stopped = true;
      end({ code: null, signal: 'SIGTERM' });
      return Promise.resolve(null);
    },
    die: (e = {}) => end({ code: e.code ?? null, signal: 'signal' in e ? (e.signal ?? null) : 'SIGKILL' }),
    wasStopped: () => stopped,
  };
  return managed;
}

function harness(options: { stableMs?: number; failLaunches?: number; initialMs?: number } = {}) {
  const lines: string[] = [];
  const fatal: Ending[] = [];
  const children = [fakeChild()];
  let failures = options.failLaunches ?? 0;
  let stopping = false;
  const supervised = supervise(
    'worker',
    children[0]!,
    () => {
      if (failures > 0) {
        failures -= 1;
        throw new Error('port 3001 is taken');
      }
      const child = fakeChild();
      children.push(child);
      return child;
    },
    {
      say: (line) => lines.push(line),
      stopping: () => stopping,
      onFatal: (e) => fatal.push(e),
      initialMs: options.initialMs ?? 20,
      maxMs: (options.initialMs ?? 20) * 4,
      stableMs: options.stableMs ?? 60_000,
    },
  );
  return { lines, fatal, children, supervised, setStopping: () => (stopping = true) };
}

describe('restartDelay', () => {
  it('doubles from 0.5 s to at most 30 s', () => {
    expect(Array.from({ length: 9 }, (_, i) => restartDelay(i))).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ]);
    expect(restartDelay(1_000)).toBe(30_000);
  });

  it('says a wait as a person reads it', () => {
    expect([duration(500), duration(1_000), duration(16_000), duration(30_000), duration(300_000)]).toEqual([
      '0.5 s',
      '1 s',
      '16 s',
      '30 s',
      '5 min',
    ]);
  });
});

describe('supervise', () => {
  it('before arm(): an exit is fatal, not restarted', async () => {
    const h = harness();
    h.children[0]!.die({ code: 1, signal: null });
    await until('the fatal exit', () => h.fatal.length === 1);
    expect(h.fatal).toEqual([{ code: 1, signal: null }]);
    expect(h.lines).toEqual([]);
    expect(h.children).toHaveLength(1);
  });

  it('restarts each crash with a doubling wait, one line per exit and per restart, capped', async () => {
    const h = harness();
    h.supervised.arm();
    for (let i = 0; i < 4; i++) {
      h.children.at(-1)!.die({ signal: 'SIGKILL' });
      await until(`restart ${i + 1}`, () => h.children.length === i + 2);
    }
    expect(h.lines.filter((l) => l.includes('exited')).map((l) => l.replace(/after [0-9.]+ s/, 'after X s'))).toEqual([
      'worker exited unexpectedly (signal SIGKILL) after X s; restarting it in 0 s (restart 1 in a row)',
      'worker exited unexpectedly (signal SIGKILL) after X s; restarting it in 0 s (restart 2 in a row)',
      'worker exited unexpectedly (signal SIGKILL) after X s; restarting it in 0.1 s (restart 3 in a row)',
      'worker exited unexpectedly (signal SIGKILL) after X s; restarting it in 0.1 s (restart 4 in a row)',
    ]);
    expect(h.lines.filter((l) => l.includes('restarted'))).toEqual(
      h.children.slice(1).map((c) => `worker restarted (pid ${c.child.pid})`),
    );
    expect(h.supervised.restarts()).toBe(4);
    expect(h.supervised.current()).toBe(h.children.at(-1));
  });

  it('starts the wait over once a child has stayed up for stableMs', async () => {
    const h = harness({ stableMs: 50 });
    h.supervised.arm();
    h.children[0]!.die({ code: 1, signal: null });
    await until('the first restart', () => h.children.length === 2);
    h.children[1]!.die({ code: 1, signal: null });
    await until('the second restart', () => h.children.length === 3);
    const upSince = Date.now();
    await until('the third child to have been up for stableMs', () => Date.now() - upSince > 60);
    h.children[2]!.die({ code: 1, signal: null });
    await until('the third restart', () => h.children.length === 4);
    expect(h.lines.filter((l) => l.includes('exited')).map((l) => /\(restart (\d+) in a row\)/.exec(l)?.[1])).toEqual([
      '1',
      '2',
      '1',
    ]);
    expect(h.lines[0]).toMatch(/^worker exited unexpectedly \(code 1\) after/);
  });

  it('a launch that throws is one more crash in a row, and is retried', async () => {
    const h = harness({ failLaunches: 2 });
    h.supervised.arm();
    h.children[0]!.die();
    await until('a child after two failed launches', () => h.children.length === 2);
    expect(h.lines.slice(0, 3).map((l) => l.replace(/after [0-9.]+ s/, 'after X s'))).toEqual([
      'worker exited unexpectedly (signal SIGKILL) after X s; restarting it in 0 s (restart 1 in a row)',
      'worker could not be started (port 3001 is taken); restarting it in 0 s (restart 2 in a row)',
      'worker could not be started (port 3001 is taken); restarting it in 0.1 s (restart 3 in a row)',
    ]);
    expect(h.lines[3]).toBe(`worker restarted (pid ${h.children[1]!.child.pid})`);
  });

  it('stop() stops the child and restarts nothing; nor does an exit while the stack is stopping', async () => {
    const h = harness();
    h.supervised.arm();
    await h.supervised.stop();
    expect(h.children[0]!.wasStopped()).toBe(true);
    expect(h.lines).toEqual([]);

    const s = harness();
    s.supervised.arm();
    s.setStopping();
    s.children[0]!.die();
    await s.children[0]!.ended;
    await s.supervised.stop();
    expect(s.lines).toEqual([]);
    expect(s.fatal).toEqual([]);
    expect(s.children).toHaveLength(1);
  });

  it('stop() during the wait cancels the restart', async () => {
    const h = harness({ initialMs: 200 });
    h.supervised.arm();
    h.children[0]!.die();
    await until('the exit line', () => h.lines.length === 1);
    expect(h.lines[0]).toMatch(/restarting it in 0\.2 s/);
    await h.supervised.stop();
    // Past the wait, no child was started.
    const since = Date.now();
    await until('the wait to have passed', () => Date.now() - since > 300);
    expect(h.children).toHaveLength(1);
    expect(h.lines).toHaveLength(1);
  });
});
