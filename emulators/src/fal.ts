// Fal emulator: the queue protocol that @fal-ai/client 1.10 speaks to queue.fal.run, on the
// emulator's origin (the product rewrites the origin of every Fal request to FAL_BASE_URL).
//   POST /{owner}/{alias}[/{subpath}]           submit → IN_QUEUE (sync run when the client's
//                                               x-fal-queue-priority header is absent, as fal.run)
//   GET  /{owner}/{alias}/requests/{id}/status  IN_PROGRESS on the 1st poll, COMPLETED on the 2nd
//                                               (at once when polled with ?logs=1)
//   GET  /{owner}/{alias}/requests/{id}         the result (400 until completed)
//   PUT  /{owner}/{alias}/requests/{id}/cancel
//   GET  /files/{name}.png                      a real PNG of the generated size (no auth, like
//                                               fal's public CDN); names carry size and seed, so
//                                               they stay valid for the life of the process
// Input is validated when the job runs (as on Fal): a bad input completes and its result is a 422
// in FastAPI's { detail: [...] } shape. The image is always a PNG whatever `output_format` says.
import { randomInt, randomUUID } from 'node:crypto';
import {
  credential,
  sendBytes,
  sendJson,
  startServer,
  type Context,
  type Emulator,
  type EmulatorOptions,
} from './http.js';
import { encodePng } from './png.js';

export const FAL_ENDPOINTS = ['fal-ai/flux/schnell', 'fal-ai/flux/dev', 'fal-ai/flux-pro/v1.1', 'fal-ai/fast-sdxl'];

export const FAL_IMAGE_SIZES: Record<string, [number, number]> = {
  square_hd: [1024, 1024],
  square: [512, 512],
  landscape_4_3: [1024, 768],
  landscape_16_9: [1024, 576],
  portrait_4_3: [768, 1024],
  portrait_16_9: [576, 1024],
};

const MAX_SIDE = 2048; // keeps PNG generation in the tens of milliseconds
const MAX_JOBS = 1000;

type State = 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED';
interface Job {
  id: string;
  endpoint: string;
  input: unknown;
  state: State;
  cancelled: boolean;
}
interface Outcome {
  status: number;
  body: unknown;
}

const fieldError = (field: string, msg: string, type: string, input?: unknown) => ({
  status: 422,
  body: { detail: [{ loc: ['body', field], msg, type, ...(input === undefined ? {} : { input }) }] },
});

function sizeOf(value: unknown): [number, number] | undefined {
  if (value === undefined) return FAL_IMAGE_SIZES.landscape_4_3; // fal's default for flux
  if (typeof value === 'string') return FAL_IMAGE_SIZES[value];
  const { width, height } = (value ?? {}) as { width?: unknown; height?: unknown };
  if (!Number.isInteger(width) || !Number.isInteger(height) || (width as number) < 1 || (height as number) < 1) {
    return undefined;
  }
  return [Math.min(width as number, MAX_SIDE), Math.min(height as number, MAX_SIDE)];
}

/** Runs the "model": validates like the real app and describes the images it made. */
function run(job: Job, origin: string): Outcome {
  const input = (job.input ?? {}) as Record<string, unknown>;
  const prompt = input.prompt;
  if (typeof prompt !== 'string' || prompt.trim() === '') return fieldError('prompt', 'Field required', 'missing');
  const size = sizeOf(input.image_size);
  if (!size) {
    const presets = Object.keys(FAL_IMAGE_SIZES).join(', ');
    return fieldError('image_size', `Input should be one of ${presets} or { width, height }`, 'enum', input.image_size);
  }
  const count = input.num_images ?? 1;
  if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > 4) {
    return fieldError('num_images', 'Input should be an integer from 1 to 4', 'less_than_equal', count);
  }
  const safety = input.enable_safety_checker ?? true;
  if (typeof safety !== 'boolean') return fieldError('enable_safety_checker', 'Input should be a boolean', 'bool_type');
  const seed = Number.isInteger(input.seed) ? (input.seed as number) : randomInt(0, 2 ** 31);
  const [width, height] = size;
  const images = Array.from({ length: count as number }, (_, i) => ({
    // The name carries what the PNG needs, so /files/ can serve it without remembering jobs.
    url: `${origin}/files/${job.id.slice(0, 8)}-${i}_${width}x${height}_${seed + i}.png`,
    width,
    height,
    content_type: 'image/png',
  }));
  return {
    status: 200,
    body: {
      images,
      seed,
      has_nsfw_concepts: images.map(() => false),
      enable_safety_checker: safety,
      prompt,
      timings: { inference: job.endpoint.endsWith('/schnell') ? 0.42 : 2.1 },
    },
  };
}

function urls(job: Job, origin: string) {
  // Status and result live under owner/alias without the subpath ("fal-ai/flux", not ".../schnell").
  const base = `${origin}/${job.endpoint.split('/').slice(0, 2).join('/')}/requests/${job.id}`;
  return { request_id: job.id, response_url: base, status_url: `${base}/status`, cancel_url: `${base}/cancel` };
}

function statusBody(job: Job, origin: string, withLogs: boolean, outcome: Outcome | undefined) {
  const logs = withLogs
    ? [
        {
          message: `Generating image for request ${job.id}`,
          level: 'INFO',
          source: 'user',
          timestamp: new Date().toISOString(),
        },
      ]
    : null;
  const common = { status: job.state, ...urls(job, origin) };
  if (job.state === 'IN_QUEUE') return { ...common, queue_position: 0 };
  if (job.state === 'IN_PROGRESS') return { ...common, logs };
  const error = job.cancelled ? 'Request was cancelled' : outcome?.status === 200 ? undefined : 'Validation error';
  return { ...common, logs, metrics: { inference_time: 0.42 }, ...(error ? { error } : {}) };
}

