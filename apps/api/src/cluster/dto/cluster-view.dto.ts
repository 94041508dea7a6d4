import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export type NodeRole = 'leader' | 'follower' | 'starting' | 'unreachable' | 'unregistered';

export class ClusterNodeDto {
  @ApiProperty({ example: 'replica-1' })
  id!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'host:port of its gRPC server; null for an ISR member that is not registered.',
    example: 'replica-1:50051',
  })
  address!: string | null;

  @ApiProperty({
    enum: ['leader', 'follower', 'starting', 'unreachable', 'unregistered'],
    description:
      'What the replica says it is; `unreachable` when it did not answer, `unregistered` for an ISR member missing from the membership.',
    example: 'leader',
  })
  role!: NodeRole;

  @ApiProperty({ description: 'In the ISR: holds every committed message.', example: true })
  inSync!: boolean;

  @ApiProperty({ type: Number, nullable: true, example: 42 })
  logEndOffset!: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 42 })
  highWatermark!: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0,
    description: 'First offset the replica still serves: retention deleted everything below it.',
  })
  logStartOffset!: number | null;

  @ApiPropertyOptional({ description: 'Set when the replica refuses to serve, and why.' })
  problem?: string;

  @ApiPropertyOptional({
    description:
      "true while the replica's disk refuses its log writes: it takes no writes, is out of the ISR and does not stand for leader until it has room again (absent otherwise).",
    example: true,
  })
  diskFull?: boolean;
}

export class ClusterViewDto {
  @ApiProperty({ type: String, nullable: true, example: 'replica-1' })
  leader!: string | null;

  @ApiProperty({ description: 'Leader epoch; grows by one at every election.', example: 3 })
  epoch!: number;

  @ApiProperty({ type: [ClusterNodeDto] })
  nodes!: ClusterNodeDto[];
}
