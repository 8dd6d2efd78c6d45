// Times in the user's zone, never ambiguous: every absolute time names its zone, relative times
// only go beside an absolute one. The API speaks UTC; the conversions here are Intl's own.

function parts(date: Date, timeZone: string) {
  const out: Record<string, number> = {};
  for (const p of new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(date)) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return out as { year: number; month: number; day: number; hour: number; minute: number; second: number };
}

/** The zone's offset from UTC at that instant, in milliseconds (Berlin in summer: +7,200,000). */
export function zoneOffsetMs(date: Date, timeZone: string): number {
  const p = parts(date, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(date.getTime() / 1000) * 1000;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An instant as the value of a `datetime-local` input in that zone (`2026-12-02T09:30`). */
export function toZonedInput(iso: string | Date, timeZone: string): string {
  const p = parts(typeof iso === 'string' ? new Date(iso) : iso, timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/**
 * A wall-clock time in a zone (`2026-12-02T09:30`) as the UTC instant it names. A time that does
 * not exist (skipped by a DST change) moves forward by the gap, as clocks do; one that happens
 * twice takes the first.
 */
export function fromZonedInput(value: string, timeZone: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!m) throw new Error(`Not a date and time: ${value}`);
  const wall = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!);
  // The offsets in force a day before and a day after: a wall time reads right under one, both
  // (it happens twice: the first wins) or neither (skipped: the earlier offset moves it forward).
  const before = wall - zoneOffsetMs(new Date(wall - 86_400_000), timeZone);
  const after = wall - zoneOffsetMs(new Date(wall + 86_400_000), timeZone);
  const reads = (t: number) => toZonedInput(new Date(t), timeZone) === value.slice(0, 16);
  const valid = [before, after].filter(reads);
  return new Date(valid.length > 0 ? Math.min(...valid) : before);
}

/** `Tue 2 Dec, 09:30` in the zone, in the browser's language and its 12/24-hour habit. */
export function formatDateTime(iso: string | Date, timeZone: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: 'numeric',
    minute: '2-digit',
    ...(new Date(iso).getFullYear() !== new Date().getFullYear() ? { year: 'numeric' } : {}),
  }).format(new Date(iso));
}

export function formatDate(iso: string | Date, timeZone: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone, day: 'numeric', month: 'long', year: 'numeric' }).format(
    new Date(iso),
  );
}

/** "in 2 hours", "5 minutes ago" (beside an absolute time, never alone). */
export function relativeTime(iso: string | Date, now = Date.now(), locale?: string): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const abs = Math.abs(seconds);
  if (abs < 60) return rtf.format(seconds, 'second');
  if (abs < 3_600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return rtf.format(Math.round(seconds / 3_600), 'hour');
  return rtf.format(Math.round(seconds / 86_400), 'day');
}

/** Whether the browser knows the zone (canonical or an alias such as Asia/Kolkata). */
export function isTimeZone(zone: string): boolean {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The IANA zones to pick from: the browser's canonical list (Chromium still lists some under old
 * names, e.g. Asia/Calcutta), plus UTC and the given current names (e.g. Asia/Kolkata).
 */
export function allTimeZones(...extra: string[]): string[] {
  return [...new Set(['UTC', ...extra.filter(isTimeZone), ...Intl.supportedValuesOf('timeZone')])].sort();
}
