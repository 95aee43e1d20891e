/**
 * Aliases named like what every JavaScript object inherits (`constructor`, `toString`, ...) on a
 * field Healthie's answer leaves out: delegation reads such an alias from the answer object, where
 * the inherited member stands in for the missing field. Both paths must answer as they do for a
 * missing field of any other alias: null, with no error of a value Healthie never sent.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { expectSameAnswers } from '../helpers/compare.js';
import { bothPathsBehindFake } from '../helpers/stack.js';
import { executeApproved } from '../helpers/upstream.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };
const INHERITED = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'toLocaleString'];

describe('an alias named like an inherited member, on a field Healthie left out of its answer', () => {
  const paths = bothPathsBehindFake();

  it.each(INHERITED)('is null on both paths, without an error, as any other alias is: %s', async (alias) => {
    // Healthie's answer without the aliased fields (whatever key each path sent them under).
    paths.upstream.setReply(async (request) => {
      const result = await executeApproved(request);
      const user = (result.data as Record<string, Record<string, unknown>>)[Object.keys(result.data!)[0]!]!;
      for (const key of Object.keys(user)) if (key !== 'id' && key !== '__typename') delete user[key];
      return { body: result };
    });
    try {
      const urls = { planned: paths.planned.url, delegated: paths.delegated.url };
      for (const name of [alias, 'other']) {
        // A leaf, an object and a list of objects.
        expect(await expectSameAnswers(urls, `{ healthieCurrentUser { id ${name}: firstName } }`, {}, auth), name).toEqual({ data: { healthieCurrentUser: { id: '1', [name]: null } } });
        expect(await expectSameAnswers(urls, `{ healthieCurrentUser { id ${name}: organization { id } } }`, {}, auth), name).toEqual({ data: { healthieCurrentUser: { id: '1', [name]: null } } });
        expect(await expectSameAnswers(urls, `{ healthieUsers(first: 2) { ${name}: nodes { id } } }`, {}, auth), name).toEqual({ data: { healthieUsers: { [name]: null } } });
      }
    } finally {
      paths.upstream.setReply(undefined);
    }
  });
});
