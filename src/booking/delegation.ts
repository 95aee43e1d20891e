/**
 * The booking path of the delegating schema: `healthieCreateAppointment` sent by delegation with
 * the caller's selection, plus the two fields idempotency needs (the appointment id and the
 * messages) under aliases of our own, so the outcome is known whatever the caller selected.
 * A replay answers the caller's selection too: `appointment` is read again from Healthie by id,
 * `messages` come from the store. Messages the caller does not select become an error
 * (unread-messages.ts).
 */
import { delegateToSchema, type Subschema } from '@graphql-tools/delegate';
import { GraphQLError, Kind, OperationTypeNode, parse, type ASTVisitor, type FieldNode, type GraphQLOutputType, type GraphQLResolveInfo, type OperationDefinitionNode, type ValidationContext } from 'graphql';
import type { SubgraphContext } from '../context.js';
import type { BookingPath } from './book.js';
import type { BookingOutcome, FieldMessage } from './store.js';
import { unreadMessagesError } from './unread-messages.js';

/** Aliases of this subgraph's own (the booking path's, subgraph/colliding-aliases.ts): a client's operation may not use them (reservedAliases). */
export const RESERVED_ALIAS_PREFIX = 'healthieSubgraph';
const OUTCOME_APPOINTMENT = `${RESERVED_ALIAS_PREFIX}OutcomeAppointment`;
const OUTCOME_MESSAGES = `${RESERVED_ALIAS_PREFIX}OutcomeMessages`;

/**
 * Refuses a client's alias that starts with the prefix of the aliases the booking path adds:
 * the same response key twice makes Healthie refuse the whole booking, with a message the client
 * never sees (it is withheld), for a conflict this subgraph made.
 */
export function reservedAliases(context: ValidationContext): ASTVisitor {
  return {
    Field(node) {
      const alias = node.alias?.value;
      if (!alias?.startsWith(RESERVED_ALIAS_PREFIX)) return;
      context.reportError(
        new GraphQLError(`The alias "${alias.slice(0, 100)}" is reserved: aliases starting with "${RESERVED_ALIAS_PREFIX}" are this subgraph's own. Choose another alias.`, { nodes: node }),
      );
    },
  };
}

const OUTCOME_SELECTIONS = (
  parse(`{ ${OUTCOME_APPOINTMENT}: appointment { id } ${OUTCOME_MESSAGES}: messages { field message } }`).definitions[0] as OperationDefinitionNode
).selectionSet.selections;

function withOutcomeFields(fieldNodes: readonly FieldNode[]): FieldNode[] {
  return fieldNodes.map((node) => ({
    ...node,
    selectionSet: { kind: Kind.SELECTION_SET, selections: [...(node.selectionSet?.selections ?? []), ...OUTCOME_SELECTIONS] },
  }));
}

function outcomeOf(result: Record<string, unknown> | null): BookingOutcome {
  const appointment = result?.[OUTCOME_APPOINTMENT] as { id?: unknown } | null | undefined;
  const messages = result?.[OUTCOME_MESSAGES] as FieldMessage[] | null | undefined;
  return {
    appointmentId: typeof appointment?.id === 'string' || typeof appointment?.id === 'number' ? String(appointment.id) : null,
    messages: Array.isArray(messages) ? messages.map((m) => ({ field: m?.field ?? null, message: String(m?.message ?? '') })) : null,
  };
}

export function delegatedBooking(
  subschema: Subschema<unknown, unknown, unknown, SubgraphContext>,
  appointmentType: GraphQLOutputType,
  context: SubgraphContext,
  info: GraphQLResolveInfo,
): BookingPath<unknown> {
  return {
    async send() {
      const result = await delegateToSchema({
        schema: subschema,
        operation: OperationTypeNode.MUTATION,
        fieldName: info.fieldName,
        // No `args`: the arguments go upstream as the client wrote them (literals stay literals,
        // variables stay variables), as for every other delegated field.
        context,
        info,
        fieldNodes: withOutcomeFields(info.fieldNodes),
      });
      if (result instanceof Error) throw result;
      return { result, outcome: outcomeOf(result as Record<string, unknown> | null) };
    },
    present(outcome) {
      // Plain values: the payload's fields resolve them with the default resolver, calling
      // `appointment` with that field's own info (the caller's selection under it).
      return {
        appointment: outcome.appointmentId
          ? (_args: unknown, _context: unknown, appointmentInfo: GraphQLResolveInfo) =>
              delegateToSchema({
                schema: subschema,
                operation: OperationTypeNode.QUERY,
                fieldName: 'healthieAppointment',
                args: { id: outcome.appointmentId },
                returnType: appointmentType,
                context,
                info: appointmentInfo,
              })
          : null,
        messages: outcome.messages,
      };
    },
    unread: (outcome) => unreadMessagesError(outcome, info),
  };
}
