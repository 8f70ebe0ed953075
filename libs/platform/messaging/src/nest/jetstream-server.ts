import { EventEmitter } from 'node:events';
import { BaseRpcContext, NatsContext, Server, type CustomTransportStrategy, type MessageHandler, type WritePacket } from '@nestjs/microservices';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { lastValueFrom } from 'rxjs';
import { stringifyWithBigints } from '@credence/kernel';
import { BatchConsumer } from '../batch-consumer.js';
import { connectNats, type NatsConnectionInput } from '../connection.js';
import type { InboundMessage } from '../inbound.js';
import type { Outcome } from '../outcome.js';
import { serveRequests, type RequestServer } from '../request-reply.js';

export const JETSTREAM_TRANSPORT = Symbol('CREDENCE_JETSTREAM');

export type JetStreamConsumerBinding = {
  /** The `@EventPattern` string this binding feeds. */
  readonly pattern: string;
  readonly stream: string;
  readonly durable: string;
  readonly batchSize: number;
  readonly fetchExpiresMs: number;
  readonly maxBufferedMessages?: number;
  readonly errorNakDelayMs?: number;
  readonly maxErrorNakDelayMs?: number;
};

export type JetStreamServerOptions = {
  readonly connection: NatsConnectionInput;
  /** Queue group of every `@MessagePattern` subscription. */
  readonly queue: string;
  /** Concurrent requests per `@MessagePattern`. Default 64. */
  readonly maxConcurrentRequests?: number;
  readonly consumers: readonly JetStreamConsumerBinding[];
  /**
   * Maps a `@MessagePattern` to the subject actually served. Patterns are static decorator
   * arguments; this lets one deployment (or one test) live under its own subject prefix.
   */
  readonly subjectFor?: (pattern: string) => string;
  /** Runs after connecting, before anything is consumed: the place for ensureStream / ensureDurableConsumer. */
  readonly provision?: (jsm: JetStreamManager, nc: NatsConnection) => Promise<void>;
};

/** `@Ctx()` of an `@EventPattern` handler fed by a JetStream batch. */
export class JetStreamBatchContext extends BaseRpcContext<[JetStreamConsumerBinding]> {
  getBinding(): JetStreamConsumerBinding {
    return this.args[0];
  }
}

/** The JSON body of a failed request's reply. */
export type RequestErrorReply = { readonly error: { readonly message: string } };

