import { describe, it, expect } from 'vitest';
import { containsKeyword, parseChoiceReply, parseRatingReply } from './keywords.ts';

describe('containsKeyword()', () => {
  const transfer = ['人工', '转人工', '人工客服'];

  it('finds a keyword anywhere in the message', () => {
    expect(containsKeyword('我要转人工！', transfer)).toBe(true);
    expect(containsKeyword('请帮我查一下订单', transfer)).toBe(false);
  });

  it('ignores width and case in the text and the keywords', () => {
    expect(containsKeyword('please, ＨＵＭＡＮ agent', ['Human'])).toBe(true);
    expect(containsKeyword('I want a human', ['ＨＵＭＡＮ'])).toBe(true);
    expect(containsKeyword('ｖｉｐ１ service', ['VIP1'])).toBe(true);
  });

  it('strips whitespace and punctuation around keywords and skips keywords left empty', () => {
    expect(containsKeyword('退出排队', ['  退出排队。 '])).toBe(true);
    expect(containsKeyword('随便说点什么', ['  ', '！', ''])).toBe(false);
  });

  it('keeps symbols that belong to a keyword', () => {
    expect(containsKeyword('I like c', ['C#', 'C++'])).toBe(false);
    expect(containsKeyword('C# 课程', ['c#'])).toBe(true);
  });

  it('treats an ideographic space like a space', () => {
    expect(containsKeyword('talk　to agent', ['talk to'])).toBe(true);
  });

  it('is false for an empty keyword list', () => {
    expect(containsKeyword('人工', [])).toBe(false);
  });
});

describe('parseRatingReply()', () => {
  it('accepts the digits 1–5 in ASCII and full width, with spaces and punctuation around', () => {
    expect(parseRatingReply('5')).toBe(5);
    expect(parseRatingReply(' １ ')).toBe(1);
    expect(parseRatingReply('3。')).toBe(3);
    expect(parseRatingReply('4分')).toBe(4);
  });

  it('accepts 一…五 and 五星', () => {
    expect(parseRatingReply('二')).toBe(2);
    expect(parseRatingReply('五星')).toBe(5);
  });

  it('maps the five labels to 5…1', () => {
    expect(parseRatingReply('非常满意')).toBe(5);
    expect(parseRatingReply('满意！')).toBe(4);
    expect(parseRatingReply('一般')).toBe(3);
    expect(parseRatingReply('不满意')).toBe(2);
    expect(parseRatingReply('非常不满意')).toBe(1);
  });

  it('refuses out-of-range numbers and ordinary messages', () => {
    expect(parseRatingReply('0')).toBeNull();
    expect(parseRatingReply('6')).toBeNull();
    expect(parseRatingReply('10')).toBeNull();
    expect(parseRatingReply('我有5个问题')).toBeNull();
    expect(parseRatingReply('还是不太满意这个结果')).toBeNull();
    expect(parseRatingReply('')).toBeNull();
  });
});

describe('parseChoiceReply()', () => {
  it('accepts a numbered choice within 1…count', () => {
    expect(parseChoiceReply('2', 3)).toBe(2);
    expect(parseChoiceReply('３', 3)).toBe(3);
    expect(parseChoiceReply('第一', 3)).toBe(1);
    expect(parseChoiceReply('2号', 3)).toBe(2);
    expect(parseChoiceReply('十二', 12)).toBe(12);
    expect(parseChoiceReply('1.', 3)).toBe(1);
  });

  it('refuses choices out of range, text and a nonsensical count', () => {
    expect(parseChoiceReply('0', 3)).toBeNull();
    expect(parseChoiceReply('4', 3)).toBeNull();
    expect(parseChoiceReply('13800138000', 3)).toBeNull();
    expect(parseChoiceReply('选项二怎么用', 3)).toBeNull();
    expect(parseChoiceReply('1', 0)).toBeNull();
    expect(parseChoiceReply('十十', 99)).toBeNull();
  });
});
