// What a post's image or voice-over becomes in a Telegram call. The worker never downloads a URL a
// user gave it: media this product stored for the post's owner are read from storage by key and
// uploaded as bytes (or re-sent by the file_id Telegram gave the first upload); any other URL must
// be https on a public host and is handed to Telegram as a string, for Telegram to fetch from its
// own network. Anything else (a row written before the write-time check, or media stored for
// someone else) is refused without being fetched.
import { InputFile } from 'grammy';
import type { Db } from '../../lib/db.js';
import { publicUrlProblem } from '../../lib/public-url.js';
import type { Storage } from '../../integrations/storage.js';
import { isStoredMediaUrl } from '../media/media.service.js';

export type MediaPart = 'photo' | 'voice';

export interface DeliveryMedia {
  /**
   * The photo or voice argument for `url` on `userId`'s post, and the stored asset (to keep the
   * file_id Telegram answers with). Throws UnsendableMedia for a URL it will not send.
   */
  input(
    userId: string,
    url: string,
    part: MediaPart,
  ): Promise<{ file: InputFile | string; asset?: { id: string; telegramFileId: string | null } }>;
}

/** A media URL the worker refuses to send; the message is safe to show (it names no host). */
export class UnsendableMedia extends Error {
  override name = 'UnsendableMedia';
}

export function createDeliveryMedia({ db, storage }: { db: Db; storage: Pick<Storage, 'read' | 'publicUrl'> }) {
  const media: DeliveryMedia = {
    async input(userId, url, part) {
      const what = part === 'photo' ? 'image' : 'voice-over';
      // Scoped by the owner (index MediaAsset(userId, url)): another user's media is never found here.
      const asset = await db.mediaAsset.findFirst({
        where: { userId, url, kind: part === 'photo' ? 'IMAGE' : 'AUDIO' },
        select: { id: true, storageKey: true, telegramFileId: true },
      });
      if (asset?.telegramFileId) return { file: asset.telegramFileId, asset };
      if (asset) {
        const bytes = await storage.read(asset.storageKey);
        return { file: new InputFile(bytes, part === 'photo' ? 'image.png' : 'voice.mp3'), asset };
      }
      if (isStoredMediaUrl(url, storage.publicUrl)) {
        throw new UnsendableMedia(`The post's ${what} is not media stored for this account; attach it again.`);
      }
      if (publicUrlProblem(url)) {
        throw new UnsendableMedia(`The post's ${what} URL is not an https URL on a public host; change it.`);
      }
      // Telegram fetches it (photos up to 5 MB, other files 20 MB): never this process.
      return { file: url };
    },
  };
  return media;
}
