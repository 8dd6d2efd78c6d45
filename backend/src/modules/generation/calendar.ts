// A campaign's calendar: N slots spread evenly over the days, at times people read social media,
// in the user's own time zone, converted to UTC instants.

const LOCAL_TIMES: Array<[number, number]> = [
  [9, 0],
  [12, 30],
  [17, 30],
];

/** The UTC offset of `timeZone` at `instant`, in ms (positive east of UTC). */
function offsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The instant at which the wall clock in `timeZone` shows the given local date and time. */
export function zonedTime(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  timeZone: string,
): Date {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let guess = wall - offsetMs(wall, timeZone);
  // Once more, in case the first guess crossed a daylight-saving change.
  guess = wall - offsetMs(guess, timeZone);
  return new Date(guess);
}

export interface CalendarInput {
  /** First day, YYYY-MM-DD in the user's time zone. */
  startDate: string;
  durationDays: number;
  postsPerWeek: number;
  timeZone: string;
}

export const slotCount = ({ durationDays, postsPerWeek }: Pick<CalendarInput, 'durationDays' | 'postsPerWeek'>) =>
  Math.max(1, Math.round((durationDays * postsPerWeek) / 7));

export function calendarSlots(input: CalendarInput): Date[] {
  const [y, m, d] = input.startDate.split('-').map(Number) as [number, number, number];
  const count = slotCount(input);
  const slots: Date[] = [];
  for (let i = 0; i < count; i++) {
    // Evenly over the days; several a day take successive reading times.
    const dayIndex = Math.floor((i * input.durationDays) / count);
    const sameDayBefore = slots.filter((_, j) => Math.floor((j * input.durationDays) / count) === dayIndex).length;
    const [hour, minute] = LOCAL_TIMES[sameDayBefore % LOCAL_TIMES.length]!;
    const extraHours = Math.floor(sameDayBefore / LOCAL_TIMES.length); // more than three a day
    const date = new Date(Date.UTC(y, m - 1, d + dayIndex));
    slots.push(
      zonedTime(
        date.getUTCFullYear(),
        date.getUTCMonth() + 1,
        date.getUTCDate(),
        hour + extraHours,
        minute,
        input.timeZone,
      ),
    );
  }
  return slots;
}

const MAX_AHEAD_DAYS = 365;

/**
 * Why a campaign's dates cannot be planned, or undefined. A calendar starts today or later in the
 * user's time zone and ends within 365 days, the window that scheduling a single post allows.
 */
export function calendarDateProblem(input: CalendarInput, now = new Date()): string | undefined {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: input.timeZone }).format(now); // YYYY-MM-DD
  if (input.startDate < today) return `startDate ${input.startDate} is before today (${today} in ${input.timeZone}).`;
  const last = calendarSlots(input).at(-1)!;
  if (last.getTime() - now.getTime() > MAX_AHEAD_DAYS * 24 * 60 * 60 * 1000) {
    return `The campaign would end more than ${MAX_AHEAD_DAYS} days ahead (${last.toISOString()}).`;
  }
  return undefined;
}