export function startFalEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const jobs = new Map<string, Job>();
  const outcomes = new Map<string, Outcome>(); // one outcome per job, so seeds stay stable
  const pngs = new Map<string, Buffer>(); // a few recent images: clients fetch each once or twice

  const outcomeOf = (job: Job, origin: string) => {
    let outcome = outcomes.get(job.id);
    if (!outcome) outcomes.set(job.id, (outcome = run(job, origin)));
    return outcome;
  };

  function submit(ctx: Context, endpoint: string) {
    const job: Job = { id: randomUUID(), endpoint, input: ctx.body, state: 'IN_QUEUE', cancelled: false };
    if (ctx.req.headers['x-fal-queue-priority'] === undefined) {
      // fal.run(): the same path without the queue's header answers synchronously.
      const outcome = run(job, ctx.origin);
      return sendJson(ctx.res, outcome.status, outcome.body, { 'x-fal-request-id': job.id });
    }
    jobs.set(job.id, job);
    if (jobs.size > MAX_JOBS) {
      const oldest = jobs.keys().next().value!;
      jobs.delete(oldest);
      outcomes.delete(oldest);
    }
    sendJson(ctx.res, 200, { status: 'IN_QUEUE', ...urls(job, ctx.origin), queue_position: 0 });
  }

  function onRequest(ctx: Context, segments: string[], at: number) {
    const id = segments[at + 1] ?? '';
    const tail = segments.slice(at + 2).join('/');
    const job = jobs.get(id);
    const app = segments.slice(0, at).join('/');
    const sameApp = job && (job.endpoint === app || job.endpoint.startsWith(`${app}/`));
    if (!job || !sameApp) return sendJson(ctx.res, 404, { detail: `Request ${id} not found` });
    if (ctx.method === 'GET' && tail === 'status') {
      const withLogs = ctx.query.get('logs') === '1';
      if (job.state === 'IN_QUEUE') job.state = withLogs ? 'COMPLETED' : 'IN_PROGRESS';
      else if (job.state === 'IN_PROGRESS') job.state = 'COMPLETED';
      const outcome = job.state === 'COMPLETED' && !job.cancelled ? outcomeOf(job, ctx.origin) : undefined;
      return sendJson(ctx.res, outcome || job.cancelled ? 200 : 202, statusBody(job, ctx.origin, withLogs, outcome));
    }
    if (ctx.method === 'GET' && tail === '') {
      if (job.cancelled) return sendJson(ctx.res, 400, { detail: 'Request was cancelled' });
      if (job.state !== 'COMPLETED') return sendJson(ctx.res, 400, { detail: 'Request is still in progress' });
      const outcome = outcomeOf(job, ctx.origin);
      return sendJson(ctx.res, outcome.status, outcome.body, { 'x-fal-request-id': job.id });
    }
    if (ctx.method === 'PUT' && tail === 'cancel') {
      if (job.state === 'COMPLETED') return sendJson(ctx.res, 400, { status: 'ALREADY_COMPLETED' });
      job.cancelled = true;
      job.state = 'COMPLETED';
      return sendJson(ctx.res, 202, { status: 'CANCELLATION_REQUESTED' });
    }
    sendJson(ctx.res, 404, { detail: `Not emulated: ${ctx.method} ${ctx.path}` });
  }

  function file(ctx: Context) {
    const match = /^\/files\/[\w-]+_(\d+)x(\d+)_(\d+)\.png$/.exec(ctx.path);
    if (!match || ctx.method !== 'GET') return sendJson(ctx.res, 404, { detail: 'File not found' });
    const [width, height, seed] = match.slice(1).map(Number) as [number, number, number];
    if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) {
      return sendJson(ctx.res, 404, { detail: 'File not found' });
    }
    let png = pngs.get(ctx.path);
    if (!png) {
      png = encodePng(width, height, seed);
      pngs.set(ctx.path, png);
      if (pngs.size > 16) pngs.delete(pngs.keys().next().value!);
    }
    sendBytes(ctx.res, 200, 'image/png', png);
  }

  return startServer(
    {
      name: 'fal',
      baseUrl: (origin) => origin,
      errorBody: (_status, message) => ({ detail: message }),
      authenticate: (ctx) => {
        if (ctx.path.startsWith('/files/')) return undefined;
        const key = credential(ctx.req.headers.authorization, 'Key');
        return key ? undefined : 'Missing or invalid credentials: send Authorization: Key <FAL_KEY>';
      },
      malformed: (ctx) =>
        ctx.path.startsWith('/files/')
          ? { contentType: 'image/png', body: 'this is not a png' }
          : { contentType: 'application/json', body: '{"status":"COMPLETED","images":[{"url":' },
      handle: (ctx) => {
        if (ctx.path.startsWith('/files/')) return file(ctx);
        const segments = ctx.path.split('/').filter(Boolean);
        const at = segments.indexOf('requests');
        if (at >= 2) return onRequest(ctx, segments, at);
        const endpoint = segments.join('/');
        if (ctx.method === 'POST' && FAL_ENDPOINTS.includes(endpoint)) return submit(ctx, endpoint);
        sendJson(ctx.res, 404, { detail: `Application '${endpoint}' not found` });
      },
    },
    options,
  );
}
