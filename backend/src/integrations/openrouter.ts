// OpenRouter over its OpenAI-compatible chat-completions protocol: structured output through a
// JSON schema, fallback models through OpenRouter's own `models` list, token usage and the model
// that answered reported back.
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
}

export interface StructuredResult {
  value: unknown;
  model: string;
  tokensIn: number;
  tokensOut: number;
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
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).partial().optional(),
});

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
        const parsed = completion.safeParse(await readJson(res, { provider: 'OpenRouter', what }));
        if (!parsed.success)
          throw new ProviderError('OpenRouter', 'malformed', `${what}: the answer is not a chat completion`);
        const content = parsed.data.choices[0]?.message.content ?? '';
        let value: unknown;
        try {
          value = JSON.parse(content);
        } catch {
          throw new ProviderError('OpenRouter', 'malformed', `${what}: the model did not answer JSON`);
        }
        return {
          value,
          model: parsed.data.model,
          tokensIn: parsed.data.usage?.prompt_tokens ?? 0,
          tokensOut: parsed.data.usage?.completion_tokens ?? 0,
        };
      });
    },
  };
}

export type OpenRouter = ReturnType<typeof createOpenRouter>;
