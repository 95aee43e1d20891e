/**
 * Reads `schema/approved.yaml`, the reviewed list of everything the subgraph may expose.
 *
 * The file is written for a compliance reviewer, so a mistake in it must be reported the way a
 * reviewer can act on: the line, what was found and what is expected there. All problems are
 * collected and reported together rather than one per run.
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, LineCounter, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';

/** A default value stated by the allowlist (a YAML scalar). */
export type StatedDefault = string | number | boolean;

/**
 * Defaults the allowlist may state on an argument or input field:
 * - `healthieDefault`: the default Healthie documents and applies, which its published schema
 *   does not show; written into both generated files, so consumers and the sandbox see it.
 * - `default`: the subgraph's own default, different from Healthie's; written into the subgraph
 *   SDL only. The subgraph sends it to Healthie whenever the client omits the value, because
 *   Healthie would otherwise apply its own.
 */
export interface StatedDefaults {
  readonly healthieDefault?: StatedDefault;
  readonly default?: StatedDefault;
}

export interface ApprovedArgument extends StatedDefaults {
  readonly name: string;
  readonly reason: string;
}

export interface ApprovedField extends StatedDefaults {
  readonly name: string;
  readonly reason: string;
  /** Protected health information: tagged `@tag(name: "phi")` in the subgraph. */
  readonly phi: boolean;
  readonly args: ReadonlyMap<string, ApprovedArgument>;
  readonly line: number;
}

export interface ApprovedType {
  readonly name: string;
  readonly reason: string;
  readonly fields: ReadonlyMap<string, ApprovedField>;
  readonly line: number;
}

export interface Allowlist {
  /** The Healthie API version (`Healthie-GraphQL-API-Version`) the subset is approved on. */
  readonly healthieApiVersion?: string;
  readonly query: ReadonlyMap<string, ApprovedField>;
  readonly mutation: ReadonlyMap<string, ApprovedField>;
  readonly types: ReadonlyMap<string, ApprovedType>;
}

