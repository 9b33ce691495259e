import { describe, it, expect } from 'vitest';
import { AppError } from '../../core/errors.ts';
import { MsgCrypt, computeSignature, decodeAesKey, signaturesEqual, verifyPlainSignature } from './msg-crypt.ts';

const wecom = {
  token: 'QDG6eK',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  receiveId: 'wx5823bf96d3bd56c7',
};
const verifyVector = {
  msg_signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
  timestamp: '1409659589',
  nonce: '263014780',
  echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
  plain: '1616140317555161061',
  random: 'c41b64491c2468d0',
};
const postVector = {
  msg_signature: '477715d11cdb4164915debcba66cb864d751f3e6',
  timestamp: '1409659813',
  nonce: '1372623149',
  encrypt:
    'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==',
  plain:
    '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n<FromUserName><![CDATA[mycreate]]></FromUserName>\n<CreateTime>1409659813</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>',
  random: '0960688932c47ef1',
};
const replyVector = {
  plain:
    '<xml><ToUserName><![CDATA[mycreate]]></ToUserName><FromUserName><![CDATA[wx5823bf96d3bd56c7]]></FromUserName><CreateTime>1409659813</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content></xml>',
  random: 'abcdefghijklmnop',
  timestamp: '1409659813',
  nonce: '1372623149',
  encrypt:
    '7ho9XWI/HTOA1L6oduAxX9/dBCpIiR1G4dmN/J9XsfuXcx+6re4KsSJSlJP0rFl2qVXNmNCKTTF4fPfC6/CGDthtRmGmLW3iAFsu/VyW6/F1WiNyibEf8i2TunZiv5xJMrrsn8pPA+oP8loOJtO7LSk92zVyC5jfClEgdxtLBfAwMlIPaWuaC/mxBSnxIA+bBqQefSWbZgc5XfbPmkubyPML10HgcbtTazS8lRDmVUDATuF/271YnkLIUPbUbSldbHPczc/F2IEVeOVhaygqtZCMMNneEcjG3xN0YiQYuBnJUV1mTPE2tsUNP3PwAMgcQVHJx+cdUp46Bv7eckmDJPaJfM65apunYpeTfSXs6gLJZNdpw4WiPS8hjayKRz3h',
  signature: 'f8a3558cfa846ae3e094d4f890849bdd1721b38b',
};
const oa = {
  token: 'spamtest',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  receiveId: 'wx2c2769f8efd9abc2',
  timestamp: '1409735669',
  nonce: '1320562132',
  msg_signature: '5d197aaffba7e9b25a30732f161a50dee96bd5fa',
  encrypt:
    'hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=',
  plain:
    '<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>\n<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>\n<CreateTime>1409735668</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[abcdteT]]></Content>\n<MsgId>6054768590064713728</MsgId>\n</xml>',
};

function fixedRandom(ascii: string) {
  return () => Buffer.from(ascii, 'ascii');
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof AppError ? error.code : `not an AppError: ${String(error)}`;
  }
  return undefined;
}

describe('decodeAesKey()', () => {
  it('derives the 32-byte key of the WeCom sample', () => {
    expect(decodeAesKey(wecom.encodingAesKey).toString('hex')).toBe(
      '8d69989bbaabe67328014c194631ad0719b3dca035b64023df292447aab60760',
    );
  });

  it('refuses a key that is not 43 alphanumerics', () => {
    expect(codeOf(() => decodeAesKey('short'))).toBe('bad_request');
    expect(codeOf(() => decodeAesKey(`${wecom.encodingAesKey.slice(0, 42)}+`))).toBe('bad_request');
  });
});

describe('computeSignature()', () => {
  it('signs the WeCom URL verification vector', () => {
    const { timestamp, nonce, echostr } = verifyVector;
    expect(computeSignature(wecom.token, timestamp, nonce, echostr)).toBe(verifyVector.msg_signature);
  });

  it('signs the WeCom POST vector regardless of argument order', () => {
    const { timestamp, nonce, encrypt } = postVector;
    expect(computeSignature(encrypt, nonce, wecom.token, timestamp)).toBe(postVector.msg_signature);
  });

  it('signs the OA plain-mode GET and POST vectors over three strings', () => {
    expect(computeSignature('AAAAA', '1714036504', '1514711492')).toBe('f464b24fc39322e44b38aa78f5edd27bd1441696');
    expect(computeSignature('AAAAA', '1714037059', '486452656')).toBe('899cf89e464efb63f54ddac96b0a0a235f53aa78');
  });
});

describe('signaturesEqual()', () => {
  it('accepts the same signature in either case and refuses others', () => {
    expect(signaturesEqual('abc123', 'ABC123')).toBe(true);
    expect(signaturesEqual('abc123', 'abc124')).toBe(false);
    expect(signaturesEqual('abc123', 'abc12')).toBe(false);
    expect(signaturesEqual('abc123', undefined)).toBe(false);
    expect(signaturesEqual('abc123', ['abc123'])).toBe(false);
  });
});

