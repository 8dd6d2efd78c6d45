// The contract's rule for `imageUrl` / `audioUrl` on a post ("Media and voices"), checked by every
// writer before the row is written: either media this product stored for the same user (a
// generated image or voice-over, found by its URL under the storage's public base) or an https
// URL on a public host (lib/public-url.ts). A URL under our storage that is not the user's own
// asset is refused like an internal one, so one user cannot send another's media as their own.
import type { Db } from '../../lib/db.js';
import { publicUrlProblem } from '../../lib/public-url.js';
import { invalid } from '../../http/validation.js';

export type MediaField = 'imageUrl' | 'audioUrl';

const KIND = { imageUrl: 'IMAGE', audioUrl: 'AUDIO' } as const;
const WHAT = { imageUrl: 'an image', audioUrl: 'a voice-over' } as const;

/** Whether `url` lies under the storage's public base (`storagePublicUrl`, as Storage.publicUrl). */
export function isStoredMediaUrl(url: string, storagePublicUrl: string): boolean {
  let href: string;
  try {
    href = new URL(url).href;
  } catch {
    return false;
  }
  return href.startsWith(`${storagePublicUrl}/`);
}

/** Why `url` may not be the post's `field`, or undefined when it may. */
export async function mediaUrlProblem(
  db: Db,
  storagePublicUrl: string,
  userId: string,
  field: MediaField,
  url: string,
): Promise<string | undefined> {
  if (isStoredMediaUrl(url, storagePublicUrl)) {
    const own = await db.mediaAsset.findFirst({ where: { userId, url, kind: KIND[field] }, select: { id: true } });
    return own
      ? undefined
      : `${field} must be ${WHAT[field]} generated for your account, or an https URL on a public host.`;
  }
  const problem = publicUrlProblem(url);
  return problem ? `${field} ${problem}.` : undefined;
}

/**
 * Throws 400 VALIDATION_ERROR naming each media field of `fields` that breaks the rule (null and
 * absent fields pass: they clear or keep the media). Nothing is fetched.
 */
export async function assertPostMedia(
  db: Db,
  storagePublicUrl: string,
  userId: string,
  fields: Partial<Record<MediaField, string | null | undefined>>,
): Promise<void> {
  const issues: Array<{ path: string; message: string }> = [];
  for (const field of ['imageUrl', 'audioUrl'] as const) {
    const url = fields[field];
    if (typeof url !== 'string') continue;
    const message = await mediaUrlProblem(db, storagePublicUrl, userId, field, url);
    if (message) issues.push({ path: `body.${field}`, message });
  }
  if (issues.length > 0) throw invalid(issues);
}
