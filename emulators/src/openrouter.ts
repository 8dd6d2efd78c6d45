// OpenRouter emulator: the OpenAI chat-completions protocol under /api/v1, with OpenRouter's own
// touches (the `models` fallback list answered server-side, `provider` in the response, errors as
// { error: { code, message, metadata? } }). Structured outputs return JSON that conforms to the
// request's schema, with strings built from the prompt. Every answer carries `usage` as
// OpenRouter's usage accounting sends it (tokens, `cost` in US dollars, the details objects).
//   POST /__control/ignore-schema {count?}  the next `count` (default 1) completions answer `{}`
//        whatever the schema asks, as a model that breaks structured output does (still charged).
// Not emulated: streaming (`stream: true` is refused with a 400), tools, and `pattern` in schemas.
import { randomBytes } from 'node:crypto';
import { credential, sendJson, startServer, type Context, type Emulator, type EmulatorOptions } from './http.js';
import { sampleFromSchema } from './schema.js';
import { lastUserText, topicOf, wordsAt } from './topic.js';

export const OPENROUTER_MODELS = [
  'openai/gpt-4o-mini',
  'openai/gpt-4o',
  'anthropic/claude-3.5-haiku',
  'anthropic/claude-sonnet-4',
  'google/gemini-2.5-flash',
  'meta-llama/llama-3.3-70b-instruct',
];

interface ChatRequest {
  model?: unknown;
  models?: unknown;
  messages?: unknown;
  response_format?: unknown;
  max_tokens?: unknown;
  stream?: unknown;
}

function errorBody(status: number, message: string) {
  // OpenRouter names the upstream in metadata when a provider failed.
  const metadata = status >= 500 ? { metadata: { provider_name: 'emulator' } } : {};
  return { error: { code: status, message, ...metadata } };
}

/** `model` first, then the `models` fallback list, without repeats, as OpenRouter tries them. */
function candidates(body: unknown): string[] {
  const { model, models } = (body ?? {}) as ChatRequest;
  const list = [model, ...(Array.isArray(models) ? (models as unknown[]) : [])];
  return [...new Set(list.filter((m): m is string => typeof m === 'string' && m.trim() !== ''))];
}

const isChat = (ctx: Context) => ctx.method === 'POST' && ctx.path === '/api/v1/chat/completions';

function validate(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'Request body must be a JSON object';
  const request = body as ChatRequest;
  const { messages, models, response_format: format, max_tokens: maxTokens } = request;
  if (!Array.isArray(messages) || messages.length === 0) return 'messages: expected a non-empty array';
  for (const m of messages as unknown[]) {
    if (typeof (m as { role?: unknown })?.role !== 'string') return 'messages: every message needs a role';
  }
  if (models !== undefined && (!Array.isArray(models) || models.some((m) => typeof m !== 'string'))) {
    return 'models: expected an array of model ids';
  }
  if (candidates(body).length === 0) return 'No model specified: set `model` or `models`';
  if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || (maxTokens as number) < 1)) {
    return 'max_tokens: expected a positive integer';
  }
  if (request.stream === true) return 'stream: streaming is not supported by the emulator';
  if (format !== undefined) {
    const type = (format as { type?: unknown })?.type;
    if (type === 'json_schema') {
      const schema = (format as { json_schema?: { schema?: unknown } }).json_schema?.schema;
      if (typeof schema !== 'object' || schema === null) return 'response_format.json_schema.schema is required';
    } else if (type !== 'json_object' && type !== 'text') {
      return 'response_format.type must be one of text, json_object, json_schema';
    }
  }
  return undefined;
}

function contentFor(request: ChatRequest): string {
  const topic = topicOf(lastUserText(request.messages as unknown[]));
  const format = request.response_format as { type?: string; json_schema?: { schema?: unknown } } | undefined;
  if (format?.type === 'json_schema') return JSON.stringify(sampleFromSchema(format.json_schema?.schema, topic));
  const text = `Here is a short take on ${wordsAt(topic, 0, 3).join(' ')}: ${wordsAt(topic, 3, 5).join(', ')}.`;
  return format?.type === 'json_object' ? JSON.stringify({ text }) : text;
}

const tokens = (text: string) => Math.ceil(Array.from(text).length / 4);

