/** One invalid field or query parameter, with a sentence a person can act on. */
export interface FieldProblem {
  /** The body field, query parameter or header, e.g. `message`, `offset`, `Last-Event-ID`. */
  field: string;
  /** Where it was: the JSON body, the query string or a request header. */
  in: 'body' | 'query' | 'header';
  detail: string;
}

/** An RFC 9457 problem document as the API sends it (application/problem+json). */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** 400: one entry per invalid field. */
  errors?: FieldProblem[];
  /** 404 for an offset, 412 for Expected-Offset: the next offset the log will give. */
  nextOffset?: number;
  /** 410 for an offset retention deleted: the first offset the log still serves. */
  firstOffset?: number;
  /** 503/504/ready: the leader's id when one is known, else null. */
  leader?: string | null;
  /** 507: the replica whose disk is full. */
  replica?: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** Problem type URIs: stable identifiers clients may switch on (RFC 9457 §3.1.1). */
export const PROBLEM_TYPE_PREFIX = 'urn:distilled:problem:';

/**
 * The one error type of the API. Services throw it; the exception filter sends it as is. Every
 * other error is mapped to one of these by the filter.
 */
export class ApiProblem extends Error {
  constructor(
    readonly problem: ProblemDetails,
    /** Extra response headers, e.g. Retry-After or Allow. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(problem.detail);
    this.name = 'ApiProblem';
  }

  get status(): number {
    return this.problem.status;
  }
}
