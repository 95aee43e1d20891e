/**
 * The kinds of setting config.ts reads, as zod schemas of one environment variable's text: each
 * says what is wrong in the variable's own name, so that the one start-up error lists every
 * problem with its fix. Apart from config.ts only to keep that module readable at once.
 */
import { z } from 'zod';

/** Text, trimmed; empty counts as not set. */
export const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

/** A whole number in [min, max], `fallback` when not set. */
export const integer = (name: string, min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) => (value === undefined || value === '' ? String(fallback) : value))
    .pipe(
      z.coerce
        .number<string>({ message: `${name} must be a whole number` })
        .int(`${name} must be a whole number`)
        .min(min, `${name} must be at least ${min}`)
        .max(max, `${name} must be at most ${max}`),
    );

/** A whole number in [min, max], or undefined when not set. */
export const optionalInteger = (name: string, min: number, max: number) =>
  optionalText.pipe(
    z.coerce
      .number<string>({ message: `${name} must be a whole number` })
      .int(`${name} must be a whole number`)
      .min(min, `${name} must be at least ${min}`)
      .max(max, `${name} must be at most ${max}`)
      .optional(),
  );

/** `true` or `false`; false when not set. */
export const boolean = (name: string) =>
  optionalText.pipe(z.enum(['true', 'false'], { message: `${name} must be true or false` }).optional()).transform((value) => value === 'true');
