/**
 * The one import point of the shared package inside the server: schemas, protocol, error codes
 * and the domain rules all come from @otmetka/shared.
 */
export * from '@otmetka/shared';
