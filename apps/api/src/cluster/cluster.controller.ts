import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ClusterService } from './cluster.service';
import { ClusterViewDto } from './dto/cluster-view.dto';

@ApiTags('Cluster')
@Controller('Cluster')
export class ClusterController {
  constructor(private readonly cluster: ClusterService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'The replicas, their roles and how far their logs reach',
    description: 'For people and tests. A replica that does not answer is listed as unreachable.',
  })
  @ApiOkResponse({ type: ClusterViewDto })
  view(): Promise<ClusterViewDto> {
    return this.cluster.view();
  }
}
