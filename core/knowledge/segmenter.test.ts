import { describe, expect, it } from 'vitest';
import { bigramsOf, Segmenter } from './segmenter.ts';

const segmenter = new Segmenter();

describe('Segmenter', () => {
  it('cuts Chinese into words after normalizing', () => {
    expect(segmenter.segment('我的密碼忘記了')).toEqual(['我', '的', '密码', '忘记', '了']);
  });

  it('keeps run-time user words whole', () => {
    const local = new Segmenter();
    expect(local.segment('凯福云盒怎么激活')).not.toContain('凯福云盒');
    expect(local.addUserWords(['凯福云盒'])).toBe(1);
    expect(local.segment('凯福云盒怎么激活')).toContain('凯福云盒');
  });

  it('ignores user words it already has', () => {
    const local = new Segmenter(['凯福云盒']);
    expect(local.addUserWords(['凯福云盒', ' '])).toBe(0);
  });

  it('gives token spans that point into the normalized text', () => {
    const text = 'iphone15 退款';
    const tokens = segmenter.segmentNormalized(text);
    for (const token of tokens) expect(text.slice(token.start, token.end)).toBe(token.text);
    expect(tokens.map((token) => token.text)).toEqual(['iphone15', '退款']);
  });

  it('keeps instances independent', () => {
    const one = new Segmenter(['云盒专享']);
    const other = new Segmenter();
    expect(one.segment('云盒专享价')).toContain('云盒专享');
    expect(other.segment('云盒专享价')).not.toContain('云盒专享');
  });
});

describe('bigramsOf()', () => {
  it('yields overlapping character pairs', () => {
    expect(bigramsOf('退款单')).toEqual(['退款', '款单']);
  });

  it('yields a lone character as itself and nothing for empty text', () => {
    expect(bigramsOf('退')).toEqual(['退']);
    expect(bigramsOf('')).toEqual([]);
  });
});
