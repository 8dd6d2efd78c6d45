// The OpenRouter emulator driven the way the product drives OpenRouter: fetch in the OpenAI
// chat-completions format against OPENROUTER_BASE_URL.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startOpenRouterEmulator, type Emulator } from '../../emulators/src/index.ts';
import { injectFault, recorded, resetEmulator } from './helpers.ts';

let emu: Emulator;
beforeAll(async () => {
  emu = await startOpenRouterEmulator();
});
afterAll(() => emu?.close());
beforeEach(() => resetEmulator(emu.url));

const KEY = 'sk-or-test-key';
const PROMPT = 'Write 5 posts about the artisanal sourdough bakery opening in Lisbon this autumn';

function chat(body: unknown, init: { key?: string | null; signal?: AbortSignal } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.key !== null) headers.authorization = `Bearer ${init.key ?? KEY}`;
  return fetch(`${emu.url}/chat/completions`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
    signal: init.signal,
  });
}

const Posts = z.object({
  posts: z
    .array(
      z.object({
        text: z.string().min(20).max(280),
        title: z.string().max(40),
        hashtags: z.array(z.string().max(30)).min(1).max(4),
        kind: z.enum(['tip', 'story', 'offer']),
        score: z.number().int().min(1).max(5),
        weight: z.number().gt(0).lt(1),
        pinned: z.boolean(),
        publishAt: z.iso.datetime().nullable(),
        link: z.url().optional(),
      }),
    )
    .min(1)
    .max(10),
});

const messages = (text: string) => [
  { role: 'system', content: 'You are a social media copywriter. Answer in JSON.' },
  { role: 'user', content: text },
];

const withSchema = (schema: unknown, text = PROMPT) => ({
  model: 'openai/gpt-4o-mini',
  messages: messages(text),
  response_format: { type: 'json_schema', json_schema: { name: 'posts', strict: true, schema } },
  temperature: 0.7,
});

