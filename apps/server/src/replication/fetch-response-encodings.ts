// One encoding per fetch response a leader sends, shared by the followers it goes to.
import { encodeFetchResponse } from '@distilled/proto';

/** A fetch response as a leader's session sends it (every field set). */
export interface OutgoingFetchResponse {
  epoch: number;
  high_watermark: number;
  batches: Buffer;
  leader_log_end_offset: number;
  log_start_offset: number;
  request_kept: boolean;
}

/**
 * The last fetch response a leadership term encoded, kept so the followers sent the same
 * response share one encoding. At steady state every follower fetches the group just written
 * (the same buffer: libs/log-store `groupBytes`), in the same turn and with the same HW and log
 * start, so the leader encodes it once (a copy of the group) instead of once per follower, and
 * the sessions' writes follow each other without an encode between them. Only the last one is
 * kept: it pins at most one response (≤ ~1 MiB) besides the group itself.
 */
export class FetchResponseEncodings {
  private last?: { response: OutgoingFetchResponse; bytes: Buffer };

  /** `response` encoded, or the bytes of the last encoded response if it is the same. */
  encode(response: OutgoingFetchResponse): Buffer {
    const last = this.last;
    if (last && sameResponse(last.response, response)) return last.bytes;
    const bytes = encodeFetchResponse(response);
    this.last = { response, bytes };
    return bytes;
  }
}

/** The same batches means the same buffer (a read of the log makes a new one each time). */
function sameResponse(a: OutgoingFetchResponse, b: OutgoingFetchResponse): boolean {
  return (
    a.batches === b.batches &&
    a.epoch === b.epoch &&
    a.high_watermark === b.high_watermark &&
    a.leader_log_end_offset === b.leader_log_end_offset &&
    a.log_start_offset === b.log_start_offset &&
    a.request_kept === b.request_kept
  );
}
