import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  Inject,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { apiConfig, type ApiConfig } from '../config';
import { MetricsService } from '../metrics/metrics.service';
import { ApiProblem, PROBLEM_CONTENT_TYPE } from './problem-details';
import {
  badRequest,
  headersTooLarge,
  internalError,
  messageTooLarge,
  methodNotAllowed,
  requestTimeout,
  routeNotFound,
  truncate,
  unsupportedMediaType,
} from './problems';
import { routeTableOf } from './route-table';

/**
 * The one exception filter: every failure leaves the API as application/problem+json. ApiProblem
 * is sent as is; Nest's and Fastify's own errors (no route, bad body, too large, wrong media
 * type) are mapped to the same shape. Anything else is a bug: logged here with its stack, and
 * answered with a 500 that names nothing internal.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problems');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: MetricsService,
    @Inject(apiConfig.KEY) private readonly config: ApiConfig,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const problem = this.toProblem(exception, request);
    this.metrics.countProblem(problem.problem.type, problem.status);
    if (reply.sent) return;
    void reply
      .status(problem.status)
      .headers(problem.headers)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .header('cache-control', 'no-store')
      .send(JSON.stringify(problem.problem));
  }

  private toProblem(exception: unknown, request: FastifyRequest): ApiProblem {
    if (exception instanceof ApiProblem) return exception;
    if (exception instanceof HttpException) return this.fromHttpException(exception, request);
    this.logger.error(
      `${request.method} ${pathOf(request)} failed`,
      exception instanceof Error ? exception.stack : String(exception),
    );
    return internalError();
  }

  private fromHttpException(exception: HttpException, request: FastifyRequest): ApiProblem {
    const status = exception.getStatus();
    // Nest's not-found handler throws a plain NotFoundException when no route matched.
    if (exception.constructor === NotFoundException && status === 404) {
      return this.noRoute(request);
    }
    switch (status) {
      case 408:
        return requestTimeout();
      case 413:
        return messageTooLarge(null, this.config.maxMessageBytes);
      case 415:
        return unsupportedMediaType(request.headers['content-type']);
      case 431:
        return headersTooLarge();
    }
    if (status >= 400 && status < 500) {
      // Raised by Fastify or Nest about the request itself (empty body, bad Content-Length,
      // bad URL encoding): the message describes the request, never the server.
      const title = STATUS_CODES[status] ?? 'Bad request';
      return badRequest(status, title, sentence(exception.message));
    }
    this.logger.error(`${request.method} ${pathOf(request)} failed`, exception.stack);
    return internalError();
  }

  private noRoute(request: FastifyRequest): ApiProblem {
    const path = pathOf(request);
    const instance = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const allow = routeTableOf(instance)?.allowed(path) ?? [];
    const shown = truncate(path, 200);
    if (allow.length > 0 && !allow.includes(request.method)) {
      return methodNotAllowed(request.method, shown, allow);
    }
    return routeNotFound(request.method, shown);
  }
}

function pathOf(request: FastifyRequest): string {
  const url = request.url;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function sentence(message: string): string {
  const text = truncate(message.trim(), 300);
  if (text === '') return 'The request could not be processed.';
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
