// Entities and lengths. Offsets and lengths of entities are in UTF-16 code units (as in JavaScript
// strings); the 4,096 / 1,024 limits count characters (code points), as Telegram's server does.
import { errors } from './errors.js';
import type { MessageEntity } from './types.js';

export const MAX_TEXT = 4096;
export const MAX_CAPTION = 1024;

export const ENTITY_TYPES = new Set([
  'mention',
  'hashtag',
  'cashtag',
  'bot_command',
  'url',
  'email',
  'phone_number',
  'bold',
  'italic',
  'underline',
  'strikethrough',
  'spoiler',
  'blockquote',
  'expandable_blockquote',
  'code',
  'pre',
  'text_link',
  'text_mention',
  'custom_emoji',
  'date_time',
]);

export const characters = (text: string) => {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
};

/** Checks an `entities` / `caption_entities` parameter against its text; returns clean copies. */
export function validateEntities(value: unknown, text: string): MessageEntity[] {
  if (!Array.isArray(value)) throw errors.parseEntities('entities must be an array');
  return value.map((raw: unknown, index) => {
    const entity = raw as Partial<MessageEntity> | null;
    if (typeof entity !== 'object' || entity === null) throw errors.parseEntities(`entity ${index} is not an object`);
    const { type, offset, length } = entity;
    if (typeof type !== 'string' || !ENTITY_TYPES.has(type)) {
      throw errors.parseEntities(`unsupported entity type "${String(type)}" at index ${index}`);
    }
    if (!Number.isInteger(offset) || (offset as number) < 0 || !Number.isInteger(length) || (length as number) < 1) {
      throw errors.parseEntities(`entity ${index} (${type}) needs an integer offset >= 0 and length >= 1`);
    }
    if ((offset as number) + (length as number) > text.length) {
      throw errors.parseEntities(
        `entity ${index} (${type}) at offset ${offset} with length ${length} ends beyond the text (${text.length} UTF-16 code units)`,
      );
    }
    if (type === 'text_link' && (typeof entity.url !== 'string' || entity.url === '')) {
      throw errors.parseEntities(`text_link entity ${index} has no url`);
    }
    if (type === 'text_mention' && typeof entity.user?.id !== 'number') {
      throw errors.parseEntities(`text_mention entity ${index} has no user`);
    }
    if (type === 'custom_emoji' && typeof entity.custom_emoji_id !== 'string') {
      throw errors.parseEntities(`custom_emoji entity ${index} has no custom_emoji_id`);
    }
    const clean: MessageEntity = { type, offset: offset as number, length: length as number };
    if (entity.url !== undefined) clean.url = entity.url;
    if (entity.user !== undefined) clean.user = entity.user;
    if (typeof entity.language === 'string') clean.language = entity.language;
    if (entity.custom_emoji_id !== undefined) clean.custom_emoji_id = entity.custom_emoji_id;
    return clean;
  });
}

/** The entities Telegram adds to text a person types: bot commands (what grammY's `command()` needs). */
export function commandEntities(text: string): MessageEntity[] {
  const found: MessageEntity[] = [];
  for (const match of text.matchAll(/(^|\s)(\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?)(?=$|\s)/g)) {
    found.push({ type: 'bot_command', offset: match.index + match[1]!.length, length: match[2]!.length });
  }
  return found;
}