describe('verifyPlainSignature()', () => {
  it('passes the official OA GET vector', () => {
    expect(() =>
      verifyPlainSignature('AAAAA', {
        signature: 'f464b24fc39322e44b38aa78f5edd27bd1441696',
        timestamp: '1714036504',
        nonce: '1514711492',
      }),
    ).not.toThrow();
  });

  it('refuses a wrong or missing signature as invalid_signature', () => {
    const query = { signature: 'f464b24fc39322e44b38aa78f5edd27bd1441697', timestamp: '1714036504', nonce: '1514711492' };
    expect(codeOf(() => verifyPlainSignature('AAAAA', query))).toBe('invalid_signature');
    expect(codeOf(() => verifyPlainSignature('AAAAA', { timestamp: '1', nonce: '2' }))).toBe('invalid_signature');
  });
});

describe('MsgCrypt with the WeCom sample', () => {
  const crypt = new MsgCrypt(wecom);

  it('verifies and decrypts the URL verification echostr', () => {
    expect(crypt.verifyAndDecrypt(verifyVector, verifyVector.echostr)).toBe(verifyVector.plain);
  });

  it('verifies and decrypts the POST message byte for byte', () => {
    expect(crypt.verifyAndDecrypt(postVector, postVector.encrypt)).toBe(postVector.plain);
  });

  it('reproduces both official ciphertexts from their random prefixes', () => {
    expect(new MsgCrypt({ ...wecom, random: fixedRandom(verifyVector.random) }).encrypt(verifyVector.plain)).toBe(
      verifyVector.echostr,
    );
    expect(new MsgCrypt({ ...wecom, random: fixedRandom(postVector.random) }).encrypt(postVector.plain)).toBe(
      postVector.encrypt,
    );
  });

  it('builds the signed reply envelope of the reply vector', () => {
    const reply = new MsgCrypt({ ...wecom, random: fixedRandom(replyVector.random) }).encryptReply(
      replyVector.plain,
      replyVector.timestamp,
      replyVector.nonce,
    );
    expect(reply.encrypt).toBe(replyVector.encrypt);
    expect(reply.signature).toBe(replyVector.signature);
    expect(reply.xml).toBe(
      `<xml><Encrypt><![CDATA[${replyVector.encrypt}]]></Encrypt><MsgSignature><![CDATA[${replyVector.signature}]]></MsgSignature><TimeStamp>1409659813</TimeStamp><Nonce><![CDATA[1372623149]]></Nonce></xml>`,
    );
  });

  it('round-trips multi-byte text whose length lands on a block boundary', () => {
    for (let n = 0; n < 70; n++) {
      const message = '客'.repeat(n) + 'x'.repeat(n % 7);
      expect(crypt.decrypt(crypt.encrypt(message))).toBe(message);
    }
  });

  it('refuses a tampered signature as invalid_signature', () => {
    expect(codeOf(() => crypt.verifyAndDecrypt({ ...postVector, nonce: '1372623148' }, postVector.encrypt))).toBe(
      'invalid_signature',
    );
    expect(codeOf(() => crypt.verify({ timestamp: postVector.timestamp }, postVector.encrypt))).toBe('invalid_signature');
  });

  it('refuses a message addressed to another receiveid as bad_request', () => {
    const other = new MsgCrypt({ ...wecom, receiveId: 'wwanothercorp' });
    expect(codeOf(() => other.decrypt(postVector.encrypt))).toBe('bad_request');
  });

  it('refuses garbage ciphertext as bad_request without throwing anything else', () => {
    for (const garbage of ['', 'not base64 at all!!', 'AAAA', Buffer.alloc(32).toString('base64'), Buffer.alloc(31).toString('base64')]) {
      expect(codeOf(() => crypt.decrypt(garbage))).toBe('bad_request');
    }
  });

  it('refuses a ciphertext encrypted with another key as bad_request', () => {
    const stranger = new MsgCrypt({ ...wecom, encodingAesKey: oa.encodingAesKey });
    expect(codeOf(() => crypt.decrypt(stranger.encrypt('hello')))).toBe('bad_request');
  });

  it('refuses a malformed reply nonce so the envelope cannot be broken out of', () => {
    expect(codeOf(() => crypt.encryptReply('x', '1', ']]><evil/>'))).toBe('bad_request');
  });
});

describe('MsgCrypt with the Official Account sample', () => {
  it('verifies and decrypts the OA vector', () => {
    const crypt = new MsgCrypt(oa);
    expect(crypt.verifyAndDecrypt(oa, oa.encrypt)).toBe(oa.plain);
  });

  it('reproduces the OA ciphertext from its random prefix', () => {
    expect(new MsgCrypt({ ...oa, random: fixedRandom('89465c840c5f116f') }).encrypt(oa.plain)).toBe(oa.encrypt);
  });
});
