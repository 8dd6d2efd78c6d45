// Generated media is attached to its post only while the post can still be edited; a post being
// delivered or already delivered keeps what it had (the job's result still has the URL).
import type { Db } from '../../lib/db.js';
import { editPost } from '../lifecycle/lifecycle.service.js';

export async function attachMedia(
  db: Db,
  userId: string,
  postId: string,
  field: 'imageUrl' | 'audioUrl',
  url: string,
): Promise<boolean> {
  return editPost(db, { id: postId, userId }, { [field]: url });
}
