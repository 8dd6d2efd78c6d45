// Retrying a statement Postgres rolled back: deadlocks and serialization failures run again, a
// bounded number of times; any other error (or none of Postgres's) is thrown at once.
import { describe, expect, it } from 'vitest';
import { retryingConflicts, sqlState } from '../../backend/src/lib/db-conflicts.ts';

/** An error shaped as Prisma's pg adapter reports a failed raw query. */
const postgresError = (code: string) =>
  Object.assign(new Error(`Raw query failed. Code: \`${code}\``), {
    code: 'P2010',
    meta: { driverAdapterError: { cause: { originalCode: code } } },
  });

function failing(codes: string[]) {
  let calls = 0;
  const statement = () => {
    const code = codes[calls++];
    return code ? Promise.reject(postgresError(code)) : Promise.resolve('done');
  };
  return { statement, calls: () => calls };
}

describe('retryingConflicts', () => {
  it('runs a statement again after a deadlock or a serialization failure', async () => {
    const s = failing(['40P01', '40001']);
    expect(await retryingConflicts(s.statement)).toBe('done');
    expect(s.calls()).toBe(3);
  });

  it('gives up after its attempts', async () => {
    const s = failing(['40P01', '40P01', '40P01', '40P01']);
    await expect(retryingConflicts(s.statement)).rejects.toThrow('40P01');
    expect(s.calls()).toBe(3);
  });

  it('throws any other error at once', async () => {
    const s = failing(['23503']);
    await expect(retryingConflicts(s.statement)).rejects.toThrow('23503');
    expect(s.calls()).toBe(1);
    let calls = 0;
    const plain = () => {
      calls++;
      return Promise.reject(new Error('connection reset'));
    };
    await expect(retryingConflicts(plain)).rejects.toThrow('connection reset');
    expect(calls).toBe(1);
    expect(sqlState(new Error('x'))).toBeUndefined();
  });
});
