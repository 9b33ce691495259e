import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { callApi, readMediaResponse } from './api-request.ts';
import { WechatApiError } from './errcodes.ts';

const transportReturning = (response: Response | Error) => ({
  baseUrl: 'http://peer.invalid',
  fetch: (async () => {
    if (response instanceof Error) throw response;
    return response;
  }) as typeof fetch,
});

async function errorOf(promise: Promise<unknown>): Promise<WechatApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WechatApiError) return error;
    throw error;
  }
  throw new Error('expected a WechatApiError');
}

const schema = z.object({ value: z.string() });

describe('callApi()', () => {
  it('returns the validated body on errcode 0 or without errcode', async () => {
    await expect(callApi(transportReturning(Response.json({ errcode: 0, value: 'x' })), '/p', {}, schema)).resolves.toEqual({ value: 'x' });
    await expect(callApi(transportReturning(Response.json({ value: 'y' })), '/p', {}, schema)).resolves.toEqual({ value: 'y' });
  });

  it('surfaces a non-zero errcode with its message', async () => {
    const error = await errorOf(callApi(transportReturning(Response.json({ errcode: 45015, errmsg: 'late' })), '/p', {}, schema));
    expect(error).toMatchObject({ errcode: 45015, errmsg: 'late', endpoint: '/p' });
  });

  it('turns HTTP errors, non-JSON, wrong shapes and network failures into transport errors', async () => {
    const cases = [
      new Response('oops', { status: 502 }),
      new Response('<html>', { status: 200 }),
      Response.json([1, 2]),
      Response.json({ value: 5 }),
      Response.json({ errcode: 'x' }),
      new TypeError('fetch failed'),
    ];
    for (const response of cases) {
      expect((await errorOf(callApi(transportReturning(response), '/p', {}, schema))).errcode).toBeUndefined();
    }
  });
});

describe('readMediaResponse()', () => {
  it('reads a JSON error body as the errcode it carries', async () => {
    const error = await errorOf(readMediaResponse('/media/get', Response.json({ errcode: 40007, errmsg: 'invalid media_id' })));
    expect(error.errcode).toBe(40007);
  });

  it('refuses a declared size above the bound', async () => {
    const response = new Response(new Uint8Array(4), { headers: { 'content-type': 'image/png', 'content-length': String(100 * 1024 * 1024) } });
    expect((await errorOf(readMediaResponse('/media/get', response))).errcode).toBeUndefined();
  });
});
