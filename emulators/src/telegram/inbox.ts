// A small web inbox at the emulator's origin, so a person can use the local stack as they would use
// Telegram: the chats, each chat's messages from the bot (formatted text, photos, voice players,
// inline buttons that press as a callback_query), a box to write as the user, and GET /start (and
// /<bot username>?start=) standing in for t.me deep links. Plain HTML, no external assets.
import type { ServerResponse } from 'node:http';
import { sendBytes } from '../http.js';
import { CHAT_ERROR_KINDS, type ChatErrorKind } from './errors.js';
import { groupMessage, pressButton, userMessage, type TelegramState } from './state.js';
import type { ChatState, HistoryEntry } from './store.js';
import type { MessageEntity } from './types.js';

const esc = (s: unknown) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const TAGS: Record<string, [string, string]> = {
  bold: ['<b>', '</b>'],
  italic: ['<i>', '</i>'],
  underline: ['<u>', '</u>'],
  strikethrough: ['<s>', '</s>'],
  spoiler: ['<span class="spoiler">', '</span>'],
  code: ['<code>', '</code>'],
  pre: ['<pre>', '</pre>'],
  blockquote: ['<blockquote>', '</blockquote>'],
  expandable_blockquote: ['<blockquote>', '</blockquote>'],
};

/** Text with its entities as HTML; an entity that crosses another (allowed in `entities`) is shown plain. */
function formatted(text: string, entities: MessageEntity[] = []): string {
  const sorted = [...entities].sort((a, b) => a.offset - b.offset || b.length - a.length);
  const stack: number[] = []; // end offsets of the open tags
  const closers: string[] = [];
  let html = '';
  let at = 0;
  const closeUntil = (limit: number) => {
    while (stack.length > 0 && stack.at(-1)! <= limit) {
      const end = stack.pop()!;
      html += esc(text.slice(at, end)) + closers.pop()!;
      at = end;
    }
  };
  for (const e of sorted) {
    closeUntil(e.offset);
    if (stack.length > 0 && e.offset + e.length > stack.at(-1)!) continue;
    const href = e.type === 'text_link' || e.type === 'url' ? (e.url ?? text.slice(e.offset, e.offset + e.length)) : '';
    const tag: [string, string] | undefined = /^(https?|tg):/i.test(href) // never a javascript: link
      ? [`<a href="${esc(href)}" rel="noreferrer">`, '</a>']
      : TAGS[e.type];
    if (!tag) continue;
    html += esc(text.slice(at, e.offset)) + tag[0];
    at = e.offset;
    stack.push(e.offset + e.length);
    closers.push(tag[1]);
  }
  closeUntil(Infinity);
  return html + esc(text.slice(at));
}

const STYLE = `body{font:15px system-ui,sans-serif;max-width:760px;margin:2em auto;padding:0 1em;color:#222}
a{color:#2a6ebb}.msg{border-radius:10px;padding:.6em .8em;margin:.6em 0;max-width:85%;box-shadow:0 1px 2px #0002}
.bot{background:#fff;border:1px solid #ddd}.user{background:#dcf8c6;margin-left:auto}.meta{font-size:12px;color:#888}
.text{white-space:pre-wrap;word-wrap:break-word}img{max-width:100%;border-radius:6px}.kb form{display:inline}
.kb button,.kb a{margin:2px;padding:.3em .8em}.spoiler{background:#ccc}table{border-collapse:collapse}
td,th{padding:.3em .8em;border-bottom:1px solid #eee;text-align:left}input[type=text]{width:60%}`;

