import crypto from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MsgCrypt, computeSignature } from '../../connectors/wechat-common/msg-crypt.ts';
import { WechatMpPeer } from '../peers/wechat-mp-peer.ts';
import { WecomPeer } from '../peers/wecom-peer.ts';
import { Client, startTestKefu, stopAndDrop, type TestKefu } from '../support/harness.ts';
import { eventually, postCallback } from '../integration/channel-support.ts';

/**
 * Property-based checks of the WeCom and Official Account callbacks: forged or missing signatures,
 * stale timestamps, bodies that are not XML, XML with DOCTYPE or entities, and correctly signed and
 * encrypted envelopes around garbage. Every answer is a 2xx or a 4xx with a stable error code, never
 * a 5xx, and a genuine callback still works afterwards.
 */
const text = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '人工', '\u0000', ']]>', '<![CDATA[', '&amp;', '&#x0;', '💥'),
);
const tag = fc.constantFrom('xml', 'ToUserName', 'FromUserName', 'MsgType', 'Content', 'MsgId', 'Event', 'Encrypt', 'Token', 'OpenKfId', 'CreateTime', 'PicUrl');
const xmlNode: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text.map((t) => `<![CDATA[${t}]]>`),
    text,
    fc.tuple(tag, fc.array(tie('node'), { maxLength: 4 })).map(([name, children]) => `<${name}>${children.join('')}</${name}>`),
  ),
})).node;
const hostileXml = fc.constantFrom(
  '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><xml><Content>&b;</Content></xml>',
  '<!DOCTYPE xml SYSTEM "file:///etc/passwd"><xml><Content>x</Content></xml>',
  '<xml><Content>&xxe;</Content></xml>',
  `<xml>${'<a>'.repeat(2000)}${'</a>'.repeat(2000)}</xml>`,
  '<xml><MsgType>text</MsgType><MsgId>-1</MsgId><FromUserName></FromUserName></xml>',
  '<xml><MsgType>image</MsgType><PicUrl>http://127.0.0.1:1/x</PicUrl><MediaId>m</MediaId><FromUserName>o_f</FromUserName><MsgId>9</MsgId></xml>',
  '<xml><Encrypt><![CDATA[AAAA]]></Encrypt></xml>',
  '',
);
const body = fc.oneof(xmlNode.map((n) => `<xml>${n}</xml>`), hostileXml, text, fc.jsonValue().map((v) => JSON.stringify(v)));
const query = fc.dictionary(fc.constantFrom('signature', 'msg_signature', 'timestamp', 'nonce', 'echostr', 'openid', 'encrypt_type'), text, { maxKeys: 7 });

async function call(url: string, method: 'GET' | 'POST', params: Record<string, string>, payload?: string) {
  const target = new URL(url);
  for (const [key, value] of Object.entries(params)) target.searchParams.set(key, value);
  const res = await fetch(target, { method, headers: { 'content-type': 'text/xml' }, body: method === 'POST' ? payload : undefined });
  const raw = await res.text();
  return { status: res.status, raw };
}

function expectSafe(res: { status: number; raw: string }) {
  expect(res.status, res.raw.slice(0, 200)).toBeLessThan(500);
  if (res.status >= 400) {
    const parsed = JSON.parse(res.raw) as { error?: { code?: unknown; message?: unknown } };
    expect(typeof parsed.error?.code).toBe('string');
    expect(typeof parsed.error?.message).toBe('string');
  }
}