/** US dollars per million prompt / completion tokens, near the models' public prices. */
const PRICES: Record<string, [number, number]> = {
  'openai/gpt-4o-mini': [0.15, 0.6],
  'openai/gpt-4o': [2.5, 10],
  'anthropic/claude-3.5-haiku': [0.8, 4],
  'anthropic/claude-sonnet-4': [3, 15],
  'google/gemini-2.5-flash': [0.3, 2.5],
  'meta-llama/llama-3.3-70b-instruct': [0.13, 0.4],
};
const DEFAULT_PRICE: [number, number] = [1, 4];

/**
 * The `usage` object OpenRouter sends with every answer (usage accounting is always on): token
 * counts, `cost` in credits (US dollars) and the details objects.
 */
export function usageFor(model: string, promptTokens: number, completionTokens: number) {
  const [input, output] = PRICES[model] ?? DEFAULT_PRICE;
  const cost = Number(((promptTokens * input + completionTokens * output) / 1_000_000).toFixed(9));
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    cost,
    is_byok: false,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    cost_details: { upstream_inference_cost: null },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
}

/** Completions still to answer off-schema (POST /__control/ignore-schema). */
interface Misbehaviour {
  ignoreSchema: number;
}

function complete(ctx: Context, misbehaviour: Misbehaviour): void {
  const problem = validate(ctx.body);
  if (problem) return sendJson(ctx.res, 400, errorBody(400, problem));
  const request = ctx.body as ChatRequest;
  const model = candidates(request)[(ctx.locals.modelIndex as number | undefined) ?? 0]!;
  let content = contentFor(request);
  if (misbehaviour.ignoreSchema > 0) {
    misbehaviour.ignoreSchema -= 1;
    content = '{}';
  }
  let finish = 'stop';
  const limit = request.max_tokens as number | undefined;
  if (limit !== undefined && tokens(content) > limit) {
    // Like a real model hitting max_tokens: cut off mid-answer (even mid-JSON) and say so.
    content = Array.from(content)
      .slice(0, limit * 4)
      .join('');
    finish = 'length';
  }
  const promptTokens = tokens(JSON.stringify(request.messages));
  const completionTokens = tokens(content);
  sendJson(ctx.res, 200, {
    id: `gen-${Math.floor(Date.now() / 1000)}-${randomBytes(10).toString('hex')}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    provider: 'emulator',
    choices: [
      {
        index: 0,
        logprobs: null,
        finish_reason: finish,
        native_finish_reason: finish,
        message: { role: 'assistant', content, refusal: null },
      },
    ],
    usage: usageFor(model, promptTokens, completionTokens),
  });
}

export function startOpenRouterEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const misbehaviour: Misbehaviour = { ignoreSchema: 0 };
  return startServer(
    {
      name: 'openrouter',
      baseUrl: (origin) => `${origin}/api/v1`,
      errorBody,
      authenticate: (ctx) => {
        if (!ctx.path.startsWith('/api/v1/') || ctx.path === '/api/v1/models') return undefined; // public, as upstream
        return credential(ctx.req.headers.authorization, 'Bearer') ? undefined : 'No auth credentials found';
      },
      // A 5xx on one model moves on to the next entry of `models`, as OpenRouter does server-side.
      absorbFault: (ctx, fault) => {
        if (!isChat(ctx) || (fault.status ?? 0) < 500) return false;
        const at = (ctx.locals.modelIndex as number | undefined) ?? 0;
        if (at + 1 >= candidates(ctx.body).length) return false;
        ctx.locals.modelIndex = at + 1;
        return true;
      },
      control: (ctx) => {
        if (`${ctx.method} ${ctx.path}` !== 'POST /__control/ignore-schema') return false;
        const count = (ctx.body as { count?: unknown } | undefined)?.count ?? 1;
        if (!Number.isInteger(count) || (count as number) < 0 || (count as number) > 1000) {
          sendJson(ctx.res, 400, { error: 'count: expected a whole number from 0 to 1000' });
          return true;
        }
        misbehaviour.ignoreSchema = count as number;
        sendJson(ctx.res, 201, { ignoreSchema: misbehaviour.ignoreSchema });
        return true;
      },
      reset: () => {
        misbehaviour.ignoreSchema = 0;
      },
      handle: (ctx) => {
        if (isChat(ctx)) return complete(ctx, misbehaviour);
        if (ctx.method === 'GET' && ctx.path === '/api/v1/models') {
          const data = OPENROUTER_MODELS.map((id) => ({ id, name: id, context_length: 128_000 }));
          return sendJson(ctx.res, 200, { data });
        }
        sendJson(ctx.res, 404, errorBody(404, `Not Found: ${ctx.method} ${ctx.path}`));
      },
    },
    options,
  );
}
