import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { documentApiKeys } from '../auth/document-api-keys';
import { documentRateLimits } from '../rate-limit';

export const DOCS_PATH = 'docs';

/**
 * Swagger UI at /docs and the OpenAPI document at /docs-json. `ui: false` serves only the
 * document: the UI's static files come through @fastify/static, whose dependencies are ES
 * modules that Jest cannot load, so specs check /docs-json and the e2e suite checks /docs.
 */
export function setupSwagger(app: INestApplication, ui = true): void {
  const config = new DocumentBuilder()
    .setTitle('Distilled')
    .setDescription(
      'A replicated, append-only log. POST /Data appends a message and answers with its offset ' +
        'once committed; GET /Data?offset=n reads it back from any replica. Every error is ' +
        'application/problem+json (RFC 9457). The live console is at [/ui](/ui).',
    )
    .setVersion('1')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  documentApiKeys(document);
  documentRateLimits(document);
  SwaggerModule.setup(DOCS_PATH, app, document, {
    ui,
    jsonDocumentUrl: `${DOCS_PATH}-json`,
    swaggerOptions: {
      tryItOutEnabled: true,
      displayRequestDuration: true,
      persistAuthorization: true,
    },
  });
}
