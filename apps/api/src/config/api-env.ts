// The API's environment as a validated class: each variable once, with its rule and its
// default. parseApiConfig turns an instance into the ApiConfig the services inject.
import { IsOptional, IsString } from 'class-validator';
import { ClusterEnv, EnvOnOff, EnvWholeNumber } from '@distilled/config';
import {
  DEFAULT_API_HOST,
  DEFAULT_API_PORT,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_KEEPALIVE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_WRITE_TIMEOUT_MS,
  MAX_IN_FLIGHT_LIMIT,
} from '../constants';

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

  /** Unset: every call is open. The file's lines are checked by parseApiConfig. */
  @IsOptional()
  @IsString()
  DISTILLED_API_KEYS_FILE?: string;
}
