// Reading a response body with a byte cap that is enforced while reading: the stream is cancelled
// as soon as the cap is passed, so an endless or huge answer costs at most the cap in memory and
// bandwidth (Content-Length is checked first, but a chunked answer has none, and a server may lie).
import { ProviderError, type Provider } from './provider-error.js';

export async function readCapped(
  res: Response,
  { provider, what }: { provider: Provider; what: string },
  maxBytes: number,
): Promise<Buffer> {
  const tooLarge = () =>
    new ProviderError(provider, 'malformed', `${what} answered more than ${maxBytes} bytes (not read further)`);
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!res.body) return Buffer.alloc(0);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let step: Awaited<ReturnType<typeof reader.read>>;
    try {
      step = await reader.read();
    } catch {
      throw new ProviderError(provider, 'network', `${what} broke off while the answer was read`);
    }
    if (step.done) break;
    total += step.value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(step.value);
  }
  return Buffer.concat(chunks, total);
}
