// The API's environment as a validated class: each variable once, with its rule and its
// default. parseApiConfig turns an instance into the ApiConfig the services inject.
import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, ValidateBy, type ValidationArguments } from 'class-validator';
import { ClusterEnv, EnvOnOff, EnvWholeNumber } from '@distilled/config';
import {
  DEFAULT_API_HOST,
  DEFAULT_API_PORT,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_KEEPALIVE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_RATE_LIMIT_WINDOW_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_WRITE_TIMEOUT_MS,
  MAX_BATCH_BYTES_LIMIT,
  MAX_IN_FLIGHT_LIMIT,
} from '../constants';

/**
 * DISTILLED_MAX_BATCH_BYTES: a whole number from DISTILLED_MAX_MESSAGE_BYTES (a message of the
 * largest size must fit a batch too) to MAX_BATCH_BYTES_LIMIT. EnvWholeNumber's rule, with its
 * lower bound read from the other variable.
 */
function EnvBatchBytes(): PropertyDecorator {
  const least = (args: ValidationArguments): number => {
    const messageBytes = (args.object as ApiEnv).DISTILLED_MAX_MESSAGE_BYTES;
    return typeof messageBytes === 'number' ? messageBytes : 1;
  };
  return applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value,
    ),
    ValidateBy({
      name: 'envRule',
      validator: {
        validate: (value: unknown, args) =>
          typeof value === 'number' &&
          Number.isSafeInteger(value) &&
          value >= least(args!) &&
          value <= MAX_BATCH_BYTES_LIMIT,
        defaultMessage: (args) =>
          `must be a whole number from ${least(args!)} (DISTILLED_MAX_MESSAGE_BYTES) to ${MAX_BATCH_BYTES_LIMIT}`,
      },
    }),
  );
}

export class ApiEnv extends ClusterEnv {
  @IsString()
  DISTILLED_API_HOST: string = DEFAULT_API_HOST;

  /** 0 asks the system for a free port. */
  @EnvWholeNumber(0, 65535)
  DISTILLED_API_PORT: number = DEFAULT_API_PORT;

  // Capped well under the 64 MiB gRPC message limit of the API and the replicas, so one
  // message alone always fits an Append and a Read.
  @EnvWholeNumber(1, 16 * 1024 * 1024)
  DISTILLED_MAX_MESSAGE_BYTES: number = DEFAULT_MAX_MESSAGE_BYTES;

  /**
   * All messages of one POST /Data/Batch. Default 16 MiB, or DISTILLED_MAX_MESSAGE_BYTES when
   * larger: filled in by parseApiConfig.
   */
  @IsOptional()
  @EnvBatchBytes()
  DISTILLED_MAX_BATCH_BYTES?: number;

  @EnvWholeNumber(100, 10 * 60 * 1000)
  DISTILLED_WRITE_TIMEOUT_MS: number = DEFAULT_WRITE_TIMEOUT_MS;

  @EnvWholeNumber(1, MAX_IN_FLIGHT_LIMIT)
  DISTILLED_API_MAX_IN_FLIGHT: number = DEFAULT_MAX_IN_FLIGHT;

  @EnvOnOff()
  DISTILLED_API_LEAN_ASYNC_BIND: boolean = true;

  @EnvWholeNumber(100, 10 * 60 * 1000)
  DISTILLED_API_HEADERS_TIMEOUT_MS: number = DEFAULT_HEADERS_TIMEOUT_MS;

  @EnvWholeNumber(100, 60 * 60 * 1000)
  DISTILLED_API_REQUEST_TIMEOUT_MS: number = DEFAULT_REQUEST_TIMEOUT_MS;

  @EnvWholeNumber(100, 60 * 60 * 1000)
  DISTILLED_API_KEEPALIVE_TIMEOUT_MS: number = DEFAULT_KEEPALIVE_TIMEOUT_MS;

  @EnvWholeNumber(1, 1_000_000)
  DISTILLED_API_MAX_CONNECTIONS: number = DEFAULT_MAX_CONNECTIONS;

  /** Requests per window per API key (per client IP without keys); unset: no limit. */
  @IsOptional()
  @EnvWholeNumber(1, 999_999_999)
  DISTILLED_API_RATE_LIMIT?: number;

  @EnvWholeNumber(100, 24 * 60 * 60 * 1000)
  DISTILLED_API_RATE_LIMIT_WINDOW_MS: number = DEFAULT_RATE_LIMIT_WINDOW_MS;

  /** Unset: every call is open. The file's lines are checked by parseApiConfig. */
  @IsOptional()
  @IsString()
  DISTILLED_API_KEYS_FILE?: string;

  /** HTTPS: the certificate (chain) and its key as PEM files, both or neither. */
  @IsOptional()
  @IsString()
  DISTILLED_API_TLS_CERT?: string;

  @IsOptional()
  @IsString()
  DISTILLED_API_TLS_KEY?: string;
}
