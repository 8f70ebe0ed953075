import { Controller, Get, Module, NotFoundException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { testDatabaseUrl } from '@credence/testing';
import { BusyFilter } from './busy.filter.js';

// One connection, given up on after 200 ms: holding it makes the next query time out like a saturated service.
const pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 1, connectionTimeoutMillis: 200 });

@Controller()
class ProbeController {
  @Get('query')
  async query() {
    await pool.query('select 1');
    return { ok: true };
  }

  @Get('bug')
  bug() {
    throw new Error('a bug');
  }

  @Get('missing')
  missing() {
    throw new NotFoundException({ error: 'not_found' });
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

describe('BusyFilter', () => {
  let app: NestFastifyApplication;
  let base = '';
  const get = async (url: string) => {
    const r = await fetch(`${base}${url}`);
    return { statusCode: r.status, headers: Object.fromEntries(r.headers), body: (await r.json()) };
  };

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(ProbeModule, new FastifyAdapter(), { logger: false });
    app.useGlobalFilters(new BusyFilter(app.getHttpAdapter()));
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
    await pool.end();
  });

  it('given every database connection busy past the pool timeout, then 503 with Retry-After, not 500', async () => {
    const held = await pool.connect();
    try {
      const r = await get('/query');
      expect(r.statusCode).toBe(503);
      expect(r.headers['retry-after']).toBe('1');
      expect(r.body).toMatchObject({ status: 'unavailable' });
    } finally {
      held.release();
    }
    expect((await get('/query')).statusCode).toBe(200);
  });

  it('given any other error, then Nest answers as before: a bug is 500, an HTTP exception keeps its status', async () => {
    expect((await get('/bug')).statusCode).toBe(500);
    const missing = await get('/missing');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toEqual({ error: 'not_found' });
  });
});
