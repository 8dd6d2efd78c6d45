// One structured call for N posts, checked: the right number, none empty, none over the
// platform's limit as the platform counts it (contentLength: X's weighted length for TWITTER). A
// bad answer is retried once with the problem spelled out, and after an over-long post with a
// schema maxLength scaled down by how far over it was (an X post of CJK or emoji weighs about
// twice its code points); a second bad answer fails the job (nothing over-long is ever stored).
import { z } from 'zod';
import type { OpenRouter, Usage } from '../../integrations/openrouter.js';
import { ProviderError } from '../../integrations/provider-error.js';
import { contentLength, PLATFORM_LIMITS } from '../posts/posts.schemas.js';
import { postsMessages, postsSchema, targetLength, type PromptInput } from './prompts.js';

export interface WrittenPosts {
  contents: string[];
  model: string;
  tokensIn: number;
  tokensOut: number;
}

const answer = z.object({ posts: z.array(z.object({ content: z.string() })) });

interface Problem {
  message: string;
  /** An over-long post: its code points and its length as the platform counts it. */
  long?: { codePoints: number; length: number };
}

function problemWith(value: unknown, input: PromptInput): Problem | undefined {
  const parsed = answer.safeParse(value);
  if (!parsed.success) return { message: 'The answer did not match the JSON schema.' };
  const { posts } = parsed.data;
  if (posts.length !== input.count)
    return { message: `Write exactly ${input.count} posts; the answer had ${posts.length}.` };
  const limit = PLATFORM_LIMITS[input.platform];
  const contents = posts.map((p) => p.content.trim());
  const lengths = contents.map((c) => contentLength(input.platform, c));
  const long = lengths.findIndex((length) => length > limit);
  if (long >= 0) {
    const length = lengths[long]!;
    return {
      message: `Post ${long + 1} had ${length} characters; every post must stay under ${limit}.`,
      long: { codePoints: [...contents[long]!].length, length },
    };
  }
  if (contents.some((c) => c === '')) return { message: 'Every post needs content.' };
  return undefined;
}

/** The next attempt's maxLength: the code points that, at the long post's weight, make the target. */
function shrink(maxLength: number, target: number, long: Problem['long']): number {
  if (!long) return maxLength;
  return Math.max(1, Math.min(maxLength, Math.floor((target * long.codePoints) / long.length)));
}

/**
 * `onUsage` hears what every call cost as it is answered, including answers that are then
 * refused here and calls of an attempt that fails: the job records them all (JobContext.spend).
 */
export async function writePosts(
  openrouter: OpenRouter,
  input: PromptInput,
  { signal, onUsage }: { signal?: AbortSignal; onUsage?: (usage: Usage) => void } = {},
): Promise<WrittenPosts> {
  let tokensIn = 0;
  let tokensOut = 0;
  let correction: string | undefined;
  const target = targetLength(input.platform);
  let maxLength = target;
  for (let attempt = 1; attempt <= 2; attempt++) {
    const result = await openrouter.structured({
      messages: postsMessages(input, correction),
      schema: postsSchema(input.count, input.platform, maxLength),
      schemaName: 'posts',
      maxTokens: Math.min(16_000, 200 + input.count * Math.ceil(PLATFORM_LIMITS[input.platform] / 2)),
      signal,
      onUsage,
    });
    tokensIn += result.tokensIn;
    tokensOut += result.tokensOut;
    const problem = problemWith(result.value, input);
    if (!problem) {
      const contents = answer.parse(result.value).posts.map((p) => p.content.trim());
      return { contents, model: result.model, tokensIn, tokensOut };
    }
    correction = `Your previous answer was not usable: ${problem.message} Try again.`;
    maxLength = shrink(maxLength, target, problem.long);
  }
  throw new ProviderError(
    'OpenRouter',
    'malformed',
    `the model's posts did not fit ${input.platform} (${correction ?? ''})`,
  );
}
