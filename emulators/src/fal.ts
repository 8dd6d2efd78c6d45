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
//   POST /__control/output {url?, serve?, bytes?}  what the results of jobs completed from now on
//                                               point at, for tests of a client that must not
//                                               trust them: `url` lists exactly that URL as the
//                                               image (a foreign host); `serve` makes /files/
//                                               answer a redirect (302 to the real PNG), html
//                                               (a page sent as image/png), gif (a real GIF sent
//                                               as image/png), or oversize (a PNG signature and
//                                               then `bytes` bytes, default 32 MiB, chunked with no
//                                               Content-Length). {} restores real PNGs, as reset.
//   GET  /__control/output                      that setting, and how many bytes the last
//                                               oversize answer wrote before the client stopped
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
const SERVE_MODES = ['png', 'redirect', 'html', 'gif', 'oversize'] as const;
type ServeMode = (typeof SERVE_MODES)[number];
const DEFAULT_OVERSIZE = 32 * 1024 * 1024;
const MAX_OVERSIZE = 1024 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024);
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
// A 1x1 GIF89a: header, screen descriptor with a 2-colour table, one image, LZW data, trailer.
const GIF = Buffer.from('474946383961010001008000000000ffffff21f90401000000002c00000000010001000002024401003b', 'hex');

/** What the results of the jobs completed from now on point at (POST /__control/output). */
export interface FalOutput {
  url?: string;
  serve?: ServeMode;
  bytes?: number;
}

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

/** The path under /files/ that serves the image as `output` asks (the mode rides in the path). */
function filePath(name: string, output: FalOutput): string {
  const serve = output.serve ?? 'png';
  if (serve === 'png') return `/files/${name}`;
  if (serve === 'oversize') return `/files/oversize-${output.bytes ?? DEFAULT_OVERSIZE}/${name}`;
  return `/files/${serve}/${name}`;
}

/** Runs the "model": validates like the real app and describes the images it made. */
function run(job: Job, origin: string, output: FalOutput): Outcome {
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
    url: output.url ?? `${origin}${filePath(`${job.id.slice(0, 8)}-${i}_${width}x${height}_${seed + i}.png`, output)}`,
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
  let output: FalOutput = {};
  let streamed = 0; // bytes the last oversize answer wrote

  const outcomeOf = (job: Job, origin: string) => {
    let outcome = outcomes.get(job.id);
    if (!outcome) outcomes.set(job.id, (outcome = run(job, origin, output)));
    return outcome;
  };

  function submit(ctx: Context, endpoint: string) {
    const job: Job = { id: randomUUID(), endpoint, input: ctx.body, state: 'IN_QUEUE', cancelled: false };
    if (ctx.req.headers['x-fal-queue-priority'] === undefined) {
      // fal.run(): the same path without the queue's header answers synchronously.
      const outcome = run(job, ctx.origin, output);
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
    const match = /^\/files\/(?:(redirect|html|gif|oversize-(\d+))\/)?([\w-]+_(\d+)x(\d+)_(\d+)\.png)$/.exec(ctx.path);
    if (!match || ctx.method !== 'GET') return sendJson(ctx.res, 404, { detail: 'File not found' });
    const [, mode, oversize, name] = match;
    const [width, height, seed] = match.slice(4).map(Number) as [number, number, number];
    if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) {
      return sendJson(ctx.res, 404, { detail: 'File not found' });
    }
    if (mode === 'redirect') {
      ctx.res.writeHead(302, { location: `${ctx.origin}/files/${name}`, 'content-length': 0 });
      ctx.res.end();
      return;
    }
    if (mode === 'html') return sendBytes(ctx.res, 200, 'image/png', '<!doctype html><title>Not an image</title>');
    if (mode === 'gif') return sendBytes(ctx.res, 200, 'image/png', GIF);
    if (oversize) return streamOversize(ctx, Math.min(Number(oversize), MAX_OVERSIZE));
    let png = pngs.get(ctx.path);
    if (!png) {
      png = encodePng(width, height, seed);
      pngs.set(ctx.path, png);
      if (pngs.size > 16) pngs.delete(pngs.keys().next().value!);
    }
    sendBytes(ctx.res, 200, 'image/png', png);
  }

  /** `total` bytes that start like a PNG, chunked, honouring backpressure; stops when the client goes. */
  function streamOversize(ctx: Context, total: number) {
    const { res } = ctx;
    streamed = 0;
    res.writeHead(200, { 'content-type': 'image/png' });
    let closed = false;
    res.on('close', () => (closed = true));
    const write = () => {
      while (!closed && streamed < total) {
        const chunk = streamed === 0 ? Buffer.concat([PNG_SIGNATURE, CHUNK]) : CHUNK;
        const piece = chunk.subarray(0, Math.min(chunk.length, total - streamed));
        streamed += piece.length;
        if (!res.write(piece)) return void res.once('drain', write);
      }
      if (!closed) res.end();
    };
    write();
  }

  /** POST/GET /__control/output. */
  function controlOutput(ctx: Context): boolean {
    if (ctx.path !== '/__control/output') return false;
    if (ctx.method === 'GET') {
      sendJson(ctx.res, 200, { output, streamed });
      return true;
    }
    if (ctx.method !== 'POST') return false;
    const body = (ctx.body ?? {}) as Record<string, unknown>;
    const { url, serve, bytes } = body;
    const problem =
      typeof body !== 'object' || Array.isArray(body)
        ? 'the body is a JSON object'
        : url !== undefined && (typeof url !== 'string' || !URL.canParse(url))
          ? 'url must be a URL'
          : serve !== undefined && !SERVE_MODES.includes(serve as ServeMode)
            ? `serve must be one of ${SERVE_MODES.join(', ')}`
            : bytes !== undefined &&
                (!Number.isInteger(bytes) || (bytes as number) < 1 || (bytes as number) > MAX_OVERSIZE)
              ? `bytes must be a whole number from 1 to ${MAX_OVERSIZE}`
              : undefined;
    if (problem) {
      sendJson(ctx.res, 400, { error: problem });
      return true;
    }
    output = JSON.parse(JSON.stringify({ url, serve, bytes })) as FalOutput;
    sendJson(ctx.res, 200, { output });
    return true;
  }

  return startServer(
    {
      name: 'fal',
      baseUrl: (origin) => origin,
      errorBody: (_status, message) => ({ detail: message }),
      control: controlOutput,
      reset: () => {
        output = {};
        streamed = 0;
      },
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