describe('fuzzing WeChat-family callbacks', () => {
  let kefu: TestKefu;
  let mpPeer: WechatMpPeer;
  let wecomPeer: WecomPeer;
  let mpUrl: string;
  let mpPlainUrl: string;
  let wecomUrl: string;
  let mpPlainChannel: string;

  beforeAll(async () => {
    mpPeer = await WechatMpPeer.start();
    wecomPeer = await WecomPeer.start();
    kefu = await startTestKefu({ env: { WECHAT_MP_API_BASE: mpPeer.baseUrl, WECOM_API_BASE: wecomPeer.baseUrl, RATE_LIMIT_MULTIPLIER: '100000' } });
    const admin = new Client(kefu.url);
    await admin.login(kefu.adminEmail, kefu.adminPassword);
    const create = async (type: string, credentials: Record<string, string>) => {
      const res = await admin.post('/api/channels', { type, name: `fuzz ${type} ${credentials.mode ?? ''}`, credentials });
      expect(res.status).toBe(201);
      return res.body.channel.id as string;
    };
    const mpChannel = await create('wechat_mp', mpPeer.credentials('safe'));
    mpPlainChannel = await create('wechat_mp', mpPeer.credentials('plain'));
    const wecomChannel = await create('wecom', wecomPeer.credentials);
    mpUrl = `${kefu.url}/connectors/wechat-mp/${mpChannel}/callback`;
    mpPlainUrl = `${kefu.url}/connectors/wechat-mp/${mpPlainChannel}/callback`;
    wecomUrl = `${kefu.url}/connectors/wecom/${wecomChannel}/callback`;
  }, 60_000);

  afterAll(async () => {
    await stopAndDrop(kefu);
    await mpPeer.close();
    await wecomPeer.close();
  });

  it('unsigned and forged callbacks, GET and POST, on every channel (1,500 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('mp', 'mpPlain', 'wecom'), fc.constantFrom('GET', 'POST'), query, body, async (which, method, params, payload) => {
        const url = which === 'mp' ? mpUrl : which === 'mpPlain' ? mpPlainUrl : wecomUrl;
        expectSafe(await call(url, method as 'GET' | 'POST', params, payload));
      }),
      { numRuns: 1500 },
    );
  }, 300_000);

  it('correctly signed plain-mode bodies of any shape (1,000 cases)', async () => {
    const { token } = mpPeer.credentials('plain');
    await fc.assert(
      fc.asyncProperty(body, fc.integer({ min: -400, max: 400 }), async (payload, skew) => {
        const timestamp = String(Math.floor(Date.now() / 1000) + skew);
        const nonce = String(crypto.randomInt(1e9));
        expectSafe(await call(mpPlainUrl, 'POST', { signature: computeSignature(token, timestamp, nonce), timestamp, nonce }, payload));
      }),
      { numRuns: 1000 },
    );
  }, 300_000);

  it('takes a signed callback whose fields hold U+0000 (found by this fuzzing)', async () => {
    const { token } = mpPeer.credentials('plain');
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = String(crypto.randomInt(1e9));
    const body = '<xml><ToUserName>gh</ToUserName><FromUserName><![CDATA[o_nul\u0000]]></FromUserName><MsgType>text</MsgType><Content><![CDATA[空\u0000字符]]></Content><MsgId>99887766</MsgId></xml>';
    const res = await call(mpPlainUrl, 'POST', { signature: computeSignature(token, timestamp, nonce), timestamp, nonce }, body);
    expect(res.status).toBe(200);
    await eventually(() => kefu.app.prisma.message.findFirst({ where: { channelId: mpPlainChannel, content: '空字符' } }));
  });

  it('correctly signed and encrypted envelopes around garbage, WeCom and safe mode (1,000 cases)', async () => {
    const mp = mpPeer.credentials('safe');
    const wecom = wecomPeer.credentials;
    const mpCrypt = new MsgCrypt({ token: mp.token, encodingAesKey: mp.encodingAesKey, receiveId: mp.appId });
    const wecomCrypt = new MsgCrypt({ token: wecom.token, encodingAesKey: wecom.encodingAesKey, receiveId: wecom.corpId });
    await fc.assert(
      fc.asyncProperty(fc.boolean(), body, fc.boolean(), async (isWecom, plaintext, tamper) => {
        const crypt = isWecom ? wecomCrypt : mpCrypt;
        const timestamp = String(Math.floor(Date.now() / 1000));
        const nonce = String(crypto.randomInt(1e9));
        let encrypt = crypt.encrypt(plaintext);
        if (tamper) encrypt = encrypt.slice(0, -8) + 'AAAAAAA=';
        const params: Record<string, string> = { msg_signature: crypt.sign(timestamp, nonce, encrypt), timestamp, nonce };
        if (!isWecom) Object.assign(params, { signature: computeSignature(mp.token, timestamp, nonce), encrypt_type: 'aes', openid: 'o_fuzz' });
        const envelope = `<xml><ToUserName><![CDATA[x]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
        expectSafe(await call(isWecom ? wecomUrl : mpUrl, 'POST', params, envelope));
      }),
      { numRuns: 1000 },
    );
  }, 300_000);

  it('still takes a genuine callback after the storm of bad ones', async () => {
    const openId = `o_after_fuzz_${crypto.randomBytes(3).toString('hex')}`;
    const res = await postCallback(mpPlainUrl, mpPeer.userSendsText(openId, '模糊测试之后', 'plain'));
    expect(res.status).toBe(200);
    await eventually(() => kefu.app.prisma.message.findFirst({ where: { channelId: mpPlainChannel, content: '模糊测试之后' } }));
  }, 30_000);
});
