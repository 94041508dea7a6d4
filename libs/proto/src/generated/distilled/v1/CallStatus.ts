// Original file: libs/proto/src/distilled/v1/distilled.proto


/**
 * A failed call as gRPC would report it: status code, details, and the trailing metadata
 * (distilled-reason, distilled-leader-id, ...; see errors.ts).
 */
export interface CallStatus__Input {
  'code'?: (number);
  'details'?: (string);
  'metadata'?: ({[key: string]: string});
}

/**
 * A failed call as gRPC would report it: status code, details, and the trailing metadata
 * (distilled-reason, distilled-leader-id, ...; see errors.ts).
 */
export interface CallStatus {
  'code': (number);
  'details': (string);
  'metadata': ({[key: string]: string});
}
