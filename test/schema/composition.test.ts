import { beforeAll, describe, expect, it } from 'vitest';
import {
  Kind,
  parse,
  type ConstDirectiveNode,
  type DocumentNode,
  type ObjectTypeDefinitionNode,
} from 'graphql';
import {
  composeSubgraphs,
  exampleConsumers,
  readRoverConfig,
  readSupergraphConfig,
  type CompositionOutcome,
  type SubgraphSource,
} from '../../src/schema/compose.js';
import { consumer, fromRoot } from './helpers.js';

/** Subgraphs of supergraph.yaml, read relative to the project root whatever the working directory. */
function ourSubgraphs(): SubgraphSource[] {
  return readSupergraphConfig(fromRoot('supergraph.yaml'));
}

/** The example consumers of rover.config.yaml, their schema paths resolved against the project root. */
function configuredConsumers(): SubgraphSource[] {
  const config = readRoverConfig(fromRoot('rover.config.yaml'));
  return exampleConsumers({
    ...config,
    example_consumers: (config.example_consumers ?? []).map((c) => ({ ...c, schema: fromRoot(c.schema) })),
  });
}

function objectType(document: DocumentNode, name: string): ObjectTypeDefinitionNode {
  const found = document.definitions.find(
    (d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === name,
  );
  if (!found) throw new Error(`type ${name} is not in the supergraph`);
  return found;
}

/** `@join__type` arguments of a type as plain records, e.g. { graph: 'HEALTHIE', key: 'id' }. */
function joinTypes(type: ObjectTypeDefinitionNode): Array<Record<string, string | boolean>> {
  return (type.directives ?? [])
    .filter((d: ConstDirectiveNode) => d.name.value === 'join__type')
    .map((d) =>
      Object.fromEntries(
        (d.arguments ?? []).map((a) => [
          a.name.value,
          a.value.kind === Kind.BOOLEAN ? a.value.value : 'value' in a.value ? String(a.value.value) : '',
        ]),
      ),
    );
}

describe('composition of supergraph.yaml with the example consumer', () => {
  let outcome: CompositionOutcome;
  let supergraph: DocumentNode;

  beforeAll(() => {
    outcome = composeSubgraphs([...ourSubgraphs(), ...configuredConsumers()]);
    if (outcome.ok) supergraph = parse(outcome.supergraphSdl);
  });

  it('composes without errors', () => {
    expect(outcome.ok ? [] : outcome.errors).toEqual([]);
    expect(outcome.ok).toBe(true);
  });

  it('joins HealthieUser from the healthie subgraph (resolvable, key id) and the consumer (reference only)', () => {
    expect(joinTypes(objectType(supergraph, 'HealthieUser'))).toEqual([
      { graph: 'HEALTHIE', key: 'id' },
      { graph: 'SUPPORT_TICKETS', key: 'id', resolvable: false },
    ]);
  });

  it("types the consumer's SupportTicket.patient as HealthieUser", () => {
    const patient = objectType(supergraph, 'SupportTicket').fields?.find((f) => f.name.value === 'patient');
    expect(patient?.type).toMatchObject({ kind: Kind.NAMED_TYPE, name: { value: 'HealthieUser' } });
  });

  it("serves HealthieUser's fields, with their phi tags, from the healthie subgraph", () => {
    const dob = objectType(supergraph, 'HealthieUser').fields?.find((f) => f.name.value === 'dob');
    const directives = (dob?.directives ?? []).map((d) => d.name.value);
    expect(directives).toContain('join__field');
    expect(directives).toContain('tag');
    expect(outcome.ok && outcome.supergraphSdl).toMatch(/dob: HealthieISO8601Date @join__field\(graph: HEALTHIE\) @tag\(name: "phi"\)/);
  });

  it('also composes a consumer that @requires a field the healthie subgraph has (control for the failures)', () => {
    const result = composeSubgraphs([
      ...ourSubgraphs(),
      consumer('scalar HealthieISO8601Date type HealthieUser @key(fields: "id") { id: ID! dob: HealthieISO8601Date @external age: Int @requires(fields: "dob") }'),
    ]);
    expect(result.ok ? [] : result.errors).toEqual([]);
  });
});
