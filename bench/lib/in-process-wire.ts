/**
 * What the in-process probes (keyed-writes-inprocess.ts, keyed-parts-inprocess.ts) share: the
 * real AppendStream protobuf types, converted to objects as the replicas' grpc-js loader does, so
 * a probe pays the wire's encode and decode without a transport; and their numeric flags (they
 * run alone under ts-node, outside the suite's declared flags).
 */
import * as protobuf from 'protobufjs';
import { PROTO_LOADER_OPTIONS, resolveProtoPath } from '../../libs/proto/src/proto-path';

const root = new protobuf.Root().loadSync(resolveProtoPath(), { keepCase: true });
export const Requests = root.lookupType('distilled.v1.AppendStreamRequest');
export const Answers = root.lookupType('distilled.v1.AppendStreamResponse');
export const toObject = { ...PROTO_LOADER_OPTIONS } as protobuf.IConversionOptions;

/** `--name N` from the command line, or `fallback`. */
export function arg(name: string, fallback: number): number {
  const value = textArg(name);
  return value === undefined ? fallback : Number(value);
}

/** `--name value` from the command line, or undefined without the flag. */
export function textArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
