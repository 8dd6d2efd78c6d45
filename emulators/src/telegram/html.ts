// parse_mode "HTML": the tags the Bot API documents, turned into the entities Telegram would store.
// What it rejects is what makes real sends fail: unknown tags (even <br>), unclosed or mismatched
// tags, <a> without href. Error texts follow Telegram's ("Unsupported start tag "br" at byte
// offset 12"); only `&lt; &gt; &amp; &quot;` and numeric references are decoded, as documented.
import { errors } from './errors.js';
import type { MessageEntity } from './types.js';

const SIMPLE: Record<string, string> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  'tg-spoiler': 'spoiler',
  code: 'code',
  pre: 'pre',
};
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

interface Open {
  tag: string;
  start: number;
  entity: Omit<MessageEntity, 'offset' | 'length'>;
}

const at = (source: string, index: number) => `at byte offset ${Buffer.byteLength(source.slice(0, index))}`;

function attributes(raw: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of raw.matchAll(/([a-zA-Z][\w-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+)))?/g)) {
    found.set(m[1]!.toLowerCase(), decode(m[2] ?? m[3] ?? m[4] ?? ''));
  }
  return found;
}

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (!ref.startsWith('#')) return NAMED[ref.toLowerCase()] ?? whole;
    const code = ref.startsWith('#x') ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

function openTag(source: string, index: number, inner: string, stack: Open[], start: number): Open {
  const name = /^[a-zA-Z][\w-]*/.exec(inner)?.[0].toLowerCase() ?? '';
  const attrs = attributes(inner.slice(name.length));
  let entity: Open['entity'] | undefined = SIMPLE[name] ? { type: SIMPLE[name] } : undefined;
  if (name === 'span') {
    if (attrs.get('class') !== 'tg-spoiler')
      throw errors.parseEntities(`Tag "span" must have class "tg-spoiler" ${at(source, index)}`);
    entity = { type: 'spoiler' };
  } else if (name === 'a') {
    const href = attrs.get('href');
    if (!href) throw errors.parseEntities(`Can't find "href" attribute of tag "a" ${at(source, index)}`);
    const user = /^tg:\/\/user\?id=(\d+)$/.exec(href);
    entity = user
      ? { type: 'text_mention', user: { id: Number(user[1]), is_bot: false, first_name: '' } }
      : { type: 'text_link', url: href };
  } else if (name === 'blockquote') {
    entity = { type: attrs.has('expandable') ? 'expandable_blockquote' : 'blockquote' };
  } else if (name === 'tg-emoji') {
    const id = attrs.get('emoji-id');
    if (!id) throw errors.parseEntities(`Can't find "emoji-id" attribute of tag "tg-emoji" ${at(source, index)}`);
    entity = { type: 'custom_emoji', custom_emoji_id: id };
  } else if (name === 'code' && stack.at(-1)?.tag === 'pre') {
    const language = /^language-(.+)$/.exec(attrs.get('class') ?? '')?.[1];
    if (language) entity = { type: 'code', language };
  }
  if (!entity) throw errors.parseEntities(`Unsupported start tag "${name}" ${at(source, index)}`);
  return { tag: name, start, entity };
}

/** Plain text and entities of an HTML-formatted message; throws 400 "can't parse entities: …". */
export function parseHtml(source: string): { text: string; entities: MessageEntity[] } {
  let text = '';
  const stack: Open[] = [];
  const entities: MessageEntity[] = [];
  for (let i = 0; i < source.length;) {
    const c = source[i]!;
    if (c === '&') {
      const ref = /^&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot);/i.exec(source.slice(i, i + 12));
      text += ref ? decode(ref[0]) : '&';
      i += ref ? ref[0].length : 1;
      continue;
    }
    if (c !== '<') {
      text += c;
      i += 1;
      continue;
    }
    const close = source.indexOf('>', i);
    if (close < 0) throw errors.parseEntities(`Unclosed start tag ${at(source, i)}`);
    const inner = source.slice(i + 1, close).trim();
    if (inner.startsWith('/')) {
      const name = inner.slice(1).trim().toLowerCase();
      const open = stack.pop();
      if (!open) throw errors.parseEntities(`Unexpected end tag ${at(source, i)}`);
      if (name !== open.tag) {
        throw errors.parseEntities(`Unmatched end tag ${at(source, i)}, expected "</${open.tag}>", found "</${name}>"`);
      }
      const parent = stack.at(-1);
      if (open.entity.language && parent?.tag === 'pre') parent.entity.language = open.entity.language;
      else if (text.length > open.start)
        entities.push({ ...open.entity, offset: open.start, length: text.length - open.start });
    } else {
      stack.push(openTag(source, i, inner.replace(/\/$/, ''), stack, text.length));
    }
    i = close + 1;
  }
  const unclosed = stack.at(-1);
  if (unclosed) throw errors.parseEntities(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text, entities };
}
