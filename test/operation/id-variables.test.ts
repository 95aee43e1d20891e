/**
 * ID variables JSON reads exactly are sent as before on both paths: strings exactly as sent,
 * however long, and whole numbers up to 2^53 − 1 in size as the ids they are.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { bothPaths } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };
const USER = 'query($id: ID) { healthieUser(id: $id) { id } }';

describe('ID variables JSON reads exactly', () => {
  const paths = bothPaths();

  it('are sent to Healthie as the ids they are: strings as sent, whole numbers in any notation', async () => {
    for (const [path, stack] of [['planned', paths.planned], ['delegated', paths.delegated]] as const) {
      for (const [id, answer, sentAs] of [
        ['1001', { id: '1001' }, '1001'],
        ['1.001e3', { id: '1001' }, '1001'],
        ['"12345678901234567890"', null, '12345678901234567890'],
        ['9007199254740991', null, '9007199254740991'],
      ] as const) {
        paths.planned.sandbox.clearRequests(); // both subgraphs send to it
        const body = `{"query":${JSON.stringify(USER)},"variables":{"id":${id}}}`;
        const response = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body });
        expect(await response.json(), `${path} ${id}`).toEqual({ data: { healthieUser: answer } });
        expect(paths.planned.sandbox.requests.map((r) => r.variables), `${path} ${id}`).toEqual([{ id: sentAs }]);
      }
    }
  });
});
