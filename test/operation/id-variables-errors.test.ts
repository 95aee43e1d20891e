/**
 * ID variables sent as JSON numbers JSON cannot read exactly (larger than 2^53 − 1 in size) are
 * refused with BAD_USER_INPUT (HTTP 400) on both paths, top-level or inside an input object, before
 * anything reaches Healthie: read with digits lost, they would fetch another id. The number is
 * never quoted nor logged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { startStack, type GraphQLResponse, type Stack } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };
const USER = 'query($id: ID) { healthieUser(id: $id) { id } }';
const LOST = 'got a number larger than 2^53 − 1 in size, which JSON reads with digits lost, so another id would be fetched. An ID sent as a number must be a whole number of at most 2^53 − 1 (9007199254740991) in size; send the id as a string.';

/** Posts a body written as text: numbers JSON.stringify cannot write reach the server as sent. */
async function postText(stack: Stack, query: string, variables: string): Promise<GraphQLResponse> {
  const body = `{"query":${JSON.stringify(query)},"variables":${variables}}`;
  const response = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body });
  return { status: response.status, body: (await response.json()) as GraphQLResponse['body'] };
}

describe('ID variables sent as numbers JSON cannot read exactly', () => {
  let planned: Stack;
  let delegated: Stack;
  beforeAll(async () => {
    const env = { HEALTHIE_ALLOW_SCHEDULING: 'true' };
    planned = await startStack({ env: { ...env, PLAN_ENABLED: 'true' } });
    delegated = await startStack({ upstreamUrl: planned.sandbox.url, env: { ...env, PLAN_ENABLED: 'false' } });
  });
  afterAll(async () => {
    await planned?.close();
    await delegated?.close();
  });
  const stacks = () => [['planned', planned], ['delegated', delegated]] as const;

  /** Refused with HTTP 400 BAD_USER_INPUT and `message` on both paths, nothing sent (both send to the planned one's sandbox). */
  async function refused(query: string, variables: string, message: string) {
    for (const [path, stack] of stacks()) {
      planned.sandbox.clearRequests();
      const result = await postText(stack, query, variables);
      expect(result.status, `${path} ${variables}`).toBe(400);
      expect(result.body.data ?? null, path).toBeNull();
      expect(result.body.errors?.map((e) => e.extensions?.code), `${path} ${variables}`).toEqual(['BAD_USER_INPUT']);
      expect(result.body.errors?.[0]?.message, path).toBe(message);
      expect(planned.sandbox.requests, `${path} ${variables}`).toHaveLength(0);
    }
  }

  it('refuses one larger than 2^53 − 1 in size, positive or negative, stating the rule and the fix without the number', async () => {
    for (const id of ['12345678901234567890', '9007199254740993', '-9007199254740993', '1.2345678901234567e19']) {
      await refused(USER, `{"id":${id}}`, `Variable "$id" ${LOST}`);
    }
  });

  it('refuses one inside an input object, naming where it is, booking nothing', async () => {
    const book = 'mutation($input: HealthieCreateAppointmentInput!) { healthieCreateAppointment(input: $input) { appointment { id } } }';
    const input = '{"input":{"userId":"1001","otherPartyId":"2001","appointmentTypeId":12345678901234567890,"contactType":"Video Call","datetime":"2030-01-07T10:00:00Z"}}';
    await refused(book, input, `Variable "$input" at "input.appointmentTypeId" ${LOST}`);
  });

  it('leaves a number with a fraction to coercion, which refuses it as BAD_USER_INPUT, sending nothing', async () => {
    for (const [path, stack] of stacks()) {
      planned.sandbox.clearRequests();
      const result = await postText(stack, USER, '{"id":1001.5}');
      expect(result.body.errors?.map((e) => e.extensions?.code), path).toEqual(['BAD_USER_INPUT']);
      expect(planned.sandbox.requests, path).toHaveLength(0);
    }
  });

  it('writes neither the number sent nor the number read to the log', async () => {
    for (const [path, stack] of stacks()) {
      const before = stack.logs.length;
      await postText(stack, USER, '{"id":12345678901234567890}');
      const logged = stack.logs.slice(before).join('\n');
      expect(logged.length, path).toBeGreaterThan(0);
      expect(logged, path).not.toContain('12345678901234567890');
      expect(logged, path).not.toContain('12345678901234567000');
    }
  });
});
