// The worker reads a job's stored input with its type's schema (define-job.ts) before the handler
// runs: an input that does not match fails the job at once, with an error that names the type and
// the field, refunds it, and calls no provider.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGeneration, waitForJob, type GenerationSetup } from '../../helpers/generation.ts';
import { startTestWorker } from '../../helpers/worker.ts';

let g: GenerationSetup;
beforeAll(async () => {
  // No worker yet: the stored input is changed before any worker sees the job.
  g = await startGeneration({ withWorker: false });
});
afterAll(() => g?.close());

const completions = () => g.emulators.openrouter.requests.filter((r) => r.path.endsWith('/chat/completions')).length;

describe('job input validation', () => {
  it('fails a job whose stored input does not match its schema, with a readable error, and refunds it', async () => {
    const c = await g.signIn();
    const accepted = await c.post('/ai/generate', {
      transcript: 'We roast our beans on Tuesdays and ship them on Wednesdays.',
      platform: 'LINKEDIN',
      numberOfPosts: 2,
      style: 'CASUAL',
    });
    expect(accepted.status).toBe(202);
    const { id } = accepted.body;
    expect((await c.get('/usage')).body.posts.used).toBe(2);
    // The row is changed behind the API's back (as a schema change without the queued jobs would).
    const job = await g.app.db.job.findUniqueOrThrow({ where: { id } });
    await g.app.db.job.update({
      where: { id },
      data: { input: { ...(job.input as Record<string, unknown>), numberOfPosts: 'two' } },
    });

    const before = completions();
    const worker = await startTestWorker(g.app, { env: { OPENROUTER_BASE_URL: g.emulators.openrouter.url } });
    try {
      const failed = await waitForJob(c, id);
      expect(failed.status).toBe('FAILED');
      expect(failed.error).toEqual({
        code: 'INTERNAL_ERROR',
        message: expect.stringMatching(/^The job's input is not a valid POSTS input \(input\.numberOfPosts: .+\)\.$/),
      });
    } finally {
      await worker.close();
    }
    // Failed at once (no retry), nothing called or written, the reservation given back.
    expect((await g.app.db.job.findUniqueOrThrow({ where: { id } })).attempts).toBe(1);
    expect(completions()).toBe(before);
    expect(await g.app.db.post.count({ where: { jobId: id } })).toBe(0);
    expect((await c.get('/usage')).body.posts.used).toBe(0);
    expect(await g.app.db.usageEntry.count({ where: { jobId: id, kind: 'REFUND' } })).toBe(1);
  });
});
