/**
 * Refuses `__proto__` as an alias or a variable name, at validation: nothing is sent to Healthie.
 *
 * Why: GraphQL allows both names, but a response key and a variable name become keys of
 * JavaScript objects on the way to Healthie and back, and on an ordinary object `__proto__` is not
 * a key: writing it sets the object's prototype, reading it returns the prototype. So:
 * - a variable `$__proto__` was read by the checks (cost, page sizes) with the value the client
 *   sent, but both paths built Healthie's variables on ordinary objects and sent none, so Healthie
 *   ran the operation with its own defaults (a page of 100 where 1 was checked: the cost limit
 *   passed operations several times over it);
 * - an alias `__proto__` whose field Healthie failed with `data: null` made the planned path read
 *   `Object.prototype` as Healthie's answer and write the field's children into it, which broke
 *   every later request of the process (and then the process) until restarted.
 * Every object of every path would have to be built without a prototype (graphql-tools' among
 * them) for the name to be safe; one rule at the door is the bound no path can miss. No client
 * needs the name: any other alias or variable name does the same.
 */
import { GraphQLError, type ASTVisitor, type ValidationContext } from 'graphql';

export const PROTOTYPE_KEY = '__proto__';

const REASON = 'JavaScript reads and writes that name as an object\'s prototype, not as a key, so its value would be lost or misplaced on the way to Healthie and back.';

export function prototypeKeys(context: ValidationContext): ASTVisitor {
  return {
    Field(node) {
      if (node.alias?.value !== PROTOTYPE_KEY) return;
      context.reportError(new GraphQLError(`The alias "${PROTOTYPE_KEY}" is refused: ${REASON} Choose another alias.`, { nodes: node.alias }));
    },
    VariableDefinition(node) {
      if (node.variable.name.value !== PROTOTYPE_KEY) return;
      context.reportError(new GraphQLError(`The variable name "$${PROTOTYPE_KEY}" is refused: ${REASON} Choose another variable name.`, { nodes: node.variable }));
    },
  };
}
