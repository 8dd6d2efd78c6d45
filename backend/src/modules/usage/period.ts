// The usage period is the calendar month in UTC; it resets at the first instant of the next one.
export interface Period {
  start: Date;
  end: Date;
}

export function periodOf(now: Date): Period {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { start, end };
}
