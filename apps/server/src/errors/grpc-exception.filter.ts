import { Catch, Logger, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';
import { isExpectedError, toGrpcStatus, type GrpcErrorStatus } from './grpc-status';

/**
 * Registered globally (APP_FILTER) so every gRPC handler's failure leaves as a proper status
 * with `distilled-*` trailers; without it Nest hands grpc-js an error it reports as UNKNOWN.
 */
@Catch()
export class GrpcExceptionFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('GrpcExceptionFilter');

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    if (!isExpectedError(exception)) {
      const stack = exception instanceof Error ? exception.stack : String(exception);
      this.logger.error(`unexpected error in a gRPC handler: ${stack}`);
    }
    const status: GrpcErrorStatus = toGrpcStatus(exception);
    return throwError(() => status);
  }
}
