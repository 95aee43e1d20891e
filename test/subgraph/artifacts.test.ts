/**
 * The server refuses to start when the two committed schema files disagree.
 */
import { describe, expect, it } from 'vitest';
import { createRuntimeSchema, readSchemaArtifacts } from '../../src/subgraph/schema.js';

const executor = async () => ({ data: null });

describe('schema artifacts at start-up', () => {
  it('builds the runtime schema from the committed files', () => {
    const runtime = createRuntimeSchema(executor);
    expect(runtime.schema.getType('HealthieUser')).toBeDefined();
    expect(Object.keys(runtime.schema.getQueryType()!.getFields())).toContain('_entities');
  });

  it('refuses a field added to the subgraph SDL by hand', () => {
    const artifacts = readSchemaArtifacts();
    const edited = artifacts.subgraphSdl.replace('type HealthieUser @key(fields: "id") {', 'type HealthieUser @key(fields: "id") {\n  ssn: String');
    expect(edited).not.toBe(artifacts.subgraphSdl);
    expect(() => createRuntimeSchema(executor, { ...artifacts, subgraphSdl: edited })).toThrow(/only in the subgraph SDL: HealthieUser\.ssn/);
  });

  it('refuses an approved field missing from the subgraph SDL', () => {
    const artifacts = readSchemaArtifacts();
    const edited = artifacts.subgraphSdl.replace(/\n\s*"""Second identity check[^\n]*\n\s*dob: HealthieISO8601Date @tag\(name: "phi"\)/, '');
    expect(edited).not.toBe(artifacts.subgraphSdl);
    expect(() => createRuntimeSchema(executor, { ...artifacts, subgraphSdl: edited })).toThrow(/only in the approved subset: HealthieUser\.dob/);
  });
});
