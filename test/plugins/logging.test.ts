/**
 * Unexpected errors are logged by type and stack frames only: their messages can quote Healthie's
 * text or request data.
 */
import { describe, expect, it } from 'vitest';
import { describeForLog } from '../../src/plugins/logging.js';

describe('describeForLog', () => {
  it('keeps the type and frames of an error, never its message', () => {
    const error = new AggregateError([new Error('Jane Roe, jane@example.com')], 'Jane Roe, jane@example.com,\nborn 1984-03-07');
    const described = describeForLog(error);
    expect(described.type).toBe('AggregateError');
    expect(described.stack.length).toBeGreaterThan(0);
    expect(described.stack.every((frame) => frame.startsWith('at '))).toBe(true);
    expect(JSON.stringify(described)).not.toMatch(/Jane|example\.com|1984/);
  });

  it('describes a thrown non-error by its type alone', () => {
    expect(describeForLog('Jane Roe')).toEqual({ type: 'string', stack: [] });
  });
});
