// One structured call for N posts, checked: the right number, none empty, none over the
// platform's limit. A bad answer is retried once with the problem spelled out; a second bad answer
// fails the job (nothing over-long is ever stored).
import { z } from 'zod';
import type { OpenRouter } from '../../integrations/openrouter.js';
import { ProviderError } from '../../integrations/provider-error.js';
import { contentLength, PLATFORM_LIMITS } from '../posts/platforms.js';
import { postsMessages, postsSchema, type PromptInput } from './prompts.js';

export interface WrittenPosts {
  contents: string[];
  model: string;
  tokensIn: number;
  tokensOut: number;
}

const answer = z.object({ posts: z.array(z.object({ content: z.string() })) });

function problemWith(value: unknown, input: PromptInput): string | undefined {
  const parsed = answer.safeParse(value);
  if (!parsed.success) return 'The answer did not match the JSON schema.';
  const { posts } = parsed.data;
  if (posts.length !== input.count) return `Write exactly ${input.count} posts; the answer had ${posts.length}.`;
  const limit = PLATFORM_LIMITS[input.platform];
  const long = posts.findIndex((p) => contentLength(p.content.trim()) > limit);
  if (long >= 0)
    return `Post ${long + 1} had ${contentLength(posts[long]!.content)} characters; every post must stay under ${limit}.`;
  if (posts.some((p) => p.content.trim() === '')) return 'Every post needs content.';
  return undefined;
}

export async function writePosts(
  openrouter: OpenRouter,
  input: PromptInput,
  signal?: AbortSignal,
): Promise<WrittenPosts> {
  let tokensIn = 0;
  let tokensOut = 0;
  let correction: string | undefined;
  for (let attempt = 1; attempt <= 2; attempt++) {
    const result = await openrouter.structured({
      messages: postsMessages(input, correction),
      schema: postsSchema(input.count, input.platform),
      schemaName: 'posts',
      maxTokens: Math.min(16_000, 200 + input.count * Math.ceil(PLATFORM_LIMITS[input.platform] / 2)),
      signal,
    });
    tokensIn += result.tokensIn;
    tokensOut += result.tokensOut;
    const problem = problemWith(result.value, input);
    if (!problem) {
      const contents = answer.parse(result.value).posts.map((p) => p.content.trim());
      return { contents, model: result.model, tokensIn, tokensOut };
    }
    correction = `Your previous answer was not usable: ${problem} Try again.`;
  }
  throw new ProviderError(
    'OpenRouter',
    'malformed',
    `the model's posts did not fit ${input.platform} (${correction ?? ''})`,
  );
}
