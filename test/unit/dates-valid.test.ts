import { describe, expect, it } from 'vitest';
import { isValidDate } from '../../src/shared/dates';

/** The former definition: whatever Date round-trips. */
const viaDate = (text: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(text + 'T00:00:00Z');
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
};

describe('isValidDate', () => {
  it('agrees with Date on every day of leap and common years, centuries and edge forms', () => {
    const candidates: string[] = ['', '2026-1-01', '2026-01-1', ' 2026-01-01', '2026-01-01 ', '2026/01/01', '20260101', '2026-01-01T00:00:00Z'];
    for (const year of ['0000', '1900', '2000', '2024', '2025', '2026', '2100', '9999']) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) candidates.push(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
      }
    }
    // Years outside 1900–2999 are refused on purpose (PostgreSQL has no year 0; far years break date arithmetic).
    const inRange = (text: string) => text.slice(0, 4) >= '1900' && text.slice(0, 4) <= '2999';
    for (const text of candidates) expect([text, isValidDate(text)]).toEqual([text, viaDate(text) && inRange(text)]);
    expect(isValidDate('2024-02-29')).toBe(true);
    expect(isValidDate('2026-02-29')).toBe(false);
    expect(isValidDate('2100-02-29')).toBe(false);
    expect(isValidDate('2000-02-29')).toBe(true);
    expect(isValidDate('0000-02-29')).toBe(false);
    expect(isValidDate('9999-01-01')).toBe(false);
  });
});
