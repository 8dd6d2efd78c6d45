import { describe, expect, it } from 'vitest';
import { calendarSlots, slotCount, zonedTime } from '../../backend/src/modules/generation/calendar.ts';

describe('campaign calendar', () => {
  it('converts local wall time to UTC across daylight-saving changes', () => {
    expect(zonedTime(2026, 3, 28, 9, 0, 'Europe/Berlin').toISOString()).toBe('2026-03-28T08:00:00.000Z'); // CET
    expect(zonedTime(2026, 3, 29, 9, 0, 'Europe/Berlin').toISOString()).toBe('2026-03-29T07:00:00.000Z'); // CEST from 02:00
    expect(zonedTime(2026, 11, 1, 9, 0, 'America/New_York').toISOString()).toBe('2026-11-01T14:00:00.000Z'); // EST from 02:00
    expect(zonedTime(2026, 6, 1, 12, 30, 'Asia/Kolkata').toISOString()).toBe('2026-06-01T07:00:00.000Z');
    expect(zonedTime(2026, 6, 1, 17, 30, 'UTC').toISOString()).toBe('2026-06-01T17:30:00.000Z');
  });

  it('spreads slots evenly over the days at reading times', () => {
    const slots = calendarSlots({
      startDate: '2026-12-07',
      durationDays: 7,
      postsPerWeek: 3,
      timeZone: 'Europe/Berlin',
    });
    expect(slots.map((d) => d.toISOString())).toEqual([
      '2026-12-07T08:00:00.000Z',
      '2026-12-09T08:00:00.000Z',
      '2026-12-11T08:00:00.000Z',
    ]);
  });

  it('uses successive reading times when several posts share a day', () => {
    const slots = calendarSlots({ startDate: '2026-12-07', durationDays: 2, postsPerWeek: 21, timeZone: 'UTC' });
    expect(slots).toHaveLength(6);
    expect(slots.map((d) => d.toISOString().slice(0, 16))).toEqual([
      '2026-12-07T09:00',
      '2026-12-07T12:30',
      '2026-12-07T17:30',
      '2026-12-08T09:00',
      '2026-12-08T12:30',
      '2026-12-08T17:30',
    ]);
  });

  it('counts slots from days and posts a week', () => {
    expect(slotCount({ durationDays: 7, postsPerWeek: 3 })).toBe(3);
    expect(slotCount({ durationDays: 1, postsPerWeek: 1 })).toBe(1);
    expect(slotCount({ durationDays: 90, postsPerWeek: 21 })).toBe(270);
  });
});
