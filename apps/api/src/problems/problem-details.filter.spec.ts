import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from '@nestjs/common';
import { createTestApp, injector } from '../testing/create-test-app';
import type { FakeReplicaGateway } from '../testing/fake-replica-gateway';

describe('ProblemDetailsFilter', () => {
  let app: NestFastifyApplication;
  let gateway: FakeReplicaGateway;

  beforeEach(async () => {
    ({ app, gateway } = await createTestApp());
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await app.close();
  });

  describe('catch', () => {
    it('answers an unexpected error with a 500 problem that names nothing internal', async () => {
      const boom = new Error('boom at /work/main/apps/api/src/x.ts:12 (10.0.0.7:50051)');
      jest.spyOn(gateway, 'read').mockRejectedValue(boom);
      jest.spyOn(gateway, 'readBatch').mockRejectedValue(boom);
      const response = await injector(app)('/Data?offset=0');
      expect(response.statusCode).toBe(500);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toEqual({
        type: 'urn:distilled:problem:internal-error',
        title: 'Internal server error',
        status: 500,
        detail: expect.any(String),
      });
      expect(response.body).not.toMatch(/boom|\/work|x\.ts|10\.0\.0\.7/);
    });

    it('counts every problem by type in /metrics', async () => {
      const inject = injector(app);
      await inject('/Data?offset=x');
      await inject('/nope');
      const metrics = (await inject('/metrics')).body;
      expect(metrics).toMatch(
        /distilled_api_problems_total\{type="urn:distilled:problem:invalid-request",status="400"\} 1/,
      );
      expect(metrics).toMatch(
        /distilled_api_problems_total\{type="urn:distilled:problem:route-not-found",status="404"\} 1/,
      );
    });
  });
});