function page(state: TelegramState, title: string, body: string): string {
  const reload = `let v=${state.chats.version};setInterval(async()=>{const a=document.activeElement;
if(a&&a.tagName==='INPUT'&&a.value)return;try{const r=await fetch('/__inbox/version');
if((await r.json()).version!==v)location.reload()}catch{}},1500);`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body><p><a href="/">Chats</a> · @${esc(state.bot.username)} (Telegram emulator)</p>${body}<script>${reload}</script></body></html>`;
}

const chatName = (c: ChatState) =>
  c.chat.title ?? `${c.chat.first_name ?? c.chat.id}${c.chat.username ? ` @${c.chat.username}` : ''}`;

function chatList(state: TelegramState): string {
  const rows = [...state.chats.chats.values()]
    .map(
      (c) =>
        `<tr><td><a href="/chats/${c.chat.id}">${esc(chatName(c))}</a></td><td>${c.chat.id}</td><td>${c.chat.type}</td>` +
        `<td>${c.history.length}</td><td>${c.error === 'none' ? '' : esc(c.error)}</td></tr>`,
    )
    .join('');
  const nextId = 100_001 + state.chats.chats.size;
  return page(
    state,
    'Telegram emulator',
    `<h1>Chats</h1><table><tr><th>Chat</th><th>id</th><th>type</th><th>messages</th><th>error</th></tr>${rows}</table>
<h2>Write as a new user</h2><form method="post" action="/chats/new"><p>chat id <input name="chat" value="${nextId}" size="10">
username <input name="username" size="12"> first name <input name="first_name" value="Tester" size="12"></p>
<p><input type="text" name="text" value="/start"> <button>Send</button></p></form>`,
  );
}

function entryHtml(chat: ChatState, entry: HistoryEntry): string {
  const m = entry.message;
  const time = new Date(m.date * 1000).toLocaleTimeString('en-GB');
  let html = `<div class="msg ${entry.from}"><div class="meta">#${m.message_id} · ${time}${entry.record ? ` · ${entry.record.method}` : ''}${m.edit_date ? ' · edited' : ''}</div>`;
  if (m.photo) html += `<img src="/__inbox/files/${encodeURIComponent(m.photo.at(-1)!.file_id)}" alt="photo">`;
  if (m.voice)
    html += `<audio controls src="/__inbox/files/${encodeURIComponent(m.voice.file_id)}"></audio> ${m.voice.duration} s`;
  if (m.text !== undefined) html += `<div class="text">${formatted(m.text, m.entities)}</div>`;
  if (m.caption !== undefined) html += `<div class="text">${formatted(m.caption, m.caption_entities)}</div>`;
  const rows = m.reply_markup?.inline_keyboard ?? [];
  for (const row of rows) {
    html += '<div class="kb">';
    for (const b of row) {
      if (b.url && /^(https?|tg):/i.test(b.url))
        html += `<a href="${esc(b.url)}" rel="noreferrer">${esc(b.text)} ↗</a>`;
      else if (b.callback_data !== undefined) {
        html += `<form method="post" action="/chats/${chat.chat.id}/press"><input type="hidden" name="message_id" value="${m.message_id}">
<input type="hidden" name="data" value="${esc(b.callback_data)}"><button>${esc(b.text)}</button></form>`;
      } else html += `<button disabled>${esc(b.text)}</button>`;
    }
    html += '</div>';
  }
  return `${html}</div>`;
}

function chatPage(state: TelegramState, chat: ChatState): string {
  const answers = [...state.chats.callbacks.values()]
    .filter((c) => c.query.message.chat.id === chat.chat.id && c.answer?.text)
    .map((c) => `<li>${esc(c.query.data)} → ${esc(c.answer!.text)}${c.answer!.show_alert ? ' (alert)' : ''}</li>`)
    .join('');
  const options = CHAT_ERROR_KINDS.map((k) => `<option${k === chat.error ? ' selected' : ''}>${k}</option>`).join('');
  return page(
    state,
    chatName(chat),
    `<h1>${esc(chatName(chat))}</h1><p class="meta">chat id ${chat.chat.id} · ${chat.chat.type}</p>
${chat.history.map((e) => entryHtml(chat, e)).join('')}
<form method="post" action="/chats/${chat.chat.id}/send"><p><input type="text" name="text" placeholder="Message" autofocus> <button>Send</button></p></form>
${answers ? `<h3>Button answers</h3><ul>${answers}</ul>` : ''}
<form method="post" action="/chats/${chat.chat.id}/error"><p class="meta">Telegram refuses the bot here:
<select name="kind">${options}</select> <button>Set</button></p></form>`,
  );
}

