// A single byte range of a body held in memory (RFC 9110 §14): what media elements ask for (Safari
// plays <audio> only from a server that answers ranges). Anything else — several ranges, a range
// past the end, a stale If-Range — gets the whole body, as the RFC allows.

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

export function byteRange(
  header: string | undefined,
  size: number,
  { ifRange, etag }: { ifRange?: string; etag?: string } = {},
): ByteRange | undefined {
  if (!header || size === 0) return undefined;
  if (ifRange !== undefined && ifRange !== etag) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, from = '', to = ''] = match;
  if (from === '' && to === '') return undefined;
  if (from === '') {
    const suffix = Number(to); // the last `suffix` bytes
    return suffix === 0 ? undefined : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(from);
  const end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  return start < size && start <= end ? { start, end } : undefined;
}
