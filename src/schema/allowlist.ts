/**
 * Reads `schema/approved.yaml`, the reviewed list of everything the subgraph may expose.
 *
 * The file is written for a compliance reviewer, so a mistake in it must be reported the way a
 * reviewer can act on: the line, what was found and what is expected there. All problems are
 * collected and reported together rather than one per run.
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, LineCounter, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';

export interface ApprovedArgument {
  readonly name: string;
  readonly reason: string;
}

export interface ApprovedField {
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

const TOP_LEVEL_KEYS = ['query', 'mutation', 'types'];
const FIELD_KEYS = ['reason', 'phi', 'args'];
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
      args.set(argName, { name: argName, reason: reasonOf(argValue, `${where}(${argName}:)`) });
    }
    return {
      name,
      reason: reasonOf((value.get('reason', true) as Node | undefined) ?? value, where),
      phi: isScalar(phiNode) && phiNode.value === true,
      args,
      line,
    };
  }

  const root = document.contents;
  if (!isMap(root)) {
    report(root, `expected a mapping with the keys ${TOP_LEVEL_KEYS.join(', ')}`);
    throw new AllowlistFormatError(problems);
  }
  unknownKeys(root, TOP_LEVEL_KEYS, 'the allowlist');

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
  return { query, mutation, types };
}
