import { describe, expect, it } from 'vitest';
import { normalizeText, splitScriptRuns } from './normalize.ts';

describe('normalizeText()', () => {
  it('folds full-width letters and digits to half-width lower case', () => {
    expect(normalizeText('ＶＩＰ会员１２３')).toBe('vip会员123');
  });

  it('converts traditional characters and Taiwan wording to simplified', () => {
    expect(normalizeText('帳號被凍結了怎麼辦')).toBe('账号被冻结了怎么办');
    expect(normalizeText('軟體下載')).toBe('软件下载');
  });

  it('folds the 帐/账 variant so both spellings index alike', () => {
    expect(normalizeText('帐号')).toBe(normalizeText('账号'));
  });

  it('collapses Chinese and ASCII punctuation and spaces to single spaces', () => {
    expect(normalizeText('  退款？！  多久，到账。。')).toBe('退款 多久 到账');
    expect(normalizeText('“申请售后”—选择【退款】')).toBe('申请售后 选择 退款');
  });

  it('is idempotent', () => {
    const once = normalizeText('請問ＡＰＰ怎麼登錄？');
    expect(normalizeText(once)).toBe(once);
  });

  it('returns an empty string for punctuation only', () => {
    expect(normalizeText('？？！！…')).toBe('');
  });
});

describe('splitScriptRuns()', () => {
  it('keeps latin and digit runs whole between Han runs', () => {
    expect(splitScriptRuns('iphone15怎么退 vip')).toEqual(['iphone15', '怎么退', 'vip']);
  });
});
