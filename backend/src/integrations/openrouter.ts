// OpenRouter over its OpenAI-compatible chat-completions protocol: structured output through a
// JSON schema, fallback models through OpenRouter's own `models` list, token usage, cost and the
// model that answered reported back (usage also through `onUsage`, for answers that then fail).
import { z } from 'zod';
import type { Config } from '../config/index.js';
import { readJson, request } from './http.js';
import { ProviderError } from './provider-error.js';
import { createGuard, type ResilienceOptions } from './resilience.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface StructuredRequest {
  messages: ChatMessage[];
  /** JSON Schema of the answer (strict: OpenRouter passes it to models that support it). */
  schema: Record<string, unknown>;
  schemaName: string;
  maxTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
  /**
   * Told what each answer OpenRouter sent cost, as soon as it arrives: also for an answer that
   * then fails (not JSON, not a completion) and for each retried call, since every one was paid.
   */
  onUsage?: (usage: Usage) => void;
}

/** What one answer cost: OpenRouter's `usage` (tokens by the model's tokenizer, `cost` in credits = USD). */
export interface Usage {
  model?: string;
  tokensIn: number;
  tokensOut: number;
  /** `usage.cost` in millionths of a US dollar (0 when not reported). */
  costMicroUsd: number;
}

export interface StructuredResult extends Usage {
  value: unknown;
  model: string;
}

const completion = z.object({
  model: z.string(),
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullable() }),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1),
});

// OpenRouter sends `usage` with every answer (no opt-in any more), `cost` included.
const usageBody = z.object({
  model: z.string().optional(),
  usage: z.object({
    prompt_tokens: z.number().nonnegative().catch(0),
    completion_tokens: z.number().nonnegative().catch(0),
    cost: z.number().nonnegative().catch(0),
  }),
});

/** The usage of an answer, read on its own so that an answer unusable otherwise still reports it. */
function usageOf(body: unknown): Usage | undefined {
  const parsed = usageBody.safeParse(body);
  if (!parsed.success) return undefined;
  const { prompt_tokens: tokensIn, completion_tokens: tokensOut, cost } = parsed.data.usage;
  return {
    model: parsed.data.model,
    tokensIn: Math.round(tokensIn),
    tokensOut: Math.round(tokensOut),
    costMicroUsd: Math.round(cost * 1_000_000),
  };
}

export function createOpenRouter(config: Config['openrouter'], resilience?: ResilienceOptions) {
  const guard = createGuard('OpenRouter', resilience);
  // Without a key the base URL points at the local emulator, which wants some key, like OpenRouter.
  const key = config.apiKey ?? 'local-emulator';
  return {
    guard,
    async structured(req: StructuredRequest): Promise<StructuredResult> {
      const body = {
        model: config.model,
        ...(config.fallbackModels.length > 0 ? { models: [config.model, ...config.fallbackModels] } : {}),
        messages: req.messages,
        response_format: {
          type: 'json_schema',
          json_schema: { name: req.schemaName, strict: true, schema: req.schema },
        },
        ...(req.maxTokens ? { max_tokens: req.maxTokens } : {}),
        temperature: req.temperature ?? 0.8,
      };
      return guard(async (signal) => {
        const what = 'chat completion';
        const res = await request(
          `${config.baseUrl}/chat/completions`,
          {
            method: 'POST',
            headers: {
              Authorization: `Bearer ${key}`,
              'Content-Type': 'application/json',
              'X-Title': 'Postaify',
            },
            body: JSON.stringify(body),
          },
          {
            provider: 'OpenRouter',
            what,
            timeoutMs: config.timeoutMs,
            signal: req.signal ? AbortSignal.any([req.signal, signal]) : signal,
          },
        );
        const answer = await readJson(res, { provider: 'OpenRouter', what });
        const usage = usageOf(answer) ?? { tokensIn: 0, tokensOut: 0, costMicroUsd: 0 };
        req.onUsage?.(usage);
        const parsed = completion.safeParse(answer);
        if (!parsed.success)
          throw new ProviderError('OpenRouter', 'malformed', `${what}: the answer is not a chat completion`);
        const content = parsed.data.choices[0]?.message.content ?? '';
        let value: unknown;
        try {
          value = JSON.parse(content);
        } catch {
          throw new ProviderError('OpenRouter', 'malformed', `${what}: the model did not answer JSON`);
        }
        return { ...usage, value, model: parsed.data.model };
      });
    },
  };
}

export type OpenRouter = ReturnType<typeof createOpenRouter>;