type JetStreamEvents = {
  disconnect: (server?: string) => void;
  reconnect: (server?: string) => void;
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const DEFAULT_MAX_CONCURRENT_REQUESTS = 64;

/**
 * Nest transport: `@MessagePattern(subject)` is core NATS request/reply in the queue group (JSON
 * in, JSON out; a handler exception becomes `{ error: { message } }`); `@EventPattern(pattern)`
 * receives `InboundMessage[]` batches from the bound durable consumer and returns `Outcome[]`.
 */
export class JetStreamServer extends Server<JetStreamEvents> implements CustomTransportStrategy {
  override transportId = JETSTREAM_TRANSPORT;
  // Event handler failures come back to us: the batch consumer naks the batch and retries it.
  override readonly propagatesEventHandlerErrors = true;
  private nc: NatsConnection | undefined;
  private readonly requestServers: RequestServer[] = [];
  private readonly batchConsumers: BatchConsumer[] = [];
  private readonly events = new EventEmitter();

  constructor(private readonly options: JetStreamServerOptions) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      this.nc = await connectNats(this.options.connection);
      this._status$.next('connected');
      void this.watchStatus(this.nc);
      if (this.options.provision !== undefined) await this.options.provision(await jetstreamManager(this.nc), this.nc);
      await this.bind(this.nc);
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /** Resolves once in-progress batches are settled and taken requests answered. */
  async close(): Promise<void> {
    await Promise.all(this.batchConsumers.splice(0).map((c) => c.stop()));
    await Promise.all(this.requestServers.splice(0).map((s) => s.stop()));
    const nc = this.nc;
    this.nc = undefined;
    if (nc !== undefined && !nc.isClosed()) await nc.drain();
    this.events.removeAllListeners();
  }

  /** The live connection, for the app's own publishing. */
  getConnection(): NatsConnection {
    if (this.nc === undefined) throw new Error('JetStreamServer is not listening: call app.listen() first');
    return this.nc;
  }

  unwrap<T>(): T {
    return this.getConnection() as T;
  }

  on<K extends keyof JetStreamEvents>(event: K, callback: JetStreamEvents[K]): void {
    this.events.on(event, callback);
  }

  private async bind(nc: NatsConnection): Promise<void> {
    const bindings = new Map(this.options.consumers.map((b) => [b.pattern, b]));
    for (const binding of this.options.consumers) {
      const handler = this.messageHandlers.get(binding.pattern);
      if (handler === undefined || !handler.isEventHandler) {
        throw new Error(`consumer binding ${binding.stream}/${binding.durable}: no @EventPattern('${binding.pattern}')`);
      }
    }
    for (const [pattern, handler] of this.messageHandlers) {
      if (handler.isEventHandler) {
        const binding = bindings.get(pattern);
        if (binding === undefined) {
          this.logger.warn(`@EventPattern('${pattern}') has no consumer binding and receives nothing`);
          continue;
        }
        const consumer = new BatchConsumer(nc, {
          ...binding,
          handler: (batch) => this.handleBatch(handler, binding, batch),
          onError: (error, batch) => {
            this.logger.error(`batch of ${batch.length} from ${binding.stream}/${binding.durable} failed: ${describe(error)}`);
          },
        });
        await consumer.start();
        this.batchConsumers.push(consumer);
      } else {
        this.requestServers.push(
          serveRequests(nc, this.options.subjectFor?.(pattern) ?? pattern, {
            queue: this.options.queue,
            maxConcurrent: this.options.maxConcurrentRequests ?? DEFAULT_MAX_CONCURRENT_REQUESTS,
            handler: (request) => this.handleRpc(handler, request.subject, request.data, request.headers),
          }),
        );
      }
    }
  }

  private handleBatch(handler: MessageHandler, binding: JetStreamConsumerBinding, batch: InboundMessage[]): Promise<Outcome[]> {
    const context = new JetStreamBatchContext([binding]);
    return new Promise<Outcome[]>((resolve, reject) => {
      // The processing hooks (e.g. tracing) decide when the handler runs; settle from inside it.
      const started: unknown = this.runWithProcessingHooks(context, async (runEndHook) => {
        try {
          const result$ = this.transformToObservable(await handler(batch, context));
          resolve((await lastValueFrom(result$, { defaultValue: undefined })) as Outcome[]);
        } catch (error) {
          // Nest's exception filter hands back `{ status, message }`, not an Error.
          reject(error instanceof Error ? error : new Error(describe(error)));
        } finally {
          runEndHook();
        }
      });
      if (started instanceof Promise) started.catch((error: unknown) => reject(error instanceof Error ? error : new Error(describe(error))));
    });
  }

  private handleRpc(handler: MessageHandler, subject: string, data: Uint8Array, headers: Readonly<Record<string, string>>): Promise<Uint8Array> {
    const context = new NatsContext([subject, headers]);
    let payload: unknown;
    try {
      payload = data.length === 0 ? undefined : JSON.parse(decoder.decode(data));
    } catch {
      return Promise.resolve(errorReply('request body is not JSON'));
    }
    return new Promise<Uint8Array>((resolve) => {
      let replied = false;
      const reply = (bytes: Uint8Array): void => {
        if (!replied) {
          replied = true;
          resolve(bytes);
        }
      };
      const respond = (packet: WritePacket): void => {
        if (packet.err !== undefined) {
          const message = describe(packet.err);
          this.logger.error(`request ${subject} failed: ${message}`);
          reply(errorReply(message));
        } else if ('response' in packet) {
          reply(encoder.encode(stringifyWithBigints(packet.response ?? null)));
        } else if (packet.isDisposed === true) {
          reply(encoder.encode('null'));
        }
      };
      const started: unknown = this.handleRequest(context, async () => this.transformToObservable(await handler(payload, context)), respond);
      if (started instanceof Promise) {
        started.catch((error: unknown) => {
          this.logger.error(`request ${subject} failed: ${describe(error)}`);
          reply(errorReply(describe(error)));
        });
      }
    });
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      switch (status.type) {
        case 'disconnect':
          this._status$.next('disconnected');
          this.logger.error(`NATS disconnected from ${status.server}`);
          this.events.emit('disconnect', status.server);
          break;
        case 'reconnecting':
          this._status$.next('reconnecting');
          break;
        case 'reconnect':
          this._status$.next('connected');
          this.logger.log(`NATS reconnected to ${status.server}`);
          this.events.emit('reconnect', status.server);
          break;
        case 'error':
          this.logger.error(`NATS error: ${describe(status.error)}`);
          break;
        case 'staleConnection':
        case 'slowConsumer':
        case 'ldm':
          this.logger.warn(`NATS status: ${status.type}`);
          break;
        case 'close':
        case 'forceReconnect':
        case 'ping':
        case 'update':
          break;
      }
    }
  }
}

function errorReply(message: string): Uint8Array {
  const body: RequestErrorReply = { error: { message } };
  return encoder.encode(JSON.stringify(body));
}

/** Nest's RPC exception filter turns exceptions into `{ status, message }`; keep the message. */
function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error);
}
