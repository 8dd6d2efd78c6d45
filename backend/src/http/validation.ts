// Zod failures at the edge become one 400 VALIDATION_ERROR naming each offending field.
import type { z } from 'zod';
import { AppError } from '../lib/errors.js';

export type Location = 'body' | 'query' | 'params';

export function validationError(location: Location, error: z.ZodError): AppError {
  const issues = error.issues.map((issue) => {
    const path = [location, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      return {
        path,
        message: `Unknown field(s): ${issue.keys.join(', ')}.`,
        fields: issue.keys.map((k) => `${path}.${k}`),
      };
    }
    return { path, message: issue.message };
  });
  const first = issues[0];
  const summary = first ? `${first.path}: ${first.message}` : `Invalid ${location}.`;
  return new AppError('VALIDATION_ERROR', `Invalid request. ${summary}`, { issues });
}

export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, location: Location): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(location, result.error);
  return result.data;
}
