/** Hostile operation shapes shared by tests. */

/** `levels` fragments, each spreading the previous one twice: 2^levels fields once expanded. */
export function doublingChain(levels: number, root = 'healthieCurrentUser', type = 'HealthieUser', leaf = 'id'): string {
  const fragments = [`fragment F0 on ${type} { ${leaf} }`];
  for (let i = 1; i <= levels; i += 1) fragments.push(`fragment F${i} on ${type} { ...F${i - 1} ...F${i - 1} }`);
  return `{ ${root} { ...F${levels} } }\n${fragments.join('\n')}`;
}
