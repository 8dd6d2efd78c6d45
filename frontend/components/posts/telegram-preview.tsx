import { Mic } from 'lucide-react';
import type { Post } from '@/lib/api/types';
import { PLATFORM_NAMES } from '@/lib/platforms';

const CAPTION_LIMIT = 1_024;

/**
 * The post as it will arrive in Telegram: the header (platform and brand), the image with the
 * text as its caption when it fits in 1,024 characters (else the text as its own message), and
 * the voice-over as a voice message.
 */
export function TelegramPreview({ post, content, brand }: { post: Post; content: string; brand?: string | undefined }) {
  const header = `${PLATFORM_NAMES[post.platform].toUpperCase()}${brand ? ` · ${brand}` : ''}`;
  const captioned = Boolean(post.imageUrl) && [...content].length <= CAPTION_LIMIT;
  const text = (
    <p className="text-sm whitespace-pre-wrap break-words">
      <strong className="block text-xs font-semibold text-sky-800 dark:text-sky-200">{header}</strong>
      {content || <span className="text-muted">(no text yet)</span>}
    </p>
  );
  return (
    <section aria-labelledby="preview" className="flex flex-col gap-2">
      <h2 id="preview" className="text-sm font-semibold">
        In Telegram
      </h2>
      <div className="flex flex-col gap-2 rounded-xl bg-sky-50 p-3 dark:bg-slate-900">
        {post.imageUrl ? (
          <div className="overflow-hidden rounded-lg bg-bg shadow-sm">
            {/* A plain img: media live on the API's origin (or the store's), any size; next/image would proxy them. */}
            <img src={post.imageUrl} alt="The post's image" className="max-h-80 w-full object-cover" />
            {captioned ? <div className="p-2">{text}</div> : null}
          </div>
        ) : null}
        {!captioned ? <div className="max-w-[92%] rounded-lg bg-bg p-2 shadow-sm">{text}</div> : null}
        {post.audioUrl ? (
          <div className="flex max-w-[92%] items-center gap-2 rounded-lg bg-bg p-2 shadow-sm">
            <Mic aria-hidden className="size-4 shrink-0 text-sky-700 dark:text-sky-300" />
            <audio controls src={post.audioUrl} className="h-9 w-full" aria-label="The voice-over">
              <track kind="captions" />
            </audio>
          </div>
        ) : null}
        <p className="text-right text-[11px] text-muted">with buttons “Posted” and “Snooze 1 h”</p>
      </div>
    </section>
  );
}