function startPage(state: TelegramState, code: string): string {
  return page(
    state,
    'Open in Telegram',
    `<h1>Start @${esc(state.bot.username)}</h1><p>Sends <code>/start ${esc(code)}</code> from this chat:</p>
<form method="get" action="/start"><input type="hidden" name="bot" value="${esc(state.bot.username)}">
<input type="hidden" name="start" value="${esc(code)}"><p>chat id <input name="chat" value="${100_001 + state.chats.chats.size}" size="10">
username <input name="username" size="12"> first name <input name="first_name" value="Tester" size="12"> <button>Start</button></p></form>`,
  );
}

const redirect = (res: ServerResponse, to: string) => {
  res.writeHead(303, { location: to });
  res.end();
};
const html = (res: ServerResponse, status: number, body: string) =>
  sendBytes(res, status, 'text/html; charset=utf-8', body);

const person = (q: URLSearchParams) => ({
  username: q.get('username') ?? undefined,
  first_name: q.get('first_name') || undefined,
});

/** Answers the inbox routes; false when the path is not one of them (nothing was written). */
function route(state: TelegramState, method: string, url: URL, form: URLSearchParams, res: ServerResponse): boolean {
  const path = url.pathname;
  if (method === 'GET' && path === '/') {
    html(res, 200, chatList(state));
  } else if (method === 'GET' && path === '/__inbox/version') {
    sendBytes(res, 200, 'application/json', JSON.stringify({ version: state.chats.version }));
  } else if (method === 'GET' && path.startsWith('/__inbox/files/')) {
    const stored = state.media.get(decodeURIComponent(path.slice('/__inbox/files/'.length)));
    if (stored?.bytes) sendBytes(res, 200, stored.mime, stored.bytes);
    else if (stored?.sourceUrl) redirect(res, stored.sourceUrl);
    else html(res, 404, 'no such file');
  } else if (method === 'GET' && (path === '/start' || path.toLowerCase() === `/${state.bot.username.toLowerCase()}`)) {
    const code = url.searchParams.get('start') ?? '';
    const bot = url.searchParams.get('bot');
    const chat = url.searchParams.get('chat');
    if (bot !== null && bot.toLowerCase() !== state.bot.username.toLowerCase())
      html(res, 404, `no bot @${esc(bot)} here`);
    else if (!chat) html(res, 200, startPage(state, code));
    else {
      userMessage(state, Number(chat), { text: code ? `/start ${code}` : '/start', ...person(url.searchParams) });
      redirect(res, `/chats/${Number(chat)}`);
    }
  } else {
    const match = /^\/chats\/(-?\d+|new)(?:\/(send|press|error))?$/.exec(path);
    if (!match) return false;
    const id = match[1] === 'new' ? Number(form.get('chat')) : Number(match[1]);
    const action = match[1] === 'new' ? 'send' : match[2];
    if (method === 'GET' && !action) {
      const chat = state.chats.get(id);
      if (chat) html(res, 200, chatPage(state, chat));
      else html(res, 404, 'no such chat');
      return true;
    }
    if (method !== 'POST' || !action) return false;
    const text = form.get('text') ?? '';
    if (action === 'send' && text !== '') {
      if (id < 0) groupMessage(state, id, { text, ...person(form) });
      else userMessage(state, id, { text, ...person(form) });
    }
    if (action === 'press') pressButton(state, id, Number(form.get('message_id')), form.get('data'));
    if (action === 'error') state.chats.setError(id, (form.get('kind') ?? 'none') as ChatErrorKind);
    redirect(res, `/chats/${id}`);
  }
  return true;
}

/** The inbox's routes; a person's mistake (bad chat id, stale button) is shown as a 400 page. */
export function inbox(
  state: TelegramState,
  method: string,
  url: URL,
  form: URLSearchParams,
  res: ServerResponse,
): boolean {
  try {
    return route(state, method, url, form, res);
  } catch (err) {
    html(res, 400, page(state, 'Error', `<p>${esc((err as Error).message)}</p>`));
    return true;
  }
}
