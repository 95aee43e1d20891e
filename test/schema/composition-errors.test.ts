import { describe, expect, it } from 'vitest';
import { composeSubgraphs, readSupergraphConfig } from '../../src/schema/compose.js';
import { consumer, fromRoot } from './helpers.js';

/** Composition errors of our subgraphs plus one consumer's view of HealthieUser. */
function compositionErrors(healthieUser: string): readonly string[] {
  const outcome = composeSubgraphs([...readSupergraphConfig(fromRoot('supergraph.yaml')), consumer(healthieUser)]);
  if (outcome.ok) throw new Error('composition succeeded, but it should have failed');
  return outcome.errors;
}

describe('consumers that do not match the healthie subgraph fail composition', () => {
  it('rejects a consumer that @requires a HealthieUser field the subgraph does not have', () => {
    const errors = compositionErrors(
      'type HealthieUser @key(fields: "id") { id: ID! ssn: String @external riskScore: Int @requires(fields: "ssn") }',
    );
    expect(errors).toEqual([expect.stringMatching(/^EXTERNAL_MISSING_ON_BASE: Field "HealthieUser\.ssn" is marked @external/)]);
  });

  it('rejects a consumer keyed on email, which is not a key of HealthieUser in our subgraph', () => {
    const errors = compositionErrors('type HealthieUser @key(fields: "email", resolvable: false) { email: String @external }');
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) expect(error).toMatch(/^SATISFIABILITY_ERROR: /);
    expect(errors.join('\n')).toContain('cannot move to subgraph "healthie" using @key(fields: "id") of "HealthieUser"');
  });

  it('rejects a consumer that resolves an email key itself, since HealthieUser.email belongs to our subgraph', () => {
    const errors = compositionErrors('type HealthieUser @key(fields: "email", resolvable: false) { email: String! }');
    expect(errors).toEqual([expect.stringMatching(/^INVALID_FIELD_SHARING: Non-shareable field "HealthieUser\.email"/)]);
  });

  it('rejects a consumer that declares HealthieUser.id with another type', () => {
    const errors = compositionErrors('type HealthieUser @key(fields: "id", resolvable: false) { id: Int! }');
    expect(errors).toEqual([expect.stringMatching(/^FIELD_TYPE_MISMATCH: Type of field "HealthieUser\.id" is incompatible/)]);
  });

  it('rejects a consumer that resolves a HealthieUser field of its own without @shareable', () => {
    const errors = compositionErrors('type HealthieUser @key(fields: "id") { id: ID! firstName: String }');
    expect(errors).toEqual([expect.stringMatching(/^INVALID_FIELD_SHARING: Non-shareable field "HealthieUser\.firstName"/)]);
  });
});
