import { describe, it, expect } from 'vitest';
import { AppError } from '../../core/errors.ts';
import { buildFlatXml, parseCallbackXml, parseSafeXml, readXmlObject, readXmlString } from './safe-xml.ts';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof AppError ? error.code : `not an AppError: ${String(error)}`;
  }
  return undefined;
}

describe('parseCallbackXml()', () => {
  it('reads CDATA verbatim and keeps every value a string', () => {
    const fields = parseCallbackXml(
      '<xml><ToUserName><![CDATA[gh_1]]></ToUserName>\n<CreateTime>1409735668</CreateTime>' +
        '<Content><![CDATA[  你好 <b>&amp; ]]></Content><MsgId>6054768590064713728</MsgId></xml>',
    );
    expect(fields).toEqual({
      ToUserName: 'gh_1',
      CreateTime: '1409735668',
      Content: '  你好 <b>&amp; ',
      MsgId: '6054768590064713728',
    });
  });

  it('decodes the five XML entities outside CDATA', () => {
    expect(parseCallbackXml('<xml><A>x &amp; y &lt;z&gt;</A></xml>').A).toBe('x & y <z>');
  });

  it('keeps nested elements as objects', () => {
    const fields = parseCallbackXml('<xml><Image><MediaId><![CDATA[m1]]></MediaId></Image></xml>');
    expect(readXmlString(readXmlObject(fields, 'Image'), 'MediaId')).toBe('m1');
  });

  it('refuses a DOCTYPE with an external entity', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><A>&x;</A></xml>';
    expect(codeOf(() => parseCallbackXml(xxe))).toBe('bad_request');
  });

  it('refuses entity declarations in any letter case', () => {
    expect(codeOf(() => parseCallbackXml('<!doctype xml><xml><A>1</A></xml>'))).toBe('bad_request');
    expect(codeOf(() => parseCallbackXml('<xml><!ENTITY a "b"><A>1</A></xml>'))).toBe('bad_request');
  });

  it('accepts a visitor text that merely mentions <!DOCTYPE inside CDATA', () => {
    expect(parseCallbackXml('<xml><Content><![CDATA[<!DOCTYPE html>]]></Content></xml>').Content).toBe('<!DOCTYPE html>');
  });

  it('refuses bodies over the size bound', () => {
    const big = `<xml><A>${'a'.repeat(100)}</A></xml>`;
    expect(codeOf(() => parseCallbackXml(big, { maxBytes: 50 }))).toBe('bad_request');
    expect(parseCallbackXml(big, { maxBytes: 200 }).A).toBe('a'.repeat(100));
  });

  it('refuses malformed documents and a missing <xml> root', () => {
    for (const bad of ['', 'garbage', '<xml><A>x</B></xml>', '<xml><A>x</A>', '<root><A>1</A></root>', '<xml>text</xml>']) {
      expect(codeOf(() => parseCallbackXml(bad))).toBe('bad_request');
    }
  });

  it('refuses prototype-polluting tag names without polluting', () => {
    expect(codeOf(() => parseSafeXml('<xml><__proto__><polluted>1</polluted></__proto__></xml>'))).toBe('bad_request');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads a repeated tag as absent rather than guessing one value', () => {
    expect(readXmlString(parseCallbackXml('<xml><A>1</A><A>2</A></xml>'), 'A')).toBeUndefined();
  });
});

describe('buildFlatXml()', () => {
  it('round-trips through the parser, even with ]]> in a text', () => {
    const xml = buildFlatXml({ ToUserName: 'o1', CreateTime: 12, Content: 'a]]>b', Image: { MediaId: 'm' } });
    expect(parseCallbackXml(xml)).toEqual({ ToUserName: 'o1', CreateTime: '12', Content: 'a]]>b', Image: { MediaId: 'm' } });
  });
});
