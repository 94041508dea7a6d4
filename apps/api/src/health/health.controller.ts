import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthScope } from '../auth/scope.decorator';
import { ApiProblemResponse } from '../problems/api-problem-response.decorator';
import { notReady } from '../problems';
import { HealthService, type Liveness, type Readiness } from './health.service';

@ApiTags('Health')
@AuthScope('public')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Liveness: the API process answers' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live(): Liveness {
    return this.health.live();
  }

  @Get('ready')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Readiness: a leader is known and can take writes' })
  @ApiOkResponse({ schema: { example: { status: 'ready', leader: 'replica-1', epoch: 3 } } })
  @ApiProblemResponse(503, 'No leader can take writes right now.', {
    noLeader: {
      summary: 'No leader',
      value: notReady('No leader is elected yet, so writes cannot be taken.', null).problem,
    },
  })
  ready(): Promise<Readiness> {
    return this.health.ready();
  }
}
