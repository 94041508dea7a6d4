// Original file: libs/proto/src/distilled/v1/distilled.proto


export interface AppendPart__Input {
  'idempotency_key'?: (string);
  'request_hash'?: (Buffer | Uint8Array | string);
  /**
   * How many of the request's messages are this part's (at least 1).
   */
  'count'?: (number);
}

export interface AppendPart {
  'idempotency_key': (string);
  'request_hash': (Buffer);
  /**
   * How many of the request's messages are this part's (at least 1).
   */
  'count': (number);
}
