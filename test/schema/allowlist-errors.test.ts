import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSchema } from 'graphql';
import { AllowlistFormatError, loadAllowlist, parseAllowlist } from '../../src/schema/allowlist.js';
import { AllowlistMismatchError, checkAllowlist, filterSchema } from '../../src/schema/filter.js';
import { ALLOWLIST_PATH } from './helpers.js';

/** The error `run` throws; fails the test when it throws nothing. */
function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, but none was thrown');
}

/** The problems an allowlist text is rejected with (fails the test when it is accepted). */
function formatProblems(yaml: string, fileName?: string): readonly string[] {
  const error = caught(() => parseAllowlist(yaml, fileName));
  expect(error).toBeInstanceOf(AllowlistFormatError);
  return (error as AllowlistFormatError).problems;
}

describe('a malformed approved.yaml is rejected with line numbers', () => {
  it('reports broken YAML syntax with the line it is on', () => {
    const problems = formatProblems(['query:', '  user:', '    reason: x', '  users: [unclosed', 'types: {}', ''].join('\n'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^approved\.yaml:[45]: .*\]/);
  });

  it('reports a duplicated key on the line of the second occurrence', () => {
    expect(formatProblems('query:\n  user: Look up.\n  user: Again.\n')).toEqual([
      expect.stringMatching(/^approved\.yaml:3: Map keys must be unique/),
    ]);
  });

  it('reports a document that is not a mapping', () => {
    expect(formatProblems('- query\n- types\n')).toEqual([
      'approved.yaml:1: expected a mapping with the keys healthieApiVersion, query, mutation, types',
    ]);
  });

  it('uses the file path given to loadAllowlist in every problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'allowlist-errors-'));
    try {
      const path = join(dir, 'approved.yaml');
      writeFileSync(path, 'query:\n  user:\n    reason: ok\n    colour: blue\n');
      const error = caught(() => loadAllowlist(path));
      expect(error).toBeInstanceOf(AllowlistFormatError);
      expect((error as AllowlistFormatError).problems).toEqual([
        `${path}:4: Query.user has an unknown key "colour"; expected one of: reason, phi, args, default, healthieDefault`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('entries of the wrong shape are all reported together, with line and expectation', () => {
  const WRONG_SHAPES = [
    /*  1 */ 'query:',
    /*  2 */ '  user:',
    /*  3 */ '    reason: Look up a user.',
    /*  4 */ '    colour: blue',
    /*  5 */ '    args:',
    /*  6 */ '      id: ""',
    /*  7 */ 'mutations:',
    /*  8 */ '  createAppointment: Book.',
    /*  9 */ 'types:',
    /* 10 */ '  User:',
    /* 11 */ '    reason: A user.',
    /* 12 */ '    fields:',
    /* 13 */ '      id: [Healthie id, of the user]',
    /* 14 */ '      dob: { phi: yes, reason: Identity check. }',
    /* 15 */ '      email: ""',
    /* 16 */ '      timezone:',
    /* 17 */ '      first_name: { phi: true, reason: "   " }',
    /* 18 */ '      active: Whether the account is active.',
    /* 19 */ '  Organization: The practice.',
    /* 20 */ '  Appointment:',
    /* 21 */ '    reason: An appointment.',
    /* 22 */ '    fields: [id, date]',
    /* 23 */ '  "my-type":',
    /* 24 */ '    reason: Not a GraphQL name.',
    /* 25 */ '    kind: object',
    '',
  ].join('\n');

  const problems = formatProblems(WRONG_SHAPES);

  it('reports an unknown key of a field entry with the keys it expects', () => {
    expect(problems).toContain('approved.yaml:4: Query.user has an unknown key "colour"; expected one of: reason, phi, args, default, healthieDefault');
  });

  it('reports an unknown top-level key with the keys it expects', () => {
    expect(problems).toContain('approved.yaml:7: the allowlist has an unknown key "mutations"; expected one of: healthieApiVersion, query, mutation, types');
  });

  it('reports an unknown key of a type entry with the keys it expects', () => {
    expect(problems).toContain('approved.yaml:25: my-type has an unknown key "kind"; expected one of: reason, fields');
  });

  it('reports a field entry that is a list instead of a reason', () => {
    expect(problems).toContain('approved.yaml:13: User.id needs a one-line reason (a non-empty string)');
  });

  it('reports phi that is not a boolean', () => {
    expect(problems).toContain('approved.yaml:14: User.dob.phi must be true or false');
  });

  it('reports empty, missing and blank reasons of fields and arguments', () => {
    expect(problems).toContain('approved.yaml:15: User.email needs a one-line reason (a non-empty string)');
    expect(problems).toContain('approved.yaml:16: User.timezone needs a one-line reason (a non-empty string)');
    expect(problems).toContain('approved.yaml:17: User.first_name needs a one-line reason (a non-empty string)');
    expect(problems).toContain('approved.yaml:6: Query.user(id:) needs a one-line reason (a non-empty string)');
  });

  it('reports a type entry that is not a mapping and fields that are a list', () => {
    expect(problems).toContain('approved.yaml:19: types.Organization must be a mapping with "reason" and "fields"');
    expect(problems).toContain('approved.yaml:22: Appointment.fields must be a mapping of names to entries');
  });

  it('reports a name that is not a GraphQL name', () => {
    expect(problems).toContain('approved.yaml:23: "my-type" is not a GraphQL name');
  });

  it('reports all twelve problems of the file in one error and nothing about well-formed entries', () => {
    expect(problems).toHaveLength(12);
    const lines = problems.map((p) => Number(/^approved\.yaml:(\d+):/.exec(p)?.[1]));
    expect(lines.every((n) => Number.isInteger(n) && n > 0)).toBe(true);
    // Well-formed entries (line 18: User.active) are not reported.
    expect(problems.some((p) => p.includes('User.active'))).toBe(false);
  });

  it('lists all problems in the error message as well', () => {
    const { message } = caught(() => parseAllowlist(WRONG_SHAPES)) as AllowlistFormatError;
    for (const problem of problems) expect(message).toContain(`  - ${problem}`);
  });

  it('accepts the committed schema/approved.yaml', () => {
    const allowlist = loadAllowlist(ALLOWLIST_PATH);
    expect(allowlist.types.get('User')?.fields.get('dob')?.phi).toBe(true);
    expect(allowlist.types.get('User')?.fields.get('timezone')?.phi).toBe(false);
    expect([...allowlist.mutation.keys()]).toEqual(['createAppointment']);
  });
});

/** A small Healthie-like source to check allowlist entries against. */
const SOURCE = buildSchema(/* GraphQL */ `
  type Query {
    user(id: ID!): User
    users(keywords: String, offset: Int = 0, shade: Shade): [User!]
  }
  type Mutation {
    createThing(input: createThingInput!): Thing
  }
  type User {
    id: ID!
    first_name: String
    organization: Organization
  }
  type Organization {
    id: ID!
    name: String
  }
  input createThingInput {
    name: String!
    count: Int! = 1
    note: String
  }
  type Thing {
    id: ID!
  }
  enum Colour {
    RED
  }
  enum Shade {
    DARK
  }
`);

const VALID = `
query:
  user:
    reason: Look up a user.
    args:
      id: Id of the user.
  users:
    reason: Find users.
    args:
      keywords: Search text.
mutation:
  createThing:
    reason: Make a thing.
    args:
      input: The thing.
types:
  User:
    reason: A user.
    fields:
      id: Id.
      first_name: { phi: true, reason: Name. }
      organization: The organization.
  Organization:
    reason: A practice.
    fields:
      id: Id.
  createThingInput:
    reason: What a thing needs.
    fields:
      name: Name of the thing.
  Thing:
    reason: A thing.
    fields:
      id: Id.
`;

const MISMATCHED = `
query:
  user:
    reason: Look up a user without its required id.
  users:
    reason: Find users.
    args:
      keywords: Search text.
      from_foo: Not a Healthie argument.
      shade: A type nobody approved.
mutation:
  createThing:
    reason: Make a thing.
    args:
      input: The thing.
types:
  User:
    reason: A user.
    fields:
      id: Id.
      dob: { phi: true, reason: Not in this source. }
      organization: Refers to an unapproved type.
  Patient:
    reason: Not a Healthie type.
  Colour:
    reason: An enum with fields.
    fields:
      RED: Red.
  createThingInput:
    reason: What a thing needs, without its required name.
    fields:
      note: A note.
  Thing:
    reason: A thing.
    fields:
      id: Id.
`;

const EXPECTED_MISMATCHES = [
  'Query.user(id:): required by Healthie but not approved; approve it or remove Query.user',
  'Query.users(from_foo:): not in source schema',
  'Query.users(shade:): refers to Shade, which is not approved; approve the type or remove Query.users(shade:)',
  'User.dob: not in source schema',
  'User.organization: refers to Organization, which is not approved; approve the type or remove User.organization',
  'Patient: not in source schema',
  'createThingInput.name: required by Healthie but not approved; approve it or remove createThingInput',
];

describe('allowlist entries that do not fit the source schema are named by coordinate', () => {
  it('accepts a matching allowlist (the control for the cases below)', () => {
    expect(checkAllowlist(SOURCE, parseAllowlist(VALID))).toEqual([]);
    expect(() => filterSchema(SOURCE, parseAllowlist(VALID))).not.toThrow();
  });

  it('reports each mismatch with its exact coordinate, all in one list', () => {
    const problems = checkAllowlist(SOURCE, parseAllowlist(MISMATCHED));
    // Colour is an enum: its wording ("a enum"/"an enum") is not part of the contract.
    const enumProblem = problems.filter((p) => p.startsWith('Colour: '));
    expect(enumProblem).toEqual([expect.stringMatching(/^Colour: is an? enum and has no fields to approve$/)]);
    expect(problems.filter((p) => !p.startsWith('Colour: ')).sort()).toEqual([...EXPECTED_MISMATCHES].sort());
  });

  it('does not report a required input field that has a default value', () => {
    const problems = checkAllowlist(SOURCE, parseAllowlist(MISMATCHED));
    expect(problems.some((p) => p.includes('createThingInput.count'))).toBe(false);
  });

  it('makes filterSchema throw AllowlistMismatchError carrying every problem', () => {
    const thrown = caught(() => filterSchema(SOURCE, parseAllowlist(MISMATCHED)));
    expect(thrown).toBeInstanceOf(AllowlistMismatchError);
    const { problems, message } = thrown as AllowlistMismatchError;
    expect(problems).toHaveLength(EXPECTED_MISMATCHES.length + 1);
    for (const problem of EXPECTED_MISMATCHES) expect(message).toContain(`  - ${problem}`);
  });

  it('reports a root field Healthie does not have', () => {
    const allowlist = parseAllowlist('query:\n  patients: Not a Healthie query.\nmutation:\n  deleteUser: Not approved anyway.\n');
    expect(checkAllowlist(SOURCE, allowlist)).toEqual([
      'Query.patients: not in source schema',
      'Mutation.deleteUser: not in source schema',
    ]);
  });

  it('accepts a source without a Mutation type when nothing is approved on Mutation', () => {
    const queriesOnly = buildSchema('type Query { ping: String }');
    expect(checkAllowlist(queriesOnly, parseAllowlist('query:\n  ping: Health check.\n'))).toEqual([]);
    expect(checkAllowlist(queriesOnly, parseAllowlist('mutation:\n  createThing: Make a thing.\n'))).toEqual([
      'Mutation: not in source schema',
    ]);
  });
});

describe('the API version and stated defaults are checked like every other entry', () => {
  const problemsOf = (text: string): readonly string[] => {
    const thrown = caught(() => parseAllowlist(text));
    expect(thrown).toBeInstanceOf(AllowlistFormatError);
    return (thrown as AllowlistFormatError).problems;
  };

  it('reads healthieApiVersion, and refuses one that is not a release date', () => {
    expect(parseAllowlist('healthieApiVersion: "2026-01-01"\nquery:\n  ping: Health check.\n').healthieApiVersion).toBe('2026-01-01');
    for (const value of ['latest', '"2026-1-1"', '20260101']) {
      expect(problemsOf(`healthieApiVersion: ${value}\n`)).toEqual([
        'approved.yaml:1: healthieApiVersion must be a release date such as "2026-01-01"',
      ]);
    }
  });

  it('refuses a default that is not a scalar, and an entry stating both whose default it is', () => {
    const problems = problemsOf(
      [
        'query:',
        '  things:',
        '    reason: List things.',
        '    args:',
        '      filter: { reason: Which things., healthieDefault: [a, b] }',
        'types:',
        '  createThingInput:',
        '    reason: A thing.',
        '    fields:',
        '      name: { reason: Name., default: x, healthieDefault: y }',
      ].join('\n'),
    );
    expect(problems).toEqual([
      'approved.yaml:5: Query.things(filter:).healthieDefault must be a string, number or boolean',
      'approved.yaml:10: createThingInput.name states both default and healthieDefault; keep the one that says whose default it is',
    ]);
  });

  it('refuses a default on a field of an object type: only arguments and input fields take one', () => {
    const source = buildSchema('type Query { thing: Thing } type Thing { id: ID }');
    const allowlist = parseAllowlist('query:\n  thing: A thing.\ntypes:\n  Thing:\n    reason: A thing.\n    fields:\n      id: { reason: Id., default: "1" }\n');
    expect(checkAllowlist(source, allowlist)).toEqual(['Thing.id: only arguments and input fields take a default']);
  });
});
