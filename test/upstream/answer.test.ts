/**
 * readAnswer turns one Healthie answer into the operation's result: Healthie's data with the
 * client's response keys, its field errors translated and placed, and the outcome the client
 * records. (Failures are in answer-errors.test.ts; the client's tests cover the same through HTTP.)
 */
import { parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { readAnswer } from '../../src/upstream/answer.js';

const operationOf = (text: string) => parse(text).definitions[0] as OperationDefinitionNode;
const read = (status: number, body: unknown, query = '{ a: user(id: "1") { id } b: user(id: "2") { id } }') =>
  readAnswer(status, typeof body === 'string' ? body : JSON.stringify(body), { operation: operationOf(query), variables: {}, write: false });

describe('readAnswer', () => {
  it("gives a clean answer's data as it came, with the outcome ok and nothing rate-limited", () => {
    const data = { a: { id: '1' }, b: null };
    const reading = read(200, { data });
    expect(reading.failure).toBeUndefined();
    expect(reading.result).toEqual({ data });
    expect(reading.outcome).toBe('ok');
    expect(reading.rateLimited).toBe(false);
    expect(reading.fields).toMatchObject({ upstreamStatus: 200, fieldErrors: 0, droppedErrors: 0 });
  });

  it("keeps the fields Healthie answered beside a field error, which is placed at its path without Healthie's text", () => {
    const reading = read(200, { data: { a: { id: '1' }, b: null }, errors: [{ message: 'User 2 (Jane Doe) not found', path: ['b'] }] });
    expect(reading.failure).toBeUndefined();
    expect(reading.result?.data).toEqual({ a: { id: '1' }, b: null });
    expect(reading.result?.errors).toHaveLength(1);
    expect(reading.result?.errors?.[0]?.path).toEqual(['b']);
    expect(reading.result?.errors?.[0]?.message).not.toContain('Jane Doe');
    expect(reading.fields).toMatchObject({ fieldErrors: 1 });
  });
});
