// A post as Telegram messages: a header (platform and brand, in bold: an entity, never
// hand-escaped Markdown), the content as the photo's caption when it fits in 1,024 characters or
// as text split at 4,096, the image, the voice-over, and the buttons on the last message.
import type { MessageEntity } from 'grammy/types';

export const TEXT_LIMIT = 4_096;
export const CAPTION_LIMIT = 1_024;

export type Part =
  | { key: string; kind: 'photo'; caption?: { text: string; entities: MessageEntity[] } }
  | { key: string; kind: 'text'; text: string; entities: MessageEntity[] }
  | { key: string; kind: 'voice' };

export interface ComposeInput {
  platform: string;
  brand?: string | null;
  content: string;
  hasImage: boolean;
  hasVoice: boolean;
}

const PLATFORM_NAMES: Record<string, string> = {
  TWITTER: 'X / Twitter',
  LINKEDIN: 'LinkedIn',
  INSTAGRAM: 'Instagram',
  FACEBOOK: 'Facebook',
  THREADS: 'Threads',
  TELEGRAM: 'Telegram',
};

/** Splits at paragraph, line or word boundaries so that each piece has at most `limit` UTF-16 units. */
export function splitText(text: string, limit: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    let cut = Math.max(window.lastIndexOf('\n\n'), window.lastIndexOf('\n'), window.lastIndexOf(' '));
    if (cut < limit / 2) cut = limit;
    // Never cut a surrogate pair in half.
    if (/[\uD800-\uDBFF]/.test(rest[cut - 1] ?? '')) cut -= 1;
    pieces.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0) pieces.push(rest);
  return pieces;
}

export function compose({ platform, brand, content, hasImage, hasVoice }: ComposeInput): Part[] {
  const header = `${PLATFORM_NAMES[platform] ?? platform}${brand ? ` · ${brand}` : ''}`;
  const bold = (offset = 0): MessageEntity[] => [{ type: 'bold', offset, length: header.length }];
  const withHeader = `${header}\n\n${content}`;
  const parts: Part[] = [];
  let textToSend = content;
  let headerSent = false;
  if (hasImage) {
    if (withHeader.length <= CAPTION_LIMIT) {
      parts.push({ key: 'photo', kind: 'photo', caption: { text: withHeader, entities: bold() } });
      textToSend = '';
    } else {
      parts.push({ key: 'photo', kind: 'photo', caption: { text: header, entities: bold() } });
    }
    headerSent = true;
  }
  if (textToSend) {
    const first = headerSent ? textToSend : withHeader;
    splitText(first, TEXT_LIMIT).forEach((text, i) => {
      parts.push({ key: `text:${i}`, kind: 'text', text, entities: !headerSent && i === 0 ? bold() : [] });
    });
  }
  if (hasVoice) parts.push({ key: 'voice', kind: 'voice' });
  return parts;
}
