// The bot's state on disk, for the local stack: chats with their histories and the button presses,
// the unconfirmed updates and the next update_id, the webhook, and the files the bot sent. The JSON
// file holds everything but the files' bytes, which go once each into a folder beside it
// (`<name>-files/<file_unique_id>`; a file's bytes never change). Limits, stats, faults and
// request recordings start afresh, as after any restart.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateFile, type StateFile } from '../persist.js';
import type { MediaSnapshot } from './media.js';
import type { TelegramState } from './state.js';
import type { ChatStoreSnapshot } from './store.js';
import type { UpdateQueueSnapshot } from './updates.js';
import type { WebhookConfig } from './webhook.js';

export interface TelegramSnapshot {
  chats: ChatStoreSnapshot;
  updates: UpdateQueueSnapshot;
  media: MediaSnapshot;
  webhook: WebhookConfig | null;
}

/** Loads the saved state into `state` (when there is one) and returns the file to write it to. */
export function persistTelegram(state: TelegramState, path: string): StateFile<TelegramSnapshot> {
  const filesDir = `${path.replace(/\.json$/, '')}-files`;
  const onDisk = new Set<string>();
  const file = stateFile<TelegramSnapshot>({
    path,
    version: 1,
    snapshot: () => ({
      chats: state.chats.snapshot(),
      updates: state.updates.snapshot(),
      media: state.media.snapshot(),
      webhook: state.webhook.config ?? null,
    }),
    // The bytes first, so the JSON never names a file that is not on disk.
    beforeWrite: () => {
      for (const stored of state.media.withBytes()) {
        if (onDisk.has(stored.file_unique_id)) continue;
        mkdirSync(filesDir, { recursive: true });
        writeFileSync(join(filesDir, stored.file_unique_id), stored.bytes!);
        onDisk.add(stored.file_unique_id);
      }
    },
  });
  const saved = file.load();
  if (saved) {
    state.chats.restore(saved.chats);
    state.updates.restore(saved.updates);
    state.media.restore(saved.media, (stored) => {
      try {
        const bytes = readFileSync(join(filesDir, stored.file_unique_id));
        onDisk.add(stored.file_unique_id);
        return bytes;
      } catch {
        return undefined;
      }
    });
    if (saved.webhook) state.webhook.set(saved.webhook);
  }
  // Bytes no longer in memory are gone for good (as past the memory cap): their files too.
  let names: string[] = [];
  try {
    names = readdirSync(filesDir);
  } catch {
    // no folder yet
  }
  for (const name of names) if (!onDisk.has(name)) rmSync(join(filesDir, name), { force: true });
  return file;
}
