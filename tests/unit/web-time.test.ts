// The web app's time conversions: a wall-clock time typed in the user's zone is the UTC instant
// the API gets, across DST changes, and back again; times name their zone.
import { describe, expect, it } from 'vitest';
import { formatDateTime, fromZonedInput, isTimeZone, toZonedInput, zoneOffsetMs } from '../../frontend/lib/time.ts';

describe('times in the user zone', () => {
  it('converts a wall-clock time in a zone to UTC and back', () => {
    expect(fromZonedInput('2026-12-02T09:30', 'Europe/Berlin').toISOString()).toBe('2026-12-02T08:30:00.000Z');
    expect(fromZonedInput('2026-07-02T09:30', 'Europe/Berlin').toISOString()).toBe('2026-07-02T07:30:00.000Z');
    expect(fromZonedInput('2026-12-02T09:30', 'Asia/Kolkata').toISOString()).toBe('2026-12-02T04:00:00.000Z');
    expect(fromZonedInput('2026-12-02T09:30', 'America/Los_Angeles').toISOString()).toBe('2026-12-02T17:30:00.000Z');
    expect(toZonedInput('2026-12-02T04:00:00.000Z', 'Asia/Kolkata')).toBe('2026-12-02T09:30');
    expect(toZonedInput('2026-12-31T23:30:00.000Z', 'Pacific/Auckland')).toBe('2027-01-01T12:30');
  });

  it('moves a time skipped by the spring change forward, and takes the first of a repeated one', () => {
    // Berlin, 29 March 2026: 02:00 → 03:00. 02:30 does not exist; clocks read 03:30 then.
    expect(fromZonedInput('2026-03-29T02:30', 'Europe/Berlin').toISOString()).toBe('2026-03-29T01:30:00.000Z');
    // 25 October 2026: 03:00 → 02:00. 02:30 happens twice; the first is still summer time.
    expect(fromZonedInput('2026-10-25T02:30', 'Europe/Berlin').toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(zoneOffsetMs(new Date('2026-10-25T00:30:00Z'), 'Europe/Berlin')).toBe(2 * 3_600_000);
    expect(zoneOffsetMs(new Date('2026-10-25T01:30:00Z'), 'Europe/Berlin')).toBe(3_600_000);
  });

  it('round-trips every quarter hour of a DST day', () => {
    for (let m = 0; m < 24 * 60; m += 15) {
      const instant = new Date(Date.UTC(2026, 2, 29, 0, m));
      expect(
        fromZonedInput(toZonedInput(instant, 'America/New_York'), 'America/New_York').getTime(),
      ).toBeLessThanOrEqual(instant.getTime());
      expect(
        toZonedInput(fromZonedInput(toZonedInput(instant, 'Europe/Berlin'), 'Europe/Berlin'), 'Europe/Berlin'),
      ).toBe(toZonedInput(instant, 'Europe/Berlin'));
    }
  });

  it('formats in the zone given, not the machine’s', () => {
    expect(formatDateTime('2026-12-02T04:00:00.000Z', 'Asia/Kolkata', 'en-GB')).toContain('9:30');
    expect(formatDateTime('2026-12-02T04:00:00.000Z', 'UTC', 'en-GB')).toContain('4:00');
  });

  it('knows zones by canonical name and alias', () => {
    expect(isTimeZone('Asia/Kolkata')).toBe(true);
    expect(isTimeZone('Asia/Calcutta')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });
});
