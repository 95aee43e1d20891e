/**
 * A booking Healthie refused in the payload's `messages`, for a caller that did not select
 * `messages`.
 *
 * Why: Healthie reports a booking it will not make (a time without seconds, a taken slot with
 * `enforceAvailability`, an unknown provider) only in `messages`, with `appointment: null` and no
 * GraphQL error. A caller that selected only `appointment` would read an error-free null and
 * never learn why. So the booking field gets one error (BAD_USER_INPUT: the messages are about
 * the caller's input) saying how many messages there are, which input fields they name, and how
 * to read them. Healthie's message text is never repeated: it may quote patient data. A field is
 * named only when it is one of the booking input's own fields (in the subgraph's names, as the
 * caller wrote them), so nothing Healthie puts in `field` other than such a name reaches the
 * caller. A caller that selected `messages` reads them and gets no error.
 */
import { collectSubFields } from '@graphql-tools/utils';
import { getNamedType, isInputObjectType, isObjectType, type GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { ErrorCode, subgraphError } from '../errors.js';
import { subgraphMemberName } from '../schema/naming.js';
import type { BookingOutcome } from './store.js';

/** Whether the operation selects the payload's `messages` (any alias, through fragments, after @skip/@include). */
export function selectsMessages(info: GraphQLResolveInfo): boolean {
  const payload = getNamedType(info.returnType);
  // Not an object type: nothing to select under it, so nothing of Healthie's reaches the caller.
  if (!isObjectType(payload)) return false;
  const { fields, patches } = collectSubFields(info.schema, info.fragments, info.variableValues, payload, [...info.fieldNodes]);
  const collected = [...fields.values(), ...patches.flatMap((patch) => [...patch.fields.values()])];
  return collected.some((nodes) => nodes.some((node) => node.name.value === 'messages'));
}

/** The booking input's field names in the subgraph's names (`contactType`), from the booking field's `input` argument. */
function inputFieldNames(info: GraphQLResolveInfo): ReadonlySet<string> {
  const argument = info.parentType.getFields()[info.fieldName]?.args.find((arg) => arg.name === 'input');
  const type = argument ? getNamedType(argument.type) : undefined;
  return new Set(type && isInputObjectType(type) ? Object.keys(type.getFields()) : []);
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/**
 * The error for `outcome` when Healthie refused the booking in messages the operation did not
 * select; undefined when it booked, or when the caller reads the messages.
 */
export function unreadMessagesError(outcome: BookingOutcome, info: GraphQLResolveInfo): GraphQLError | undefined {
  const messages = outcome.messages ?? [];
  if (outcome.appointmentId || messages.length === 0 || selectsMessages(info)) return undefined;
  const known = inputFieldNames(info);
  const fields: string[] = [];
  let elsewhere = 0;
  for (const { field } of messages) {
    const name = typeof field === 'string' ? subgraphMemberName(field.trim()) : '';
    if (!known.has(name)) elsewhere += 1;
    else if (!fields.includes(name)) fields.push(name);
  }
  const about = [
    ...(fields.length > 0 ? [`about the input field${fields.length === 1 ? '' : 's'} ${fields.join(', ')}`] : []),
    ...(elsewhere > 0 ? [`${elsewhere} about ${elsewhere === 1 ? 'no input field' : 'no input fields'}`] : []),
  ].join('; ');
  return subgraphError(
    ErrorCode.BAD_USER_INPUT,
    `Healthie refused the booking with ${plural(messages.length, 'message')} (${about}), and this operation does not select \`messages\`, where Healthie says why; nothing was booked. Select \`messages { field message }\` on the payload to read them.`,
    { messageCount: messages.length, fields },
  );
}
