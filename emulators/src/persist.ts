// Keeping an emulator's state in a JSON file, for the local stack: a restart of `npm start` must
// not forget the chats a bot talks to or the customers a billing account has. Loaded once at start;
// written atomically (a temporary file renamed over the old one, so a crash leaves the old state or
// the new one, never half of each) a short while after the requests that may have changed it, and
// at once on close. A write that would not change the file is skipped. Tests that pass no file keep
// everything in memory, as before.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface StateFileOptions<T> {
  /** The file; its folder is created when missing. */
  path: string;
  /** Bumped when the shape changes: a file of another version is set aside, not misread. */
  version: number;
  /** The state to write, as plain JSON-able data. */
  snapshot: () => T;
  /** How long after the last change the file is written (default 200 ms). */
  debounceMs?: number;
  /** Where warnings go (a file set aside, a write that failed); default stderr. */
  warn?: (line: string) => void;
  /** Runs before each write (e.g. to store files the snapshot refers to). */
  beforeWrite?: () => void;
}

export interface StateFile<T> {
  /** The saved state, or undefined when there is none (or it could not be read: it is set aside). */
  load(): T | undefined;
  /** Writes the state soon (debounced). */
  changed(): void;
  /** Writes the state now if it changed; call on close. */
  flush(): void;
}

interface Envelope<T> {
  version: number;
  savedAt: string;
  state: T;
}

export function stateFile<T>(options: StateFileOptions<T>): StateFile<T> {
  const { path, version, snapshot, debounceMs = 200, beforeWrite } = options;
  const warn = options.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  let timer: NodeJS.Timeout | undefined;
  let written: string | undefined;

  const setAside = (why: string) => {
    const aside = `${path}.unreadable-${Date.now()}`;
    try {
      renameSync(path, aside);
      warn(`emulators: ${why}; it was moved to ${aside} and the emulator starts empty`);
    } catch {
      warn(`emulators: ${why}; the emulator starts empty`);
    }
  };

  const write = () => {
    timer = undefined;
    try {
      beforeWrite?.();
      const state = JSON.stringify(snapshot());
      if (state === written) return;
      const envelope = `{"version":${version},"savedAt":${JSON.stringify(new Date().toISOString())},"state":${state}}\n`;
      mkdirSync(dirname(path), { recursive: true });
      const temporary = `${path}.tmp-${process.pid}`;
      writeFileSync(temporary, envelope);
      renameSync(temporary, path);
      written = state;
    } catch (err) {
      warn(`emulators: could not save ${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  return {
    load() {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        warn(`emulators: could not read ${path}: ${(err as Error).message}; the emulator starts empty`);
        return undefined;
      }
      let envelope: Envelope<T>;
      try {
        envelope = JSON.parse(text) as Envelope<T>;
      } catch {
        setAside(`${path} is not valid JSON`);
        return undefined;
      }
      if (envelope?.version !== version || typeof envelope.state !== 'object' || envelope.state === null) {
        setAside(`${path} holds state of another version (${String(envelope?.version)}, this one reads ${version})`);
        return undefined;
      }
      written = JSON.stringify(envelope.state);
      return envelope.state;
    },
    changed() {
      if (timer) return;
      timer = setTimeout(write, debounceMs);
      timer.unref();
    },
    flush() {
      if (timer) clearTimeout(timer);
      write();
    },
  };
}
