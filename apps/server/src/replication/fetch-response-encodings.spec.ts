import { decodeFetchResponse } from '@distilled/proto';
import { FetchResponseEncodings, type OutgoingFetchResponse } from './fetch-response-encodings';

const group = Buffer.from('the record batches of one written group');

function response(overrides: Partial<OutgoingFetchResponse> = {}): OutgoingFetchResponse {
  return {
    epoch: 7,
    high_watermark: 120,
    batches: group,
    leader_log_end_offset: 140,
    log_start_offset: 3,
    request_kept: false,
    ...overrides,
  };
}

describe('FetchResponseEncodings', () => {
  it('encodes a response as the follower decodes it', () => {
    const bytes = new FetchResponseEncodings().encode(response({ request_kept: true }));
    expect(decodeFetchResponse(bytes)).toEqual({ ...response({ request_kept: true }) });
  });

  it('gives every follower sent the same response the same bytes', () => {
    const encodings = new FetchResponseEncodings();
    const first = encodings.encode(response());
    expect(encodings.encode(response())).toBe(first);
  });

  it.each<[string, Partial<OutgoingFetchResponse>]>([
    ['the HW', { high_watermark: 121 }],
    ['the leader log end', { leader_log_end_offset: 141 }],
    ['the log start', { log_start_offset: 4 }],
    ['the epoch', { epoch: 8 }],
    ['request_kept', { request_kept: true }],
    ['the batches buffer, even with the same bytes', { batches: Buffer.from(group) }],
  ])('encodes anew when %s differs', (_what, change) => {
    const encodings = new FetchResponseEncodings();
    const first = encodings.encode(response());
    const second = encodings.encode(response(change));
    expect(second).not.toBe(first);
    expect(decodeFetchResponse(second)).toEqual(response(change));
  });
});
