/**
 * Offline composition, the check Rover runs: composes the subgraphs of supergraph.yaml plus the
 * example consumers of rover.config.yaml with @apollo/composition (the library Rover's
 * composition is built on).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { parse as parseYaml } from 'yaml';

export interface SubgraphSource {
  readonly name: string;
  readonly url: string;
  readonly sdl: string;
}

interface SupergraphConfig {
  subgraphs?: Record<string, { routing_url?: string; schema?: { file?: string } }>;
}

interface RoverConfig {
  subgraph: { name: string; schema: string; routing_url: string };
  graph_ref_env?: string;
  example_consumers?: Array<{ name: string; schema: string }>;
}

/** rover.config.yaml, with its file paths resolved relative to the file itself. */
export function readRoverConfig(path = 'rover.config.yaml'): RoverConfig {
  const config = parseYaml(readFileSync(path, 'utf8')) as RoverConfig;
  const base = dirname(path);
  return {
    ...config,
    subgraph: { ...config.subgraph, schema: resolve(base, config.subgraph.schema) },
    example_consumers: (config.example_consumers ?? []).map((c) => ({ ...c, schema: resolve(base, c.schema) })),
  };
}

/** Subgraphs listed in a Rover supergraph.yaml (only `schema.file` sources are supported). */
export function readSupergraphConfig(path = 'supergraph.yaml'): SubgraphSource[] {
  const config = parseYaml(readFileSync(path, 'utf8')) as SupergraphConfig;
  return Object.entries(config.subgraphs ?? {}).map(([name, subgraph]) => {
    const file = subgraph.schema?.file;
    if (!file || !subgraph.routing_url) {
      throw new Error(`${path}: subgraph "${name}" needs routing_url and schema.file`);
    }
    return { name, url: subgraph.routing_url, sdl: readFileSync(resolve(dirname(path), file), 'utf8') };
  });
}

export function exampleConsumers(config: RoverConfig): SubgraphSource[] {
  return (config.example_consumers ?? []).map((consumer) => ({
    name: consumer.name,
    url: `http://localhost/${consumer.name}`,
    sdl: readFileSync(consumer.schema, 'utf8'),
  }));
}

export type CompositionOutcome =
  | { readonly ok: true; readonly supergraphSdl: string }
  | { readonly ok: false; readonly errors: readonly string[] };

export function composeSubgraphs(subgraphs: readonly SubgraphSource[]): CompositionOutcome {
  const result = composeServices(
    subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })),
  );
  if (result.errors) {
    return { ok: false, errors: result.errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`) };
  }
  return { ok: true, supergraphSdl: result.supergraphSdl };
}
