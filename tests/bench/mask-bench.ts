import { pathToFileURL } from 'node:url';
import { SensitiveWordFilter } from '../../core/moderation/sensitive-words.ts';

const wordCount = 10_000;
const messageLength = 500;
const warmupRuns = 2_000;
const measuredRuns = 20_000;

/** Deterministic PRNG (mulberry32) so every run measures the same list and message. */
function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Frequent characters of customer-service chat, so the message walks many root edges as real traffic does.
const commonHanzi =
  '的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要她出也得里后自以会家可下而过天去能对小多然于心学么之都好看起发当没成只如事把还用第样道想作种开美总从无情己面最女但现前些所同日手又行意动方期它头经长儿回位分爱老因很给名法间斯知世什两次使身者被高已亲其进此话常与活正感见明问力理尔点文几定本公特做外孩相西果走将月十实向声车全信重三机工物气每并别真打太新比才便夫再书部水像眼等体却加电主界门利海受听表德少克代员许件先口由死安写性马光白或住难望教命花结乐色更拉东神记处让母父应直字场平报友关放至张认接告入笑内英军候民岁往何度山觉路带万男边风解叫任金快原吃妈变通师立象数四失满战远格士音轻目条呢病始达深完今提求清王化空业思切怎非找片罗钱单吗语元喜曾离飞科言干流欢约各即指合反题必该论交终林请医晚制球决款传画保读运及则房早院量苦火布品近坐产答星精视五连司巴';
const latin = 'abcdefghijklmnopqrstuvwxyz';

function buildWords(random: () => number): string[] {
  const words: string[] = [];
  for (let i = 0; i < wordCount; i += 1) {
    const useLatin = random() < 0.3;
    // Latin words of 2–3 letters would cover most English bigrams and mask ordinary text wholesale.
    const length = useLatin ? 4 + Math.floor(random() * 3) : 2 + Math.floor(random() * 5);
    let word = '';
    for (let j = 0; j < length; j += 1) {
      word += useLatin
        ? latin[Math.floor(random() * latin.length)]
        : commonHanzi[Math.floor(random() * commonHanzi.length)];
    }
    words.push(word);
  }
  return words;
}

const sentences = [
  '您好，我昨天在你们店里买的耳机今天还没有发货，请问什么时候可以发出？',
  '订单号是 KF20240518-0931，收货地址写错了，能帮我改一下吗？',
  '我想退换货，商品有质量问题，左边耳机没有声音。',
  'The app keeps logging me out after the latest update, can you check my account?',
  '客服你好，优惠券为什么用不了，页面提示不满足使用条件。',
  '麻烦尽快处理，谢谢！如果今天处理不了请给我打电话 13800138000。',
  'Please send the invoice to my email, thanks a lot.',
];

function buildMessage(random: () => number, words: string[]): string {
  let message = '';
  for (let sentence = 1; message.length < messageLength; sentence += 1) {
    message += sentences[Math.floor(random() * sentences.length)];
    // A few hits, spread through the message.
    if (sentence % 3 === 0 && sentence <= 12) message += words[Math.floor(random() * words.length)];
  }
  return message.slice(0, messageLength);
}

/**
 * Mean time to mask one 500-character message against a 10,000-word list (random Chinese words of
 * 2–6 characters and latin words of 4–6), measured after a warm-up. Building the automaton is not included.
 */
export function benchMask(): { mask_us: number } {
  const random = createRandom(20240518);
  const words = buildWords(random);
  const filter = new SensitiveWordFilter(words);
  const message = buildMessage(random, words);
  if (!filter.mask(message).changed) throw new Error('bench message has no sensitive word; the bench would measure the wrong path');

  let sink = 0;
  for (let i = 0; i < warmupRuns; i += 1) sink += filter.mask(message).text.length;
  const started = process.hrtime.bigint();
  for (let i = 0; i < measuredRuns; i += 1) sink += filter.mask(message).text.length;
  const elapsedNs = Number(process.hrtime.bigint() - started);
  if (sink === 0) throw new Error('masking returned empty text');
  return { mask_us: Math.round((elapsedNs / measuredRuns / 1000) * 100) / 100 };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(benchMask()));
}
