/** The protocol version every /api request names (see protocol.ts). */
export const PROTOCOL_VERSION = 1;
/** Sent by the client on every /api request; a mismatch answers 426 PROTOCOL_MISMATCH. */
export const PROTOCOL_HEADER = 'x-otmetka-protocol';
/** The device id, for the edit metadata and the audit trail. */
export const DEVICE_HEADER = 'x-otmetka-device';