/** A malformed allowlist file. `problems` holds one `file:line: message` entry per problem. */
export class AllowlistFormatError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`The allowlist is malformed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'AllowlistFormatError';
  }
}

const TOP_LEVEL_KEYS = ['healthieApiVersion', 'query', 'mutation', 'types'];
const FIELD_KEYS = ['reason', 'phi', 'args', 'default', 'healthieDefault'];
const ARG_KEYS = ['reason', 'default', 'healthieDefault'];
/** Healthie's versions are release dates. */
const API_VERSION = /^\d{4}-\d{2}-\d{2}$/;
const TYPE_KEYS = ['reason', 'fields'];

export function loadAllowlist(path: string): Allowlist {
  return parseAllowlist(readFileSync(path, 'utf8'), path);
}

export function parseAllowlist(source: string, fileName = 'approved.yaml'): Allowlist {
  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter, uniqueKeys: true });
  const problems: string[] = [];
  const lineOf = (node: Node | null | undefined): number =>
    node?.range ? lineCounter.linePos(node.range[0]).line : 1;
  const report = (node: Node | null | undefined, message: string): void => {
    problems.push(`${fileName}:${lineOf(node)}: ${message}`);
  };

  for (const error of document.errors) {
    problems.push(`${fileName}:${error.linePos?.[0]?.line ?? 1}: ${error.message.split('\n')[0]}`);
  }
  if (problems.length > 0) throw new AllowlistFormatError(problems);

  /** Entries of a mapping as [name, value] pairs; reports anything that is not a mapping. */
  function entries(node: unknown, where: string, owner: Node | null): Array<[string, Node | null, Pair]> {
    if (node == null) return [];
    if (!isMap(node)) {
      report(node as Node, `${where} must be a mapping of names to entries`);
      return [];
    }
    return (node as YAMLMap).items.map((pair) => {
      const key = pair.key as Node;
      const name = isScalar(key) ? String(key.value) : '';
      if (!/^[_A-Za-z][_0-9A-Za-z]*$/.test(name)) report(key ?? owner, `"${name}" is not a GraphQL name`);
      return [name, pair.value as Node | null, pair];
    });
  }

  function reasonOf(node: Node | null, where: string): string {
    if (isScalar(node) && typeof node.value === 'string' && node.value.trim() !== '') return node.value.trim();
    report(node, `${where} needs a one-line reason (a non-empty string)`);
    return '';
  }

  function unknownKeys(node: YAMLMap, allowed: string[], where: string): void {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!allowed.includes(key)) {
        report(pair.key as Node, `${where} has an unknown key "${key}"; expected one of: ${allowed.join(', ')}`);
      }
    }
  }

  function statedDefaults(node: YAMLMap, where: string): StatedDefaults {
    const stated: { default?: StatedDefault; healthieDefault?: StatedDefault } = {};
    for (const key of ['default', 'healthieDefault'] as const) {
      const valueNode = node.get(key, true) as Node | undefined;
      if (valueNode === undefined) continue;
      const value = isScalar(valueNode) ? valueNode.value : undefined;
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') stated[key] = value;
      else report(valueNode, `${where}.${key} must be a string, number or boolean`);
    }
    if (stated.default !== undefined && stated.healthieDefault !== undefined) {
      report(node, `${where} states both default and healthieDefault; keep the one that says whose default it is`);
    }
    return stated;
  }

  function argument(name: string, value: Node | null, where: string): ApprovedArgument {
    if (!isMap(value)) return { name, reason: reasonOf(value, where) };
    unknownKeys(value, ARG_KEYS, where);
    return { name, reason: reasonOf((value.get('reason', true) as Node | undefined) ?? value, where), ...statedDefaults(value, where) };
  }

  function field(name: string, value: Node | null, where: string, pair: Pair): ApprovedField {
    const line = lineOf(pair.key as Node);
    if (!isMap(value)) return { name, reason: reasonOf(value, where), phi: false, args: new Map(), line };
    unknownKeys(value, FIELD_KEYS, where);
    const phiNode = value.get('phi', true) as Node | undefined;
    if (phiNode !== undefined && !(isScalar(phiNode) && typeof phiNode.value === 'boolean')) {
      report(phiNode, `${where}.phi must be true or false`);
    }
    const args = new Map<string, ApprovedArgument>();
    for (const [argName, argValue] of entries(value.get('args', true), `${where}.args`, value)) {
      args.set(argName, argument(argName, argValue, `${where}(${argName}:)`));
    }
    return {
      name,
      reason: reasonOf((value.get('reason', true) as Node | undefined) ?? value, where),
      phi: isScalar(phiNode) && phiNode.value === true,
      args,
      line,
      ...statedDefaults(value, where),
    };
  }

  const root = document.contents;
  if (!isMap(root)) {
    report(root, `expected a mapping with the keys ${TOP_LEVEL_KEYS.join(', ')}`);
    throw new AllowlistFormatError(problems);
  }
  unknownKeys(root, TOP_LEVEL_KEYS, 'the allowlist');
  const versionNode = root.get('healthieApiVersion', true) as Node | undefined;
  let healthieApiVersion: string | undefined;
  if (versionNode !== undefined) {
    const value = isScalar(versionNode) ? versionNode.value : undefined;
    if (typeof value === 'string' && API_VERSION.test(value)) healthieApiVersion = value;
    else report(versionNode, 'healthieApiVersion must be a release date such as "2026-01-01"');
  }

  const rootFields = (key: 'query' | 'mutation', typeName: string): Map<string, ApprovedField> => {
    const fields = new Map<string, ApprovedField>();
    for (const [name, value, pair] of entries(root.get(key, true), key, root)) {
      fields.set(name, field(name, value, `${typeName}.${name}`, pair));
    }
    return fields;
  };
  const query = rootFields('query', 'Query');
  const mutation = rootFields('mutation', 'Mutation');

  const types = new Map<string, ApprovedType>();
  for (const [typeName, value, pair] of entries(root.get('types', true), 'types', root)) {
    if (!isMap(value)) {
      report(value ?? (pair.key as Node), `types.${typeName} must be a mapping with "reason" and "fields"`);
      continue;
    }
    unknownKeys(value, TYPE_KEYS, typeName);
    const fields = new Map<string, ApprovedField>();
    for (const [name, fieldValue, fieldPair] of entries(value.get('fields', true), `${typeName}.fields`, value)) {
      fields.set(name, field(name, fieldValue, `${typeName}.${name}`, fieldPair));
    }
    types.set(typeName, {
      name: typeName,
      reason: reasonOf((value.get('reason', true) as Node | undefined) ?? value, typeName),
      fields,
      line: lineOf(pair.key as Node),
    });
  }

  if (problems.length > 0) throw new AllowlistFormatError(problems);
  return { ...(healthieApiVersion ? { healthieApiVersion } : {}), query, mutation, types };
}
