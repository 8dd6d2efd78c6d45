// parse_mode "MarkdownV2" (and the legacy "Markdown"): markers to entities, with Telegram's checks.
// MarkdownV2's famous failure is an unescaped reserved character ("." "-" "!" ...), answered with
// "Character '.' is reserved and must be escaped with the preceding '\'"; an unclosed marker gives
// "Can't find end of Bold entity at byte offset N". Legacy Markdown has no reserved characters.
import { errors } from './errors.js';
import type { MessageEntity } from './types.js';

const RESERVED = new Set('_*[]()~`>#+-=|{}.!'.split(''));
const NAMES: Record<string, string> = {
  bold: 'Bold',
  italic: 'Italic',
  underline: 'Underline',
  strikethrough: 'Strikethrough',
  spoiler: 'Spoiler',
  text_link: 'TextUrl',
  code: 'Code',
  pre: 'Pre',
};

interface Open {
  marker: string;
  type: string;
  start: number;
  byte: number;
}

const byteAt = (source: string, index: number) => Buffer.byteLength(source.slice(0, index));

/** Plain text and entities of a Markdown(V2) message; throws 400 "can't parse entities: …". */
export function parseMarkdown(source: string, legacy: boolean): { text: string; entities: MessageEntity[] } {
  let text = '';
  const stack: Open[] = [];
  const entities: MessageEntity[] = [];
  let quoteStart: number | undefined;
  const unclosed = (open: { type: string; byte: number }) =>
    errors.parseEntities(
      legacy
        ? `Can't find end of the entity starting at byte offset ${open.byte}`
        : `Can't find end of ${NAMES[open.type] ?? open.type} entity at byte offset ${open.byte}`,
    );
  const toggle = (marker: string, type: string, i: number) => {
    if (stack.at(-1)?.marker === marker) {
      const open = stack.pop()!;
      if (text.length > open.start) entities.push({ type, offset: open.start, length: text.length - open.start });
    } else if (stack.some((o) => o.marker === marker)) {
      throw unclosed(stack.at(-1)!); // overlapping markers: the inner one is never closed
    } else {
      stack.push({ marker, type, start: text.length, byte: byteAt(source, i) });
    }
  };
  // Reads code/pre/URL content up to an unescaped `end`, where only `\` and the end mark can be escaped.
  const verbatim = (from: number, end: string): { content: string; next: number } | undefined => {
    let content = '';
    for (let j = from; j < source.length;) {
      if (source[j] === '\\' && j + 1 < source.length && !legacy) {
        content += source[j + 1];
        j += 2;
      } else if (source.startsWith(end, j)) {
        return { content, next: j + end.length };
      } else {
        content += source[j];
        j += 1;
      }
    }
    return undefined;
  };

  for (let i = 0; i < source.length;) {
    const c = source[i]!;
    const lineStart = i === 0 || source[i - 1] === '\n';
    if (!legacy && lineStart && c === '>') {
      quoteStart ??= text.length;
      i += 1;
      continue;
    }
    if (c === '\n' && quoteStart !== undefined && source[i + 1] !== '>') {
      entities.push({ type: 'blockquote', offset: quoteStart, length: text.length - quoteStart });
      quoteStart = undefined;
    }
    const next = source[i + 1];
    if (c === '\\' && next !== undefined && (legacy ? '_*`['.includes(next) : next.charCodeAt(0) <= 126)) {
      text += next;
      i += 2;
    } else if (c === '`') {
      const pre = source.startsWith('```', i);
      const open = { type: pre ? 'pre' : 'code', byte: byteAt(source, i) };
      const body = verbatim(i + (pre ? 3 : 1), pre ? '```' : '`');
      if (!body) throw unclosed(open);
      let content = body.content;
      let language: string | undefined;
      const firstLine = /^([^\s`]+)\n/.exec(content);
      if (pre && firstLine) [language, content] = [firstLine[1], content.slice(firstLine[0].length)];
      else if (pre && content.startsWith('\n')) content = content.slice(1);
      if (content.length > 0) {
        entities.push({
          type: open.type,
          offset: text.length,
          length: content.length,
          ...(language ? { language } : {}),
        });
      }
      text += content;
      i = body.next;
    } else if (c === '*') {
      toggle('*', 'bold', i);
      i += 1;
    } else if (c === '_' && next === '_' && !legacy) {
      toggle('__', 'underline', i);
      i += 2;
    } else if (c === '_') {
      toggle('_', 'italic', i);
      i += 1;
    } else if (c === '~' && !legacy) {
      toggle('~', 'strikethrough', i);
      i += 1;
    } else if (c === '|' && next === '|' && !legacy) {
      toggle('||', 'spoiler', i);
      i += 2;
    } else if (c === '[') {
      stack.push({ marker: '[', type: 'text_link', start: text.length, byte: byteAt(source, i) });
      i += 1;
    } else if (c === ']' && stack.at(-1)?.marker === '[') {
      const open = stack.pop()!;
      const url = next === '(' ? verbatim(i + 2, ')') : undefined;
      if (!url) throw errors.parseEntities(`Can't find end of a URL at byte offset ${byteAt(source, i)}`);
      if (text.length > open.start) {
        entities.push({ type: 'text_link', offset: open.start, length: text.length - open.start, url: url.content });
      }
      i = url.next;
    } else if (!legacy && RESERVED.has(c)) {
      throw errors.parseEntities(`Character '${c}' is reserved and must be escaped with the preceding '\\'`);
    } else {
      text += c;
      i += 1;
    }
  }
  const open = stack.at(-1);
  if (open) throw unclosed(open);
  if (quoteStart !== undefined)
    entities.push({ type: 'blockquote', offset: quoteStart, length: text.length - quoteStart });
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text, entities: entities.filter((e) => e.length > 0) };
}
