/**
 * The rules of a POST /Data/Batch body beyond its shape (apps/api/README.md, "Batches and safe
 * retries"): 1..10,000 elements, each a storable string within the message limit, all together
 * within the batch limit. One bad element refuses the whole batch, naming it as `messages[i]`;
 * nothing is stored.
 */
import { MAX_BATCH_REQUEST_MESSAGES } from '../constants';
import { batchMessageTooLarge, batchTooLarge, invalidRequest } from '../problems';
import { messageProblem } from './dto/append-message.dto';

export interface BatchLimits {
  maxMessageBytes: number;
  maxBatchBytes: number;
}

/** The batch's messages as UTF-8, or throws the 400/413 problem for the first bad element. */
export function checkBatchMessages(messages: readonly unknown[], limits: BatchLimits): Buffer[] {
  if (messages.length === 0) {
    throw invalidRequest([
      {
        field: 'messages',
        in: 'body',
        detail: 'messages is empty; a batch holds 1 to 10000 messages.',
      },
    ]);
  }
  if (messages.length > MAX_BATCH_REQUEST_MESSAGES) {
    throw invalidRequest([
      {
        field: 'messages',
        in: 'body',
        detail: `messages has ${messages.length} elements; a batch holds at most ${MAX_BATCH_REQUEST_MESSAGES}. Split it.`,
      },
    ]);
  }
  messages.forEach((message, index) => {
    const problem = messageProblem(message);
    if (problem !== null) {
      const field = `messages[${index}]`;
      throw invalidRequest([{ field, in: 'body', detail: `${field}: ${problem}` }]);
    }
  });
  const buffers: Buffer[] = [];
  let total = 0;
  messages.forEach((message, index) => {
    const bytes = Buffer.from(message as string, 'utf8');
    if (bytes.length > limits.maxMessageBytes) {
      throw batchMessageTooLarge(index, bytes.length, limits.maxMessageBytes);
    }
    total += bytes.length;
    buffers.push(bytes);
  });
  if (total > limits.maxBatchBytes) throw batchTooLarge(total, limits.maxBatchBytes);
  return buffers;
}