describe('OpenRouter emulator', () => {
  it('answers with JSON that conforms to the request schema and follows the prompt', async () => {
    const schema = z.toJSONSchema(Posts);
    const res = await chat(withSchema(schema));
    expect(res.status).toBe(200);
    const body: any = await res.json();
    expect(body).toMatchObject({ object: 'chat.completion', model: 'openai/gpt-4o-mini', provider: 'emulator' });
    expect(body.id).toMatch(/^gen-/);
    expect(body.choices[0]).toMatchObject({ index: 0, finish_reason: 'stop', message: { role: 'assistant' } });
    const content = body.choices[0].message.content as string;
    expect(body.usage.completion_tokens).toBe(Math.ceil(Array.from(content).length / 4));
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);

    const value = JSON.parse(content);
    expect(Posts.parse(value)).toEqual(value); // the product's own zod schema accepts it
    expect(z.fromJSONSchema(schema as any).safeParse(value).success).toBe(true); // and so does the JSON Schema
    expect(value.posts).toHaveLength(5); // "Write 5 posts"
    const texts = value.posts.map((p: any) => p.text as string);
    expect(new Set(texts).size).toBe(5); // varies per index
    for (const text of texts) expect(text).toMatch(/sourdough|bakery|lisbon|artisanal/i);
    expect(texts[1]).toMatch(/^Post 2 about artisanal sourdough bakery/);
  });

  it('never exceeds maxLength, counting code points, and pads up to minLength', async () => {
    const schema = {
      type: 'object',
      properties: {
        headline: { type: 'string', maxLength: 12 },
        body: { type: 'string', minLength: 150, maxLength: 160 },
        tiny: { type: 'string', maxLength: 1 },
        items: { type: 'array', minItems: 2, maxItems: 2, items: { type: 'string', maxLength: 7 } },
      },
      required: ['headline', 'body', 'tiny', 'items'],
      additionalProperties: false,
    };
    const res = await chat(withSchema(schema, 'Café ☕ crème brûlée 🍮 pâtisserie in São Paulo 🇧🇷'));
    const value = JSON.parse(((await res.json()) as any).choices[0].message.content);
    const points = (s: string) => Array.from(s).length;
    expect(points(value.headline)).toBeLessThanOrEqual(12);
    expect(points(value.body)).toBeGreaterThanOrEqual(150);
    expect(points(value.body)).toBeLessThanOrEqual(160);
    expect(points(value.tiny)).toBeLessThanOrEqual(1);
    expect(value.items).toHaveLength(2);
    for (const item of value.items) expect(points(item)).toBeLessThanOrEqual(7);
    expect(value.body).toMatch(/café|crème|brûlée|pâtisserie/);
    expect(z.fromJSONSchema(schema as any).safeParse(value).success).toBe(true);
  });

  it('handles nullable types, $ref/$defs and allOf', async () => {
    const schema = {
      type: 'object',
      $defs: { Post: { type: 'object', properties: { text: { type: ['string', 'null'], maxLength: 50 } } } },
      properties: {
        first: { $ref: '#/$defs/Post' },
        both: {
          allOf: [{ $ref: '#/$defs/Post' }, { properties: { n: { type: 'integer', minimum: 3 } }, required: ['n'] }],
        },
        maybe: { anyOf: [{ type: 'null' }, { type: 'number', minimum: 0.5, maximum: 0.75 }] },
        fixed: { const: 'v1' },
      },
      required: ['first', 'both', 'maybe', 'fixed'],
    };
    const res = await chat(withSchema(schema));
    const value = JSON.parse(((await res.json()) as any).choices[0].message.content);
    expect(typeof value.first.text).toBe('string');
    expect(value.both.n).toBeGreaterThanOrEqual(3);
    expect(value.maybe).toBeGreaterThanOrEqual(0.5);
    expect(value.maybe).toBeLessThanOrEqual(0.75);
    expect(value.fixed).toBe('v1');
  });

  it('answers plain text without a schema, and a JSON object for json_object', async () => {
    const plain: any = await (await chat({ model: 'openai/gpt-4o', messages: messages(PROMPT) })).json();
    expect(plain.choices[0].message.content).toMatch(/sourdough/);
    expect(() => JSON.parse(plain.choices[0].message.content)).toThrow();
    const json: any = await (
      await chat({ model: 'openai/gpt-4o', messages: messages(PROMPT), response_format: { type: 'json_object' } })
    ).json();
    expect(JSON.parse(json.choices[0].message.content)).toEqual({ text: expect.stringMatching(/bakery/) });
  });

  it('cuts the answer at max_tokens with finish_reason "length"', async () => {
    const body: any = await (await chat({ model: 'm/x', messages: messages(PROMPT), max_tokens: 3 })).json();
    expect(body.choices[0].finish_reason).toBe('length');
    expect(Array.from(body.choices[0].message.content as string).length).toBeLessThanOrEqual(12);
  });

  it('answers from the next model in `models` when the primary fails with a 5xx', async () => {
    await injectFault(emu.url, { status: 503, path: '/chat/completions' });
    const res = await chat({
      ...withSchema({ type: 'string' }),
      models: ['openai/gpt-4o-mini', 'anthropic/claude-3.5-haiku'],
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).model).toBe('anthropic/claude-3.5-haiku');
    expect(await recorded(emu.url)).toHaveLength(1); // one HTTP request; the fallback is server-side

    // Without a fallback left, the 5xx reaches the caller in OpenRouter's error shape.
    await injectFault(emu.url, { status: 502, count: 2 });
    const failed = await chat({ model: 'a/one', models: ['a/two'], messages: messages(PROMPT) });
    expect(failed.status).toBe(502);
    expect(await failed.json()).toMatchObject({ error: { code: 502, metadata: { provider_name: 'emulator' } } });
  });

  it('answers an injected 429 with Retry-After (1 s unless set) and then recovers', async () => {
    await injectFault(emu.url, [{ status: 429, retryAfter: 7 }, { status: 429 }]);
    const first = await chat(withSchema({ type: 'string' }));
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('7');
    expect(await first.json()).toMatchObject({ error: { code: 429, message: expect.any(String) } });
    const second = await chat(withSchema({ type: 'string' }));
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('1');
    expect((await chat(withSchema({ type: 'string' }))).status).toBe(200);
  });

  it('hangs until a client-side AbortSignal timeout ends the call', async () => {
    emu.faults.add({ hang: true }); // in-process, same effect as the control API
    const started = Date.now();
    await expect(chat(withSchema({ type: 'string' }), { signal: AbortSignal.timeout(300) })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect((await chat(withSchema({ type: 'string' }))).status).toBe(200); // the next call is answered
  });

  it('answers late with delayMs, and with an unparseable 200 when malformed', async () => {
    await injectFault(emu.url, [{ delayMs: 200 }, { malformed: true }]);
    const started = Date.now();
    expect((await chat(withSchema({ type: 'string' }))).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    const bad = await chat(withSchema({ type: 'string' }));
    expect(bad.status).toBe(200);
    await expect(bad.json()).rejects.toThrow(SyntaxError);
  });

  it('applies a fault only to requests whose path matches', async () => {
    await injectFault(emu.url, { status: 500, path: '/models' });
    expect((await chat(withSchema({ type: 'string' }))).status).toBe(200);
    expect((await fetch(`${emu.url}/models`)).status).toBe(500);
  });

  it('refuses a missing or empty key with 401', async () => {
    const missing = await chat(withSchema({ type: 'string' }), { key: null });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ error: { code: 401, message: 'No auth credentials found' } });
    expect((await chat(withSchema({ type: 'string' }), { key: '' })).status).toBe(401);
  });

  it('rejects invalid requests with 400 in the OpenRouter error shape', async () => {
    const noMessages = await chat({ model: 'openai/gpt-4o' });
    expect(noMessages.status).toBe(400);
    expect(await noMessages.json()).toEqual({ error: { code: 400, message: expect.stringMatching(/messages/) } });
    const noModel = await chat({ messages: messages(PROMPT) });
    expect(noModel.status).toBe(400);
    expect(((await noModel.json()) as any).error.message).toMatch(/model/i);
    const badJson = await fetch(`${emu.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: '{"model": ',
    });
    expect(badJson.status).toBe(400);
    const noSchema = await chat({
      ...withSchema(undefined),
      response_format: { type: 'json_schema', json_schema: {} },
    });
    expect(noSchema.status).toBe(400);
  });

  it('records requests without credentials, readable over the control API', async () => {
    await chat(withSchema({ type: 'string' }));
    const [request] = await recorded(emu.url);
    expect(request).toMatchObject({ method: 'POST', path: '/api/v1/chat/completions', query: {} });
    expect(request.body.model).toBe('openai/gpt-4o-mini');
    expect(request.headers.authorization).toBeUndefined();
    expect(JSON.stringify(request)).not.toContain(KEY);
    expect(emu.requests).toHaveLength(1); // the same recordings in-process
    // The control API also answers under the base URL, so OPENROUTER_BASE_URL is all a test needs.
    expect(await (await fetch(`${emu.url}/__control/requests`)).json()).toHaveLength(1);
  });
});
