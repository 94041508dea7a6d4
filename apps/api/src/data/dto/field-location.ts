/**
 * Where a DTO's fields come from, read by the validation pipe to say "body field" or "query
 * parameter" in its sentences.
 */
export const FIELD_LOCATION = Symbol('FIELD_LOCATION');
export type FieldLocation = 'body' | 'query';
export interface LocatedDto {
  readonly [FIELD_LOCATION]?: FieldLocation;
}
